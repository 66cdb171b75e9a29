// What the library trains on. Images arrive as raw pixel bytes (HWC, already resized to the
// model's input shape by the server with sharp) with integer labels; they become [0, 1] floats
// only batch by batch, so a dataset costs one byte per pixel in memory, not four.
import * as tf from './tf';
import { augmentationRandom, augmentInto, type Augmentation } from './augment';
import { mixSeed, permutation } from './random';

export interface Batch {
  /** [n, ...sampleShape], float32; images are scaled to [0, 1]. */
  xs: tf.Tensor;
  /** [n], int32 class indices. */
  labels: tf.Tensor1D;
  size: number;
}

export interface BatchOptions {
  batchSize: number;
  /** Shuffle with this seed; the order depends on (seed, epoch) only, so a resumed run replays it. */
  shuffleSeed?: number;
  epoch?: number;
  /** Warp each image at random (training only); seeded by (shuffleSeed, epoch, batch). */
  augment?: Augmentation;
}

/**
 * One small interface over in-memory and streamed data. Batches are yielded one at a time and
 * belong to the caller, who disposes them (disposeBatch).
 */
export interface Dataset {
  readonly size: number;
  /** Shape of one sample: [h, w, c] for images, [n] for feature vectors. */
  readonly sampleShape: readonly number[];
  batches(options: BatchOptions): AsyncIterable<Batch>;
  /** Labels of every sample, in index order (for stratified splits and evaluation). */
  labels(): Promise<Int32Array>;
}

export interface Sample {
  pixels: Uint8Array;
  label: number;
}

/**
 * Random access to samples that live elsewhere (database, blob store, files). Random access rather
 * than a plain stream, because only then can a shuffled epoch be reproduced exactly.
 */
export interface SampleSource {
  readonly size: number;
  /** Samples at these indices, in this order. */
  read(indices: readonly number[]): Promise<Sample[]>;
  /** All labels in index order; cheap for a database, so it is not left to read(). */
  labels(): Promise<Int32Array>;
}

export function disposeBatch(batch: Batch): void {
  batch.xs.dispose();
  batch.labels.dispose();
}

/** The order in which an epoch visits the samples. */
export function epochOrder(size: number, options: BatchOptions): Uint32Array {
  if (options.shuffleSeed === undefined) return Uint32Array.from({ length: size }, (_, i) => i);
  return permutation(size, mixSeed(options.shuffleSeed, options.epoch ?? 0));
}

/** Images held in memory as one byte per channel. */
export class InMemoryImageDataset implements Dataset {
  readonly size: number;
  readonly sampleShape: readonly number[];
  private readonly pixels: Uint8Array;
  private readonly labelArray: Int32Array;
  private readonly sampleBytes: number;

  /** `pixels` is either one buffer of size × h × w × c bytes or one buffer per image. */
  constructor(
    shape: readonly [number, number, number],
    pixels: Uint8Array | readonly Uint8Array[],
    labels: ArrayLike<number>,
  ) {
    this.sampleShape = [...shape];
    this.sampleBytes = shape[0] * shape[1] * shape[2];
    this.pixels = pixels instanceof Uint8Array ? pixels : concatImages(pixels, this.sampleBytes);
    this.labelArray = checkLabels(labels);
    this.size = this.labelArray.length;
    if (this.pixels.length !== this.size * this.sampleBytes) {
      throw new Error(
        `pixels hold ${this.pixels.length} bytes; ${this.size} images of [${shape.join(', ')}] need ${this.size * this.sampleBytes}`,
      );
    }
  }

  async labels(): Promise<Int32Array> {
    return this.labelArray.slice();
  }

