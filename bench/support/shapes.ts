// A small synthetic data set for bench/quality.ts: drawn shapes, 32×32 RGB, from a seed. Each
// image is one shape (its class) at a random position, size, rotation and stretch, filled or only
// outlined, in a random colour on a random two-colour gradient, with a few random strokes of
// clutter and pixel noise on top. Colour, brightness and position say nothing about the class,
// so pixels alone do not separate it well; the outline does.
import sharp from 'sharp';
import { seededRandom as seeded } from '../../server/ml/random';

export const SHAPE_CLASSES = ['circle', 'triangle', 'square', 'star', 'cross'] as const;
export const SHAPE_SIZE = 32;

export interface ShapeImages {
  /** PNG files, as a user would upload them. */
  files: Buffer[];
  /** count × 32 × 32 × 3 bytes, HWC: exactly the PNGs' pixels. */
  pixels: Uint8Array;
  /** Balanced: image i has label i % classes. */
  labels: number[];
}

/** `perClass` images of each of the SHAPE_CLASSES, interleaved by class. */
export async function shapeImages(perClass: number, seed: number): Promise<ShapeImages> {
  const rand = seeded(seed);
  const classes = SHAPE_CLASSES.length;
  const count = perClass * classes;
  const files: Buffer[] = [];
  const labels: number[] = [];
  const pixels = new Uint8Array(count * SHAPE_SIZE * SHAPE_SIZE * 3);
  for (let n = 0; n < count; n++) {
    const label = n % classes;
    const raw = await sharp(Buffer.from(shapeSvg(label, rand)))
      .removeAlpha()
      .raw()
      .toBuffer();
    // Noise after rendering: Gaussian-ish (sum of three uniforms), σ ≈ 6 levels, per channel.
    for (let i = 0; i < raw.length; i++) {
      const noise = (rand() + rand() + rand() - 1.5) * 12;
      raw[i] = Math.max(0, Math.min(255, Math.round(raw[i]! + noise)));
    }
    pixels.set(raw, n * raw.length);
    files.push(
      await sharp(raw, { raw: { width: SHAPE_SIZE, height: SHAPE_SIZE, channels: 3 } })
        .png()
        .toBuffer(),
    );
    labels.push(label);
  }
  return { files, pixels, labels };
}

function shapeSvg(label: number, rand: () => number): string {
  const S = SHAPE_SIZE;
  const uniform = (lo: number, hi: number) => lo + rand() * (hi - lo);
  const hsl = (l: [number, number]) =>
    `hsl(${Math.floor(uniform(0, 360))},${Math.floor(uniform(20, 90))}%,${Math.floor(uniform(...l))}%)`;
  // Shape and background differ in lightness (one light, one dark, at random) but not in a way
  // that tells the class.
  const darkShape = rand() < 0.5;
  const bgLight: [number, number] = darkShape ? [55, 90] : [8, 45];
  const fgLight: [number, number] = darkShape ? [5, 40] : [60, 95];
  const parts: string[] = [
    `<defs><linearGradient id="g" x1="${rand()}" y1="${rand()}" x2="${rand()}" y2="${rand()}">` +
      `<stop offset="0" stop-color="${hsl(bgLight)}"/><stop offset="1" stop-color="${hsl(bgLight)}"/></linearGradient></defs>`,
    `<rect width="${S}" height="${S}" fill="url(#g)"/>`,
  ];
  // Clutter: short strokes and arcs anywhere, in colours of either kind.
  for (let i = Math.floor(uniform(0, 3)); i > 0; i--) {
    const [x1, y1, x2, y2] = [uniform(0, S), uniform(0, S), uniform(0, S), uniform(0, S)];
    const colour = hsl(rand() < 0.5 ? bgLight : fgLight);
    parts.push(
      `<path d="M${x1} ${y1} Q${uniform(0, S)} ${uniform(0, S)} ${x2} ${y2}" fill="none" stroke="${colour}" ` +
        `stroke-width="${uniform(0.5, 1.2)}" opacity="${uniform(0.3, 0.7)}"/>`,
    );
  }
  const r = uniform(8, 13);
  const cx = uniform(r + 1, S - r - 1);
  const cy = uniform(r + 1, S - r - 1);
  const angle = uniform(0, 360);
  const sx = uniform(0.8, 1.2);
  const sy = uniform(0.8, 1.2);
  const colour = hsl(fgLight);
  const paint =
    rand() < 0.5
      ? `fill="${colour}"`
      : `fill="none" stroke="${colour}" stroke-width="${uniform(2, 3.5)}" stroke-linejoin="round"`;
  const poly = (points: [number, number][]) => `<polygon points="${points.map((p) => p.join(',')).join(' ')}"`;
  const ring = (k: number, radius: (i: number) => number) =>
    Array.from({ length: k }, (_, i): [number, number] => {
      const a = (2 * Math.PI * i) / k - Math.PI / 2;
      return [radius(i) * Math.cos(a), radius(i) * Math.sin(a)];
    });
  const w = r * uniform(0.28, 0.4); // half the width of a cross's arm
  const body = [
    `<circle r="${r}"`,
    poly(ring(3, () => r * 1.1)),
    poly(ring(4, () => r).map(([x, y]) => [(x - y) / Math.SQRT2, (x + y) / Math.SQRT2])),
    poly(ring(10, (i) => (i % 2 ? r * uniform(0.4, 0.5) : r * 1.1))),
    poly([
      [-w, -r],
      [w, -r],
      [w, -w],
      [r, -w],
      [r, w],
      [w, w],
      [w, r],
      [-w, r],
      [-w, w],
      [-r, w],
      [-r, -w],
      [-w, -w],
    ]),
  ][label]!;
  parts.push(
    `<g transform="translate(${cx} ${cy}) rotate(${angle}) scale(${sx} ${sy})">${body} ${paint} opacity="${uniform(0.75, 1)}"/></g>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${S}" height="${S}" viewBox="0 0 ${S} ${S}">${parts.join('')}</svg>`;
}
