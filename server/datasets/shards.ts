import { createHash } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { BlobStore } from '../storage/blob-store';
import { shardKey, shardKeyCount } from '../storage/keys';
import { rowsOf } from './import-writer';

/*
 * Training shards: a model's labelled, stored images copied a few MiB at a time into blobs that
 * runners fetch whole and cache on disk, rather than one image (or one dataset-sized pack) per
 * request. An import writes them as it goes (ShardBuilder), from the images it reads with the
 * classes interleaved, so a shard mixes the classes of its import instead of holding one class
 * folder of the zip; inside a shard images are in id order. sealShards writes the rest, before a
 * training round hands out its index, from the images no shard holds yet ("loose"), in image-id
 * order: imported ids are hashes of (import, checksum), so these mix the classes too. Later
 * imports append shards; a shard that lost images (deleted, or moved out of the labelled set) is
 * rewritten together with the next loose images, and no other shard is.
 * URL images are never copied: runners fetch them through the server when they need them.
 */

export const DEFAULT_SHARD_BYTES = 4 << 20;

const imagesPerShard = (shardBytes: number, sampleBytes: number): number =>
  Math.max(1, Math.floor(shardBytes / sampleBytes));

export interface SealResult {
  /** Shards written. */
  written: number;
  /** Shards dropped because they held images that are gone. */
  dropped: number;
}

/** A labelled image with stored pixels: what a shard may hold. */
const SHARDABLE = `"modelId" = $1 AND "blobKey" IS NOT NULL AND "classId" IS NOT NULL AND split IS NOT NULL`;

/**
 * Brings a model's shards up to date: drops shards that hold images no longer in the dataset and
 * writes every loose image into new shards of at most `shardBytes`. Serialised per model. Pixels
 * the caller holds (`known`, by image id) are not read again from the blob store.
 */
export async function sealShards(
  db: DataSource,
  blobs: BlobStore,
  modelId: string,
  sampleBytes: number,
  shardBytes = DEFAULT_SHARD_BYTES,
  known: ReadonlyMap<string, Buffer> = new Map(),
): Promise<SealResult> {
  if (sampleBytes <= 0) return { written: 0, dropped: 0 };
  const perShard = imagesPerShard(shardBytes, sampleBytes);
  const stale: string[] = [];
  const assigned = new Set<string>();
  let written = 0;
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`percept:shards:${modelId}`]);
    // A shard whose images are not all shardable any more is stale: its survivors become loose.
    const shards = rowsOf<{ key: string; n: number }>(
      await tx.query(
        `SELECT "shardKey" AS key, count(*) FILTER (WHERE "classId" IS NOT NULL AND split IS NOT NULL)::int AS n
         FROM images WHERE "modelId" = $1 AND "shardKey" IS NOT NULL GROUP BY "shardKey"`,
        [modelId],
      ),
    );
    const held = new Set(shards.map((s) => s.key));
    for (const s of shards) if (s.n !== shardKeyCount(s.key)) stale.push(s.key);
    // Images deleted since leave their shard with fewer rows than its key says. (A shard whose
    // every image went has no row left: the deleting code drops it, see orphanShards.)
    if (stale.length) {
      await tx.query(
        `UPDATE images SET "shardKey" = NULL, "shardSlot" = NULL WHERE "modelId" = $1 AND "shardKey" = ANY($2::text[])`,
        [modelId, stale],
      );
    }
    const loose = rowsOf<{ id: string; blobKey: string }>(
      await tx.query(`SELECT id, "blobKey" FROM images WHERE ${SHARDABLE} AND "shardKey" IS NULL ORDER BY id`, [
        modelId,
      ]),
    );
    for (let start = 0; start < loose.length; start += perShard) {
      const part = loose.slice(start, start + perShard);
      const pixels = await readAll(blobs, part, sampleBytes, known);
      const ok = part.flatMap((r, i) => {
        const p = pixels[i];
        return p ? [{ id: r.id, pixels: p }] : [];
      });
      if (!ok.length) continue;
      // The same images as a shard that is held (its lost rows came back: a retried import) make
      // the same key and bytes: it stays.
      const key = await writeShard(tx, blobs, modelId, ok, held);
      assigned.add(key);
      if (!held.has(key)) written++;
    }
  });
  // After the commit: a runner that still reads a stale shard finishes with its cached copy or
  // fails its attempt and is retried with a new index.
  const dropped = stale.filter((k) => !assigned.has(k));
  if (dropped.length) await blobs.deleteMany(dropped);
  return { written, dropped: dropped.length };
}

/** An image's normalised pixels, ready for a shard. */
export interface ShardImage {
  id: string;
  pixels: Buffer;
}

/**
 * Writes one shard of `images` (in id order, which the caller keeps) and points their rows at it,
 * inside the caller's transaction, which holds the model's shard lock. A key in `held` is not
 * written again: the same ids make the same bytes. Returns the shard's key.
 */
async function writeShard(
  tx: EntityManager,
  blobs: BlobStore,
  modelId: string,
  images: readonly ShardImage[],
  held: ReadonlySet<string> = new Set(),
): Promise<string> {
  const ids = images.map((i) => i.id);
  const hash = createHash('sha256').update(ids.join(',')).digest('hex').slice(0, 20);
  const key = shardKey(modelId, hash, ids.length);
  if (!held.has(key)) {
    await blobs.put(key, Buffer.concat(images.map((i) => i.pixels)), 'application/octet-stream');
  }
  await tx.query(
    `UPDATE images i SET "shardKey" = $2, "shardSlot" = u.slot - 1
     FROM unnest($3::uuid[]) WITH ORDINALITY AS u(id, slot) WHERE i.id = u.id AND i."modelId" = $1`,
    [modelId, key, ids],
  );
  return key;
}