  /** A dataset of the samples at `indices` (e.g. the training part of a split), sharing nothing. */
  subset(indices: ArrayLike<number>): InMemoryImageDataset {
    const n = indices.length;
    const pixels = new Uint8Array(n * this.sampleBytes);
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const j = indices[i]!;
      pixels.set(this.pixels.subarray(j * this.sampleBytes, (j + 1) * this.sampleBytes), i * this.sampleBytes);
      labels[i] = this.labelArray[j]!;
    }
    return new InMemoryImageDataset(this.sampleShape as [number, number, number], pixels, labels);
  }

  async *batches(options: BatchOptions): AsyncGenerator<Batch> {
    const order = epochOrder(this.size, options);
    const step = checkBatchSize(options.batchSize);
    for (let start = 0; start < order.length; start += step) {
      const idx = order.subarray(start, start + step);
      const floats = new Float32Array(idx.length * this.sampleBytes);
      const labels = new Int32Array(idx.length);
      const write = pixelWriter(options, start / step, this.sampleShape);
      idx.forEach((j, i) => {
        write(floats, i * this.sampleBytes, this.pixels.subarray(j * this.sampleBytes, (j + 1) * this.sampleBytes));
        labels[i] = this.labelArray[j]!;
      });
      yield makeBatch(floats, labels, this.sampleShape);
    }
  }
}

/** Images read from a SampleSource batch by batch, reading the next batch while one trains. */
export class StreamedImageDataset implements Dataset {
  readonly size: number;
  readonly sampleShape: readonly number[];
  private readonly sampleBytes: number;

  constructor(
    shape: readonly [number, number, number],
    private readonly source: SampleSource,
  ) {
    this.sampleShape = [...shape];
    this.sampleBytes = shape[0] * shape[1] * shape[2];
    this.size = source.size;
  }

  labels(): Promise<Int32Array> {
    return this.source.labels();
  }

  async *batches(options: BatchOptions): AsyncGenerator<Batch> {
    const order = epochOrder(this.size, options);
    const step = checkBatchSize(options.batchSize);
    const read = (start: number) => {
      if (start >= order.length) return null;
      const promise = this.source.read(Array.from(order.subarray(start, start + step)));
      // A prefetch that the consumer never awaits (it stopped early) must not crash the process.
      promise.catch(() => {});
      return promise;
    };
    let pending = read(0);
    for (let start = 0; pending; start += step) {
      const samples = await pending;
      pending = read(start + step);
      const floats = new Float32Array(samples.length * this.sampleBytes);
      const labels = new Int32Array(samples.length);
      const write = pixelWriter(options, start / step, this.sampleShape);
      samples.forEach((s, i) => {
        if (s.pixels.length !== this.sampleBytes) {
          throw new Error(
            `image has ${s.pixels.length} bytes, expected ${this.sampleBytes} for [${this.sampleShape.join(', ')}]`,
          );
        }
        write(floats, i * this.sampleBytes, s.pixels);
        labels[i] = s.label;
      });
      checkLabels(labels);
      yield makeBatch(floats, labels, this.sampleShape);
    }
  }
}

/** Float feature vectors (a base's outputs), for training and evaluating heads. */
export class FeatureDataset implements Dataset {
  readonly size: number;
  readonly sampleShape: readonly number[];
  private readonly labelArray: Int32Array;

  constructor(
    readonly featureSize: number,
    readonly features: Float32Array,
    labels: ArrayLike<number>,
  ) {
    this.labelArray = checkLabels(labels);
    this.size = this.labelArray.length;
    this.sampleShape = [featureSize];
    if (features.length !== this.size * featureSize) {
      throw new Error(
        `features hold ${features.length} values; ${this.size} vectors of ${featureSize} need ${this.size * featureSize}`,
      );
    }
  }

  async labels(): Promise<Int32Array> {
    return this.labelArray.slice();
  }

  async *batches(options: BatchOptions): AsyncGenerator<Batch> {
    const order = epochOrder(this.size, options);
    const step = checkBatchSize(options.batchSize);
    const f = this.featureSize;
    for (let start = 0; start < order.length; start += step) {
      const idx = order.subarray(start, start + step);
      const floats = new Float32Array(idx.length * f);
      const labels = new Int32Array(idx.length);
      idx.forEach((j, i) => {
        floats.set(this.features.subarray(j * f, (j + 1) * f), i * f);
        labels[i] = this.labelArray[j]!;
      });
      yield makeBatch(floats, labels, this.sampleShape);
    }
  }
}

