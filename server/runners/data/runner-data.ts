import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatasetSnapshot } from '../../datasets/image.queries';
import type { ArtifactStore } from '../../ml/io';
import { DEFAULT_SHUFFLE_BUFFER_BYTES, ShardedImageDataset, type ShardReader } from '../../ml/sharded-dataset';
import { decodeIndex, type DatasetIndex } from './dataset-index';
import { ShardCache } from './shard-cache';

/** Loose images asked for per request (the server serves at most MAX_LOOSE_IMAGES). */
const LOOSE_GROUP = 64;

/**
 * What a worker needs from its server besides the assignment: dataset indexes, loose images and
 * blobs (shards, checkpoints, models). Local runners get them over IPC, remote runners over HTTP;
 * handlers see only this.
 */
export interface RunnerData {
  /** The index of the model's labelled images; only those of `snapshot`, when the task carries one. */
  datasetIndex(modelId: string, snapshot?: DatasetSnapshot | null): Promise<Uint8Array>;
  /** Pixels of images of that dataset that no shard holds (URL images), in the order asked. */
  loosePixels(modelId: string, ids: string[], snapshot?: DatasetSnapshot | null): Promise<Uint8Array>;
  store: ArtifactStore;
}

/** How a runner holds training data: its disk cache of shards and its in-memory budget. */
export interface RunnerDataSettings {
  cacheDir: string;
  cacheBytes: number;
  /** Pixels a dataset may hold in memory (whole when it fits, else as its shuffle buffer). */
  bufferBytes: number;
}

/**
 * From PERCEPT_SHARD_CACHE_DIR, PERCEPT_SHARD_CACHE_MB and PERCEPT_SHUFFLE_BUFFER_KB (the
 * server's config for its local runners, the environment for a remote one).
 */
export function runnerDataSettings(env: NodeJS.ProcessEnv = process.env): RunnerDataSettings {
  const count = (name: string, fallback: number) => {
    const v = env[name];
    const n = v === undefined || v === '' ? fallback : Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number ≥ 0, got ${v}`);
    return n;
  };
  return {
    cacheDir: env.PERCEPT_SHARD_CACHE_DIR || join(tmpdir(), 'percept-shard-cache'),
    cacheBytes: count('PERCEPT_SHARD_CACHE_MB', 4096) * 2 ** 20,
    bufferBytes: Math.max(1, count('PERCEPT_SHUFFLE_BUFFER_KB', DEFAULT_SHUFFLE_BUFFER_BYTES / 1024) * 1024),
  };
}

/** A dataset as a task sees it: the index, and datasets of its images read through the shards. */
export class RunnerDataset {
  constructor(
    readonly index: DatasetIndex,
    private readonly reader: ShardReader,
    private readonly bufferBytes: number,
  ) {}

  /**
   * The images of these split codes (0 train, 1 validation, 2 test), one split after another, each
   * in index (id) order; every image, in id order, when none is given.
   */
  images(...splits: number[]): ShardedImageDataset {
    const x = this.index;
    const rows: number[] = [];
    if (!splits.length) x.ids.forEach((_, i) => rows.push(i));
    for (const code of splits) x.splits.forEach((s, i) => s === code && rows.push(i));
    return new ShardedImageDataset(
      x.shape,
      {
        ids: rows.map((i) => x.ids[i]!),
        labels: Int32Array.from(rows, (i) => x.labels[i]!),
        shard: Int32Array.from(rows, (i) => x.shard[i]!),
        slot: Int32Array.from(rows, (i) => x.slot[i]!),
      },
      this.reader,
      { bufferBytes: this.bufferBytes, looseGroup: LOOSE_GROUP },
    );
  }
}

/** Opens datasets for tasks: a fresh index per task, shards through the disk cache. */
export class RunnerDatasets {
  private readonly cache: ShardCache;

  constructor(
    private readonly data: RunnerData,
    private readonly settings: RunnerDataSettings = runnerDataSettings(),
  ) {
    this.cache = new ShardCache(settings.cacheDir, settings.cacheBytes);
  }

  async open(modelId: string, snapshot?: DatasetSnapshot | null): Promise<RunnerDataset> {
    const index = decodeIndex(await this.data.datasetIndex(modelId, snapshot ?? null));
    const reader: ShardReader = {
      shard: (s) => {
        const key = index.shards[s];
        if (key === undefined) throw new Error(`the index has no shard ${s}`);
        return this.cache.get(key, () => this.data.store.get(key));
      },
      loose: (ids) => this.data.loosePixels(modelId, [...ids], snapshot ?? null),
    };
    return new RunnerDataset(index, reader, this.settings.bufferBytes);
  }
}
