import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

export const FASHION_DIR = process.env.FASHION_MNIST_DIR ?? '/usr/share/datasets/fashion-mnist';
export const FASHION_CLASSES = [
  'T-shirt_top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle_boot',
];

export interface IdxSet {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

/** Fashion-MNIST from Debian's dataset-fashion-mnist package (IDX files, gzipped). */
export function loadFashionMnist(): { train: IdxSet; test: IdxSet } {
  if (!existsSync(join(FASHION_DIR, 'train-images-idx3-ubyte.gz'))) {
    throw new Error(
      `Fashion-MNIST is not installed in ${FASHION_DIR}.\n` +
        `Install Debian's package first:  sudo apt-get install dataset-fashion-mnist\n` +
        `(or set FASHION_MNIST_DIR to a folder holding the four *-ubyte.gz files).`,
    );
  }
  const read = (name: string, headerBytes: number) =>
    gunzipSync(readFileSync(join(FASHION_DIR, name))).subarray(headerBytes);
  const set = (prefix: string): IdxSet => {
    const images = read(`${prefix}-images-idx3-ubyte.gz`, 16);
    const labels = read(`${prefix}-labels-idx1-ubyte.gz`, 8);
    return { images, labels, count: labels.length };
  };
  return { train: set('train'), test: set('t10k') };
}

/** The first `perClass` indices of each class (all when perClass is Infinity). */
export function balancedSubset(set: IdxSet, perClass: number): number[] {
  const taken = new Array<number>(10).fill(0);
  const out: number[] = [];
  for (let i = 0; i < set.count; i++) {
    const l = set.labels[i]!;
    if (taken[l]! < perClass) {
      taken[l]!++;
      out.push(i);
    }
  }
  return out;
}

/** The images at `indices`, one after another (count × 28 × 28 bytes), and their labels. */
export function gatherImages(set: IdxSet, indices: number[]): { pixels: Uint8Array; labels: number[] } {
  const pixels = new Uint8Array(indices.length * 784);
  indices.forEach((i, n) => pixels.set(set.images.subarray(i * 784, (i + 1) * 784), n * 784));
  return { pixels, labels: indices.map((i) => set.labels[i]!) };
}
