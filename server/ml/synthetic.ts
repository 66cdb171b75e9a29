// Small labelled images of simple patterns, generated from a seed: what tests and benchmarks
// train on where no real data set may be downloaded. Each class is a kind of stroke placed at a
// random position on a noisy background, so a network has to learn shapes, not pixel positions.
import { seededRandom } from './random';

export const SYNTHETIC_CLASSES = ['horizontal bar', 'vertical bar', 'diagonal', 'square', 'frame', 'cross'] as const;

export interface SyntheticOptions {
  height: number;
  width: number;
  channels: number;
  /** 2 to 6 classes (the first `classes` of SYNTHETIC_CLASSES). */
  classes: number;
  count: number;
  seed: number;
}

export interface SyntheticImages {
  /** count × height × width × channels bytes, HWC. */
  pixels: Uint8Array;
  /** Balanced: image i has label i % classes. */
  labels: Int32Array;
}

export function syntheticImages(options: SyntheticOptions): SyntheticImages {
  const { height: h, width: w, channels: c, classes, count } = options;
  if (classes < 2 || classes > SYNTHETIC_CLASSES.length)
    throw new Error(`classes must be 2..${SYNTHETIC_CLASSES.length}`);
  if (Math.min(h, w) < 6) throw new Error('images must be at least 6×6');
  const rand = seededRandom(options.seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const pixels = new Uint8Array(count * h * w * c);
  const labels = new Int32Array(count);
  const mask = new Uint8Array(h * w);
  for (let n = 0; n < count; n++) {
    const label = n % classes;
    labels[n] = label;
    mask.fill(0);
    const set = (y: number, x: number) => {
      if (y >= 0 && y < h && x >= 0 && x < w) mask[y * w + x] = 1;
    };
    const size = int(Math.ceil(Math.min(h, w) / 3), Math.floor(Math.min(h, w) / 2));
    const y0 = int(0, h - size);
    const x0 = int(0, w - size);
    switch (label) {
      case 0: // horizontal bar
        for (let x = x0; x < x0 + size; x++) set(y0 + (size >> 1), x);
        break;
      case 1: // vertical bar
        for (let y = y0; y < y0 + size; y++) set(y, x0 + (size >> 1));
        break;
      case 2: // diagonal
        for (let i = 0; i < size; i++) set(y0 + i, x0 + i);
        break;
      case 3: // filled square
        for (let y = y0; y < y0 + size; y++) for (let x = x0; x < x0 + size; x++) set(y, x);
        break;
      case 4: // frame
        for (let i = 0; i < size; i++) {
          set(y0, x0 + i);
          set(y0 + size - 1, x0 + i);
          set(y0 + i, x0);
          set(y0 + i, x0 + size - 1);
        }
        break;
      case 5: // cross
        for (let i = 0; i < size; i++) {
          set(y0 + (size >> 1), x0 + i);
          set(y0 + i, x0 + (size >> 1));
        }
        break;
    }
    const background = int(0, 70);
    const foreground = int(170, 255);
    const base = n * h * w * c;
    for (let p = 0; p < h * w; p++) {
      const value = (mask[p] ? foreground : background) + int(-25, 25);
      for (let ch = 0; ch < c; ch++) pixels[base + p * c + ch] = Math.max(0, Math.min(255, value + int(-10, 10)));
    }
  }
  return { pixels, labels };
}
