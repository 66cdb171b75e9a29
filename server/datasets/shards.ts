import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { BlobStore } from '../storage/blob-store';
import { shardKey, shardKeyCount } from '../storage/keys';
import { rowsOf } from './import-writer';

/*
 * Training shards: a model's labelled, stored images copied a few MiB at a time into blobs that
 * runners fetch whole and cache on disk, rather than one image (or one dataset-sized pack) per
 * request. Shards are written after an import and before a training round hands out its index,
 * from the images no shard holds yet ("loose"), in image-id order: imported ids are hashes of
 * (import, checksum), so a shard mixes the classes of its import instead of holding one class
 * folder of the zip. Later imports append shards; a shard that lost images (deleted, or moved out
 * of the labelled set) is rewritten together with the next loose images, and no other shard is.
 * URL images are never copied: runners fetch them through the server when they need them.
 */

export const DEFAULT_SHARD_BYTES = 4 << 20;

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
 * writes every loose image into new shards of at most `shardBytes`. Serialised per model.
 */
export async function sealShards(
  db: DataSource,
  blobs: BlobStore,
  modelId: string,
  sampleBytes: number,
  shardBytes = DEFAULT_SHARD_BYTES,
): Promise<SealResult> {
  if (sampleBytes <= 0) return { written: 0, dropped: 0 };
  const perShard = Math.max(1, Math.floor(shardBytes / sampleBytes));
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
      const pixels = await readAll(blobs, part, sampleBytes);
      const ok = part.filter((_, i) => pixels[i] !== null);
      if (!ok.length) continue;
      const hash = createHash('sha256')
        .update(ok.map((r) => r.id).join(','))
        .digest('hex')
        .slice(0, 20);
      const key = shardKey(modelId, hash, ok.length);
      assigned.add(key);
      // The same images as a shard that is held (its lost rows came back: a retried import) make
      // the same key and bytes: it stays.
      if (!held.has(key)) {
        await blobs.put(key, Buffer.concat(pixels.filter((p): p is Buffer => p !== null)), 'application/octet-stream');
        written++;
      }
      await tx.query(
        `UPDATE images i SET "shardKey" = $2, "shardSlot" = u.slot - 1
         FROM unnest($3::uuid[]) WITH ORDINALITY AS u(id, slot) WHERE i.id = u.id AND i."modelId" = $1`,
        [modelId, key, ok.map((r) => r.id)],
      );
    }
  });
  // After the commit: a runner that still reads a stale shard finishes with its cached copy or
  // fails its attempt and is retried with a new index.
  const dropped = stale.filter((k) => !assigned.has(k));
  if (dropped.length) await blobs.deleteMany(dropped);
  return { written, dropped: dropped.length };
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
): Promise<(Buffer | null)[]> {
  const out: (Buffer | null)[] = new Array(rows.length).fill(null);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < rows.length; i = next++) {
      const data = await blobs.get(rows[i]!.blobKey);
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
