// Memory and time as the dataset grows: synthetic RGB datasets of 96×96×3 images (the patterns of
// server/ml/synthetic.ts, JPEG quality 90, six classes), imported through the API into a fresh
// Percept with one local runner and trained one epoch (one candidate, one round). Per size: peak
// RSS of the server and of its runner (sampled from /proc every 200 ms), the epoch's seconds (the
// candidate's history), and import images/s (client-side, upload to finished task).
//   --sizes 5000,20000,60000 (default)   --chunk 5000: images per uploaded zip
// Targets (issue 21): rssGrowth ≤ 1.2 (server and runner; the worse of the two is reported),
// epochTimePerImageGrowth ≤ 1.2, each the largest size's figure over the smallest's. The last
// line of output is one JSON object.
import 'reflect-metadata';
import { readdirSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { ZipWriter as JSZip } from '../tests/support/zip-writer';
import { SYNTHETIC_CLASSES, syntheticImages } from '../server/ml/synthetic';
import { BenchUser, log, round } from './support/client';
import { startBenchServer } from './support/server';

const SIDE = 96;
const CLASSES = 6;

/** Resident set of a process in MiB (0 once it is gone). */
function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Child processes of `pid` (the server's local runners). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // The command may hold spaces and parentheses: fields resume after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Peaks of the server and of each of its children while it runs. */
class RssSampler {
  peakServer = 0;
  readonly peakChild = new Map<number, number>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pid: number) {
    this.timer = setInterval(() => this.sample(), 200);
  }

  sample(): void {
    this.peakServer = Math.max(this.peakServer, rssMb(this.pid));
    for (const child of childrenOf(this.pid)) {
      this.peakChild.set(child, Math.max(this.peakChild.get(child) ?? 0, rssMb(child)));
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

async function zipOf(count: number, seed: number): Promise<Buffer> {
  const { pixels, labels } = syntheticImages({ height: SIDE, width: SIDE, channels: 3, classes: CLASSES, count, seed });
  const zip = new JSZip();
  const bytes = SIDE * SIDE * 3;
  for (let i = 0; i < count; i++) {
    const jpeg = await sharp(Buffer.from(pixels.subarray(i * bytes, (i + 1) * bytes)), {
      raw: { width: SIDE, height: SIDE, channels: 3 },
    })
      .jpeg({ quality: 90 })
      .toBuffer();
    zip.file(`data/${SYNTHETIC_CLASSES[labels[i]!]}/${seed}-${i}.jpg`, jpeg);
  }
  return zip.generateAsync({ type: 'nodebuffer' });
}

interface Point {
  images: number;
  trainImages: number;
  peakServerMb: number;
  peakRunnerMb: number;
  epochSeconds: number;
  importImagesPerSec: number;
  trainImagesPerSec: number;
}

async function measure(size: number, chunk: number): Promise<Point> {
  const srv = await startBenchServer({
    PERCEPT_LOCAL_RUNNERS: '1',
    PERCEPT_TICK_MS: '500',
    PERCEPT_MAX_UPLOAD_BYTES: String(2 ** 31),
  });
  const sampler = new RssSampler(srv.process.pid!);
  try {
    const user = await BenchUser.signUp(srv.graphqlUrl);
    const sample = await sharp(Buffer.alloc(SIDE * SIDE * 3, 128), { raw: { width: SIDE, height: SIDE, channels: 3 } })
      .png()
      .toBuffer();
    const modelId = await user.createModel(`scale ${size}`, sample);
    let importSeconds = 0;
    for (let done = 0; done < size; done += chunk) {
      const n = Math.min(chunk, size - done);
      const zip = await zipOf(n, 1000 + done);
      const started = Date.now();
      await user.importZip(modelId, zip);
      importSeconds += (Date.now() - started) / 1000;
      log(`  ${size}: imported ${done + n} (${round((done + n) / importSeconds)} images/s so far)`);
    }
    const task = await user.call(
      'mutation($id: ID!) { trainModel(modelId: $id, input: { candidates: 1, maxEpochs: 1, roundEpochs: 1 }) { id } }',
      { id: modelId },
    );
    await user.waitForTask(task.trainModel.id);
    sampler.sample();
    const run = await user.call(
      'query($id: ID!) { trainingRun(modelId: $id) { candidates { history { seconds imagesPerSecond } } } }',
      { id: modelId },
    );
    const epoch = run.trainingRun.candidates[0].history[0];
    return {
      images: size,
      trainImages: Math.round(epoch.seconds * epoch.imagesPerSecond),
      peakServerMb: round(sampler.peakServer),
      peakRunnerMb: round(Math.max(0, ...sampler.peakChild.values())),
      epochSeconds: round(epoch.seconds, 2),
      importImagesPerSec: round(size / importSeconds),
      trainImagesPerSec: round(epoch.imagesPerSecond),
    };
  } finally {
    sampler.stop();
    await srv.stop();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { sizes: { type: 'string' }, chunk: { type: 'string' } } });
  const sizes = (values.sizes ?? '5000,20000,60000').split(',').map(Number);
  const chunk = Number(values.chunk ?? 5000);
  if (!sizes.every((s) => Number.isInteger(s) && s > 0) || !(chunk > 0))
    throw new Error('--sizes and --chunk take positive integers');
  const points: Point[] = [];
  for (const size of sizes) {
    log(`${size} images of ${SIDE}×${SIDE}×3`);
    const p = await measure(size, chunk);
    log(`  ${JSON.stringify(p)}`);
    points.push(p);
  }
  const first = points[0]!;
  const last = points.at(-1)!;
  const serverRssGrowth = round(last.peakServerMb / first.peakServerMb, 2);
  const runnerRssGrowth = round(last.peakRunnerMb / first.peakRunnerMb, 2);
  const perImage = (p: Point) => p.epochSeconds / p.trainImages;
  console.log('images  peak server MB  peak runner MB  epoch s  import img/s  train img/s');
  for (const p of points) {
    console.log(
      `${String(p.images).padStart(6)}  ${String(p.peakServerMb).padStart(14)}  ${String(p.peakRunnerMb).padStart(14)}  ${String(p.epochSeconds).padStart(7)}  ${String(p.importImagesPerSec).padStart(12)}  ${String(p.trainImagesPerSec).padStart(11)}`,
    );
  }
  console.log(
    JSON.stringify({
      bench: 'scale',
      points,
      rssGrowth: Math.max(serverRssGrowth, runnerRssGrowth),
      serverRssGrowth,
      runnerRssGrowth,
      epochTimePerImageGrowth: round(perImage(last) / perImage(first), 2),
    }),
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