/** Decoded images (HWC bytes) as one [n, h, w, c] float tensor in [0, 1], as the models expect. */
export function imagesToTensor(images: readonly Uint8Array[], shape: readonly number[]): tf.Tensor4D {
  const bytes = shape.reduce((a, b) => a * b, 1);
  const floats = new Float32Array(images.length * bytes);
  images.forEach((img, i) => {
    if (img.length !== bytes)
      throw new Error(`image ${i} has ${img.length} bytes, expected ${bytes} for [${shape.join(', ')}]`);
    scaleInto(floats, i * bytes, img);
  });
  return tf.tensor4d(floats, [images.length, shape[0]!, shape[1]!, shape[2]!]);
}

export interface Split {
  train: Int32Array;
  validation: Int32Array;
  test: Int32Array;
}

/**
 * A reproducible train/validation/test split, stratified by class so that every class appears in
 * each part in proportion (when it has enough images). Same labels + seed = same split.
 */
export function stratifiedSplit(
  labels: ArrayLike<number>,
  fractions: { validation: number; test: number },
  seed: number,
): Split {
  const { validation, test } = fractions;
  if (!(validation >= 0 && test >= 0 && validation + test < 1)) throw new Error('validation + test must be in [0, 1)');
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const list = byClass.get(labels[i]!) ?? [];
    list.push(i);
    byClass.set(labels[i]!, list);
  }
  const parts = { train: [] as number[], validation: [] as number[], test: [] as number[] };
  for (const cls of [...byClass.keys()].sort((a, b) => a - b)) {
    const members = byClass.get(cls)!;
    const order = permutation(members.length, mixSeed(seed, cls));
    const nTest = Math.round(members.length * test);
    const nVal = Math.round(members.length * validation);
    order.forEach((o, k) => {
      const part = k < nTest ? parts.test : k < nTest + nVal ? parts.validation : parts.train;
      part.push(members[o]!);
    });
  }
  const sorted = (a: number[]) => Int32Array.from(a).sort();
  return { train: sorted(parts.train), validation: sorted(parts.validation), test: sorted(parts.test) };
}

export function makeBatch(floats: Float32Array, labels: Int32Array, sampleShape: readonly number[]): Batch {
  return {
    xs: tf.tensor(floats, [labels.length, ...sampleShape], 'float32'),
    labels: tf.tensor1d(labels, 'int32'),
    size: labels.length,
  };
}

/** How a batch's images become floats (batch = its number in the epoch): plainly scaled, or warped when augmenting. */
export function pixelWriter(
  options: BatchOptions,
  batch: number,
  shape: readonly number[],
): (target: Float32Array, offset: number, pixels: Uint8Array) => void {
  const aug = options.augment;
  if (!aug) return scaleInto;
  const random = augmentationRandom(options.shuffleSeed ?? 0, options.epoch ?? 0, batch);
  return (target, offset, pixels) => augmentInto(target, offset, pixels, shape, aug, random);
}

function scaleInto(target: Float32Array, offset: number, pixels: Uint8Array): void {
  for (let i = 0; i < pixels.length; i++) target[offset + i] = pixels[i]! / 255;
}

function concatImages(images: readonly Uint8Array[], bytes: number): Uint8Array {
  const out = new Uint8Array(images.length * bytes);
  images.forEach((img, i) => {
    if (img.length !== bytes) throw new Error(`image ${i} has ${img.length} bytes, expected ${bytes}`);
    out.set(img, i * bytes);
  });
  return out;
}

function checkLabels(labels: ArrayLike<number>): Int32Array {
  const out = Int32Array.from(labels);
  for (let i = 0; i < labels.length; i++) {
    if (!Number.isInteger(labels[i]) || labels[i]! < 0)
      throw new Error(`label ${i} is ${labels[i]}, expected an integer ≥ 0`);
  }
  return out;
}

function checkBatchSize(n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new Error(`batchSize must be a positive integer, got ${n}`);
  return n;
}
