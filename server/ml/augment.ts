// Data augmentation inside the training step: each training image is moved by a random whole
// number of pixels (a mirror only when asked; rotation and zoom when asked) before it becomes
// floats. The draw depends only on (seed, epoch, batch, position in batch), so a run resumed
// from a checkpoint sees exactly the images the uninterrupted run saw.
//
// Measured (bench/recipe.ts, Fashion-MNIST): sub-pixel warps blur every training image while test
// images stay sharp, and replicating edge pixels smears objects that touch the border; both cost
// accuracy. Whole-pixel shifts with the uncovered strip left black (the zero padding of the
// classic pad-and-crop) cost neither.
import { mixSeed, seededRandom } from './random';

export interface Augmentation {
  /** Largest shift, as a fraction of the image side (0.1 → up to 10% each way). */
  shift: number;
  /** Largest rotation in degrees, either way. */
  rotate: number;
  /** Largest zoom in or out, as a fraction (0.1 → scale 0.9 to 1.1). */
  scale: number;
  /** Mirror left-right half of the time. Off by default: digits and text must not be flipped. */
  flip: boolean;
}

/** What Percept trains with unless told otherwise (chosen by measurement: docs/benchmarks.md). */
export const DEFAULT_AUGMENTATION: Augmentation = { shift: 0.1, rotate: 0, scale: 0, flip: false };

/** Images smaller than this on either side are not warped: a shift of one pixel is already 12%. */
const MIN_SIDE = 8;

/** The random stream for one batch of one epoch. */
export function augmentationRandom(seed: number, epoch: number, batch: number): () => number {
  return seededRandom(mixSeed(seed, epoch, batch, 0x61756721));
}

/**
 * Writes `pixels` (HWC bytes), moved by a random transform, scaled to [0, 1], into `target` at
 * `offset`. Points that come from outside the image are black.
 */
export function augmentInto(
  target: Float32Array,
  offset: number,
  pixels: Uint8Array,
  shape: readonly number[],
  aug: Augmentation,
  random: () => number,
): void {
  const [h, w, c] = shape as [number, number, number];
  const uniform = (limit: number) => (random() * 2 - 1) * limit;
  const dx = Math.round(uniform(aug.shift) * w);
  const dy = Math.round(uniform(aug.shift) * h);
  const angle = (uniform(aug.rotate) * Math.PI) / 180;
  const zoom = 1 + uniform(aug.scale);
  const mirror = aug.flip && random() < 0.5;
  if (h < MIN_SIDE || w < MIN_SIDE) {
    for (let i = 0; i < pixels.length; i++) target[offset + i] = pixels[i]! / 255;
    return;
  }
  if (angle === 0 && zoom === 1) shiftInto(target, offset, pixels, h, w, c, dx, dy, mirror);
  else warpInto(target, offset, pixels, h, w, c, { dx, dy, angle, zoom, mirror });
}

/** Whole-pixel shift (and mirror): every pixel is an original one, nothing is blurred. */
function shiftInto(
  target: Float32Array,
  offset: number,
  pixels: Uint8Array,
  h: number,
  w: number,
  c: number,
  dx: number,
  dy: number,
  mirror: boolean,
): void {
  target.fill(0, offset, offset + h * w * c);
  for (let y = 0; y < h; y++) {
    const sy = y - dy;
    if (sy < 0 || sy >= h) continue;
    for (let x = 0; x < w; x++) {
      const sx = (mirror ? w - 1 - x : x) - dx;
      if (sx < 0 || sx >= w) continue;
      const from = (sy * w + sx) * c;
      const to = offset + (y * w + x) * c;
      for (let k = 0; k < c; k++) target[to + k] = pixels[from + k]! / 255;
    }
  }
}

/** Rotation and zoom about the centre, then the shift; bilinear sampling. */
function warpInto(
  target: Float32Array,
  offset: number,
  pixels: Uint8Array,
  h: number,
  w: number,
  c: number,
  t: { dx: number; dy: number; angle: number; zoom: number; mirror: boolean },
): void {
  // Inverse map: for each output pixel, where in the source it comes from.
  const cos = Math.cos(t.angle) / t.zoom;
  const sin = Math.sin(t.angle) / t.zoom;
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  const at = (x: number, y: number, k: number) =>
    x < 0 || y < 0 || x >= w || y >= h ? 0 : pixels[(y * w + x) * c + k]!;
  for (let y = 0; y < h; y++) {
    const oy = y - cy - t.dy;
    for (let x = 0; x < w; x++) {
      const ox = (t.mirror ? w - 1 - x : x) - cx - t.dx;
      const sx = cos * ox + sin * oy + cx;
      const sy = -sin * ox + cos * oy + cy;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      const out = offset + (y * w + x) * c;
      for (let k = 0; k < c; k++) {
        const top = at(x0, y0, k) + (at(x0 + 1, y0, k) - at(x0, y0, k)) * fx;
        const bottom = at(x0, y0 + 1, k) + (at(x0 + 1, y0 + 1, k) - at(x0, y0 + 1, k)) * fx;
        target[out + k] = (top + (bottom - top) * fy) / 255;
      }
    }
  }
}

/** Checks an augmentation from outside (a payload): every field present and in range. */
export function parseAugmentation(value: unknown): Augmentation {
  const a = value as Partial<Augmentation> | null;
  const ok =
    a !== null &&
    typeof a === 'object' &&
    typeof a.shift === 'number' &&
    a.shift >= 0 &&
    a.shift <= 0.5 &&
    typeof a.rotate === 'number' &&
    a.rotate >= 0 &&
    a.rotate <= 180 &&
    typeof a.scale === 'number' &&
    a.scale >= 0 &&
    a.scale < 1 &&
    typeof a.flip === 'boolean';
  if (!ok) throw new Error(`not an augmentation: ${JSON.stringify(value)}`);
  return { shift: a.shift!, rotate: a.rotate!, scale: a.scale!, flip: a.flip! };
}
