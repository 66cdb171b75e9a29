// A small real data set for bench/quality.ts: scikit-learn's bundled handwritten digits (1,797
// images of 8×8 pixels at 16 grey levels, from python3-sklearn, nothing downloaded), scaled to
// 0–255 and upsampled to 16×16 with sharp's default (Lanczos), as PNG. The test split is fixed: a
// quarter of each class, chosen by a seeded shuffle.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import sharp from 'sharp';
import { seededRandom } from '../../server/ml/random';

export const DIGIT_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;
export const DIGIT_SIZE = 16;

export interface DigitImages {
  files: Buffer[];
  /** count × 16 × 16 bytes: exactly the PNGs' pixels. */
  pixels: Uint8Array;
  labels: number[];
}

export async function digitSplits(python: string): Promise<{ train: DigitImages; test: DigitImages }> {
  const script = path.join(__dirname, '..', '..', '..', 'bench', 'support', 'digits.py');
  const run = spawnSync(python, [script], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (run.status !== 0) throw new Error(`${python} ${script} failed: ${run.stderr || run.error?.message}`);
  const data = JSON.parse(run.stdout) as { images: number[][]; labels: number[] };
  const rand = seededRandom(16);
  const byClass = DIGIT_CLASSES.map((_, c) => data.labels.flatMap((l, i) => (l === c ? [i] : [])));
  const test = new Set<number>();
  for (const members of byClass) {
    for (let i = members.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [members[i], members[j]] = [members[j]!, members[i]!];
    }
    for (const i of members.slice(0, Math.round(members.length / 4))) test.add(i);
  }
  const pick = async (keep: (i: number) => boolean): Promise<DigitImages> => {
    const chosen = data.labels.flatMap((_, i) => (keep(i) ? [i] : []));
    const pixels = new Uint8Array(chosen.length * DIGIT_SIZE * DIGIT_SIZE);
    const files: Buffer[] = [];
    for (const [n, i] of chosen.entries()) {
      const small = Buffer.from(data.images[i]!.map((v) => Math.round((v * 255) / 16)));
      const big = await sharp(small, { raw: { width: 8, height: 8, channels: 1 } })
        .resize(DIGIT_SIZE, DIGIT_SIZE)
        .raw()
        .toBuffer({ resolveWithObject: true });
      const grey = big.info.channels === 1 ? big.data : big.data.filter((_, k) => k % big.info.channels === 0);
      pixels.set(grey, n * DIGIT_SIZE * DIGIT_SIZE);
      files.push(
        await sharp(Buffer.from(grey), { raw: { width: DIGIT_SIZE, height: DIGIT_SIZE, channels: 1 } })
          .png()
          .toBuffer(),
      );
    }
    return { files, pixels, labels: chosen.map((i) => data.labels[i]!) };
  };
  return { train: await pick((i) => !test.has(i)), test: await pick((i) => test.has(i)) };
}
