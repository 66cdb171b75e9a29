// Images read from shards (a few MiB of images each, see server/datasets/shards.ts) rather than
// held whole: a dataset that fits the shuffle buffer is loaded once and shuffled exactly like an
// in-memory one; a larger one streams shard after shard, in an order shuffled each epoch, through
// a shuffle buffer of a fixed size in bytes. Either way the order depends only on (seed, epoch),
// so a run resumed from a checkpoint replays the epoch it was in.
import { InMemoryImageDataset, makeBatch, pixelWriter, type Batch, type BatchOptions, type Dataset } from './dataset';
import { mixSeed, permutation, seededRandom } from './random';

/** Where the pixels are: shards (read whole) and loose images (read by id). */
export interface ShardReader {
  /** Every image of shard `shard`, slot after slot (h × w × c bytes each). */
  shard(shard: number): Promise<Uint8Array>;
  /** Images no shard holds, in the order asked. */
  loose(ids: readonly string[]): Promise<Uint8Array>;
}

/** One row per image: its id, label and place (shard -1: loose). */
export interface ShardedEntries {
  ids: readonly string[];
  labels: Int32Array;
  shard: Int32Array;
  slot: Int32Array;
}

export interface ShardedOptions {
  /** Bytes of pixels a dataset may hold in memory: all of it when it fits, else the shuffle buffer. */
  bufferBytes: number;
  /** Loose images read per request. */
  looseGroup?: number;
}

export const DEFAULT_SHUFFLE_BUFFER_BYTES = 64 << 20;

interface Group {
  shard: number;
  members: Int32Array;
}

export class ShardedImageDataset implements Dataset {
  readonly size: number;
  readonly sampleShape: readonly number[];
  /** Whether batches stream through the shuffle buffer (the data does not fit in it). */
  readonly streamed: boolean;
  private readonly sampleBytes: number;
  private readonly entries: ShardedEntries;
  private resident: Promise<InMemoryImageDataset> | null = null;
  private groupList: Group[] | null = null;

  /** A streamed dataset keeps its images in shard order (see `ids`); one that fits keeps `entries`' order. */
  constructor(
    shape: readonly [number, number, number],
    entries: ShardedEntries,
    private readonly reader: ShardReader,
    private readonly options: ShardedOptions = { bufferBytes: DEFAULT_SHUFFLE_BUFFER_BYTES },
  ) {
    this.sampleShape = [...shape];
    this.sampleBytes = shape[0] * shape[1] * shape[2];
    this.size = entries.labels.length;
    this.streamed = this.size * this.sampleBytes > options.bufferBytes;
    // Streamed: images of one shard together, so that an unshuffled pass reads each shard once.
    this.entries = this.streamed ? pick(entries, shardOrder(entries)) : entries;
  }

  /** Image ids in the dataset's order (the order of labels() and of unshuffled batches). */
  get ids(): readonly string[] {
    return this.entries.ids;
  }

  async labels(): Promise<Int32Array> {
    return this.entries.labels.slice();
  }

  /** The images at `indices` (of this dataset's order), read through the same reader. */
  subset(indices: ArrayLike<number>): ShardedImageDataset {
    return new ShardedImageDataset(
      this.sampleShape as [number, number, number],
      pick(this.entries, indices),
      this.reader,
      this.options,
    );
  }

  async *batches(options: BatchOptions): AsyncGenerator<Batch> {
    if (!this.streamed) {
      this.resident ??= this.load().catch((e: unknown) => {
        this.resident = null;
        throw e;
      });
      yield* (await this.resident).batches(options);
      return;
    }
    yield* this.stream(options);
  }

  /** All pixels in memory (the data fits the buffer): one shard at a time is read. */
  private async load(): Promise<InMemoryImageDataset> {
    const b = this.sampleBytes;
    const pixels = new Uint8Array(this.size * b);
    for (const group of this.groups()) {
      const data = await this.read(group);
      group.members.forEach((e, k) => pixels.set(this.sampleOf(data, group, e, k), e * b));
    }
    return new InMemoryImageDataset(this.sampleShape as [number, number, number], pixels, this.entries.labels);
  }