/**
 * Shards written during an import from the pixels the import already holds, so that sealShards
 * need not read every image back from the blob store afterwards (that re-read, one query per
 * image, took two thirds of sealShards' time: 2.3 of 3.4 s for 10,000 images of 28×28×3). A
 * shard is cut as soon as a shard's worth of images is written, so memory stays at two shards.
 * Its images come in the order the import wrote them, sorted by id inside the shard: the import
 * reads its zip with the classes interleaved (interleaveClasses), so that a shard still mixes them.
 * Images another seal took meanwhile are left out; what is left at the end goes through
 * sealShards with the pixels in hand (finish).
 */
export class ShardBuilder {
  private held: ShardImage[] = [];
  /** The shard being written (seal never rejects). */
  private sealing: Promise<void> = Promise.resolve();
  private broken = false;
  private readonly perShard: number;

  constructor(
    private readonly db: DataSource,
    private readonly blobs: BlobStore,
    private readonly modelId: string,
    private readonly sampleBytes: number,
    private readonly shardBytes = DEFAULT_SHARD_BYTES,
    /** A failed shard write: the builder stops, and its images stay loose for finish. */
    private readonly onError: (err: unknown) => void = () => {},
  ) {
    this.perShard = imagesPerShard(shardBytes, sampleBytes);
  }

  /** Takes images whose rows are written; seals a shard when it holds a shard's worth. */
  async add(images: readonly ShardImage[]): Promise<void> {
    if (this.broken || this.sampleBytes <= 0) return;
    for (const image of images) {
      if (image.pixels.length !== this.sampleBytes) continue;
      this.held.push(image);
      if (this.held.length >= this.perShard) {
        // One shard is written while the next fills, so the import waits for a write (0.1–0.5 s
        // for 4 MiB, with the load) only when the next is full first: two shards in memory at most.
        await this.sealing;
        this.sealing = this.seal(this.held);
        this.held = [];
      }
    }
  }

  /**
   * Seals the rest: what it holds (less than a shard) with any other loose image of the model,
   * such as an earlier attempt's, through sealShards, which rewrites stale shards with them.
   */
  async finish(): Promise<SealResult> {
    await this.sealing;
    const known = new Map(this.held.map((i) => [i.id, i.pixels]));
    this.held = [];
    return sealShards(this.db, this.blobs, this.modelId, this.sampleBytes, this.shardBytes, known);
  }

  /** A failed import: waits for the shard being written (not to outlive the task) and drops the rest. */
  async stop(): Promise<void> {
    this.broken = true;
    this.held = [];
    await this.sealing;
  }

  private async seal(images: ShardImage[]): Promise<void> {
    images.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    try {
      await this.db.transaction(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`percept:shards:${this.modelId}`]);
        // A training round's sealShards may have taken some meanwhile, or an image was deleted.
        const loose = new Set(
          rowsOf<{ id: string }>(
            await tx.query(`SELECT id FROM images WHERE ${SHARDABLE} AND "shardKey" IS NULL AND id = ANY($2::uuid[])`, [
              this.modelId,
              images.map((i) => i.id),
            ]),
          ).map((r) => r.id),
        );
        const still = images.filter((i) => loose.has(i.id));
        if (still.length) await writeShard(tx, this.blobs, this.modelId, still);
      });
    } catch (err) {
      this.broken = true;
      this.onError(err);
    }
  }
}

/** Shard blobs of a model that no image points at (all of their images were deleted). */
export async function orphanShards(db: DataSource, blobs: BlobStore, modelId: string, keys: string[]): Promise<void> {
  if (!keys.length) return;
  const used = rowsOf<{ key: string }>(
    await db.query(`SELECT DISTINCT "shardKey" AS key FROM images WHERE "modelId" = $1 AND "shardKey" = ANY($2)`, [
      modelId,
      keys,
    ]),
  );
  const still = new Set(used.map((r) => r.key));
  await blobs.deleteMany(keys.filter((k) => !still.has(k)));
}

async function readAll(
  blobs: BlobStore,
  rows: { id: string; blobKey: string }[],
  sampleBytes: number,
  known: ReadonlyMap<string, Buffer>,
): Promise<(Buffer | null)[]> {
  const out: (Buffer | null)[] = new Array(rows.length).fill(null);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < rows.length; i = next++) {
      const data = known.get(rows[i]!.id) ?? (await blobs.get(rows[i]!.blobKey));
      // A missing or odd-sized blob stays loose; the runner's per-image read reports it.
      out[i] = data && data.length === sampleBytes ? data : null;
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return out;
}

/**
 * After images were deleted: shards left without any image are deleted, and shards that lost some
 * are rewritten without them, so deleted pixels do not outlive their image in a shard.
 */
export async function afterImagesDeleted(
  db: DataSource,
  blobs: BlobStore,
  model: { id: string; inputWidth: number; inputHeight: number; inputChannels: number },
  shardKeys: (string | null)[],
  shardBytes = DEFAULT_SHARD_BYTES,
): Promise<void> {
  const keys = [...new Set(shardKeys.filter((k): k is string => k !== null))];
  if (!keys.length) return;
  await orphanShards(db, blobs, model.id, keys);
  await sealShards(db, blobs, model.id, model.inputWidth * model.inputHeight * model.inputChannels, shardBytes);
}
