// Data augmentation inside the training step: each training image is drawn through a small random
// affine warp (shift, rotation, scale; a mirror only when asked) before it becomes floats. The
// draw depends only on (seed, epoch, batch, position in batch), so a run resumed from a
// checkpoint sees exactly the images the uninterrupted run saw.
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
export const DEFAULT_AUGMENTATION: Augmentation = { shift: 0.1, rotate: 10, scale: 0.1, flip: false };

/** Images smaller than this on either side are not warped: a shift of one pixel is already 12%. */
const MIN_SIDE = 8;

/** The random stream for one batch of one epoch. */
export function augmentationRandom(seed: number, epoch: number, batch: number): () => number {
  return seededRandom(mixSeed(seed, epoch, batch, 0x61756721));
}

/**
 * Writes `pixels` (HWC bytes) warped by a random affine transform, scaled to [0, 1], into
 * `target` at `offset`. Bilinear sampling; points that fall outside take the nearest edge pixel,
 * so no black borders appear on photos.
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
  const angle = (uniform(aug.rotate) * Math.PI) / 180;
  const zoom = 1 + uniform(aug.scale);
  const dx = uniform(aug.shift) * w;
  const dy = uniform(aug.shift) * h;
  const mirror = aug.flip && random() < 0.5;
  if (h < MIN_SIDE || w < MIN_SIDE) {
    for (let i = 0; i < pixels.length; i++) target[offset + i] = pixels[i]! / 255;
    return;
  }
  // Inverse map: for each output pixel, where in the source it comes from (about the centre).
  const cos = Math.cos(angle) / zoom;
  const sin = Math.sin(angle) / zoom;
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  const maxX = w - 1;
  const maxY = h - 1;
  for (let y = 0; y < h; y++) {
    const oy = y - cy - dy;
    for (let x = 0; x < w; x++) {
      const ox = (mirror ? maxX - x : x) - cx - dx;
      let sx = cos * ox + sin * oy + cx;
      let sy = -sin * ox + cos * oy + cy;
      sx = sx < 0 ? 0 : sx > maxX ? maxX : sx;
      sy = sy < 0 ? 0 : sy > maxY ? maxY : sy;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const x1 = x0 < maxX ? x0 + 1 : x0;
      const y1 = y0 < maxY ? y0 + 1 : y0;
      const fx = sx - x0;
      const fy = sy - y0;
      const a = (y0 * w + x0) * c;
      const b = (y0 * w + x1) * c;
      const d = (y1 * w + x0) * c;
      const e = (y1 * w + x1) * c;
      const out = offset + (y * w + x) * c;
      for (let k = 0; k < c; k++) {
        const top = pixels[a + k]! + (pixels[b + k]! - pixels[a + k]!) * fx;
        const bottom = pixels[d + k]! + (pixels[e + k]! - pixels[d + k]!) * fx;
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