  private async *stream(options: BatchOptions): AsyncGenerator<Batch> {
    const b = this.sampleBytes;
    const step = options.batchSize;
    if (!Number.isInteger(step) || step < 1) throw new Error(`batchSize must be a positive integer, got ${step}`);
    const groups = this.groups();
    const shuffled = options.shuffleSeed !== undefined;
    const seed = options.shuffleSeed ?? 0;
    const epoch = options.epoch ?? 0;
    const order = shuffled ? permutation(groups.length, mixSeed(seed, epoch, 0x5a4d)) : groups.map((_, i) => i);
    const rand = seededRandom(mixSeed(seed, epoch, 0xb0ff));
    const capacity = Math.max(1, Math.floor(this.options.bufferBytes / b));
    const buffer = shuffled ? new Uint8Array(capacity * b) : null;
    const bufferLabels = new Int32Array(shuffled ? capacity : 0);
    let held = 0;

    let floats = new Float32Array(step * b);
    let labels = new Int32Array(step);
    let filled = 0;
    let batch = 0;
    let write = pixelWriter(options, batch, this.sampleShape);
    const emit = (pixels: Uint8Array, label: number): boolean => {
      write(floats, filled * b, pixels);
      labels[filled++] = label;
      return filled === step;
    };
    const take = (): Batch => {
      const out =
        filled === step
          ? makeBatch(floats, labels, this.sampleShape)
          : makeBatch(floats.slice(0, filled * b), labels.slice(0, filled), this.sampleShape);
      floats = new Float32Array(step * b);
      labels = new Int32Array(step);
      filled = 0;
      write = pixelWriter(options, ++batch, this.sampleShape);
      return out;
    };

    const read = (i: number) => {
      if (i >= order.length) return null;
      const group = groups[order[i]!]!;
      const promise = this.read(group).then((data) => ({ group, data }));
      // A prefetch that the consumer never awaits (it stopped early) must not crash the process.
      promise.catch(() => {});
      return promise;
    };
    let pending = read(0);
    for (let i = 0; pending; i++) {
      const { group, data } = await pending;
      pending = read(i + 1);
      for (let k = 0; k < group.members.length; k++) {
        const e = group.members[k]!;
        const pixels = this.sampleOf(data, group, e, k);
        const label = this.entries.labels[e]!;
        if (!buffer) {
          if (emit(pixels, label)) yield take();
        } else if (held < capacity) {
          buffer.set(pixels, held * b);
          bufferLabels[held++] = label;
        } else {
          // The classic shuffle buffer: a random held image goes out, the new one takes its place.
          const j = Math.floor(rand() * capacity);
          const full = emit(buffer.subarray(j * b, (j + 1) * b), bufferLabels[j]!);
          buffer.set(pixels, j * b);
          bufferLabels[j] = label;
          if (full) yield take();
        }
      }
    }
    if (buffer) {
      const rest = permutation(held, mixSeed(seed, epoch, 0x7e57));
      for (const j of rest) if (emit(buffer.subarray(j * b, (j + 1) * b), bufferLabels[j]!)) yield take();
    }
    if (filled > 0) yield take();
  }

  /** Images grouped by where they are read from: a shard each, loose ones a few at a time. */
  private groups(): Group[] {
    if (this.groupList) return this.groupList;
    const byShard = new Map<number, number[]>();
    const loose: number[] = [];
    for (let e = 0; e < this.size; e++) {
      const s = this.entries.shard[e]!;
      if (s < 0) loose.push(e);
      else {
        let list = byShard.get(s);
        if (!list) byShard.set(s, (list = []));
        list.push(e);
      }
    }
    const groups: Group[] = [...byShard].map(([shard, members]) => ({ shard, members: Int32Array.from(members) }));
    const n = this.options.looseGroup ?? 64;
    for (let i = 0; i < loose.length; i += n)
      groups.push({ shard: -1, members: Int32Array.from(loose.slice(i, i + n)) });
    return (this.groupList = groups);
  }

  private read(group: Group): Promise<Uint8Array> {
    if (group.shard >= 0) return this.reader.shard(group.shard);
    return this.reader.loose(Array.from(group.members, (e) => this.entries.ids[e]!));
  }

  /** The pixels of entry `e`, the `k`th member of `group`, within the group's data. */
  private sampleOf(data: Uint8Array, group: Group, e: number, k: number): Uint8Array {
    const b = this.sampleBytes;
    const at = group.shard >= 0 ? this.entries.slot[e]! : k;
    if ((at + 1) * b > data.length) {
      throw new Error(
        group.shard >= 0
          ? `shard ${group.shard} holds ${data.length / b} images; image ${this.entries.ids[e]} is at slot ${at}`
          : `the server sent ${data.length} bytes for ${group.members.length} images`,
      );
    }
    return data.subarray(at * b, (at + 1) * b);
  }
}

/** Indices of `entries` sorted by shard and slot, loose images last. */
function shardOrder(entries: ShardedEntries): Int32Array {
  const n = entries.labels.length;
  const big = 0x7fffffff;
  const key = (i: number) => (entries.shard[i]! < 0 ? big : entries.shard[i]!);
  return Int32Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => key(a) - key(b) || entries.slot[a]! - entries.slot[b]! || a - b,
  );
}

function pick(entries: ShardedEntries, indices: ArrayLike<number>): ShardedEntries {
  const idx = Array.from(indices);
  return {
    ids: idx.map((i) => entries.ids[i]!),
    labels: Int32Array.from(idx, (i) => entries.labels[i]!),
    shard: Int32Array.from(idx, (i) => entries.shard[i]!),
    slot: Int32Array.from(idx, (i) => entries.slot[i]!),
  };
}
