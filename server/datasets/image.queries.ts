import type { DataSource, EntityManager } from 'typeorm';
import type { ImageSplit } from './image.entity';

/*
 * Reads of a model's labelled images for the other domains (runner data, training): the
 * datasets domain owns the images and model_classes tables, and this module holds its SQL.
 */

type Db = DataSource | EntityManager;

/** An image a runner trains on: uploaded pixels (`blobKey`) or a URL fetched when needed. */
export interface LabelledImage {
  id: string;
  blobKey: string | null;
  url: string | null;
  /** The class's output index. */
  index: number;
  split: ImageSplit;
  /** The shard holding a copy of the pixels, and the slot in it; null when loose. */
  shardKey: string | null;
  shardSlot: number | null;
}

const LABELLED = `i."modelId" = $1 AND i.split IS NOT NULL AND (i."blobKey" IS NOT NULL OR i.url IS NOT NULL)`;

/**
 * The data a training run (or head training) took at its start: the classes below `classes` and
 * the images created up to `asOf` (a PostgreSQL timestamp). Data uploaded while it trains waits
 * for the next run, so every round of a run sees the same images and labels stay in range.
 */
export interface DatasetSnapshot {
  classes: number;
  asOf: string;
}

/** The labelled-image condition and its parameters, for the whole data or a snapshot of it. */
function labelled(modelId: string, snapshot?: DatasetSnapshot | null): { where: string; params: unknown[] } {
  if (!snapshot) return { where: LABELLED, params: [modelId] };
  return {
    where: `${LABELLED} AND c.index < $2 AND i."createdAt" <= $3`,
    params: [modelId, snapshot.classes, snapshot.asOf],
  };
}

/** Every image with a class and a split, by id (of the snapshot, when given). */
export async function labelledImages(
  db: Db,
  modelId: string,
  snapshot?: DatasetSnapshot | null,
): Promise<LabelledImage[]> {
  const { where, params } = labelled(modelId, snapshot);
  return db.query(
    `SELECT i.id, i."blobKey", i.url, c.index, i.split, i."shardKey", i."shardSlot"
     FROM images i JOIN model_classes c ON c.id = i."classId"
     WHERE ${where} ORDER BY i.id`,
    params,
  );
}

/** The labelled images (of the snapshot, when given) among `ids`. */
export async function labelledImagesById(
  db: Db,
  modelId: string,
  ids: string[],
  snapshot?: DatasetSnapshot | null,
): Promise<LabelledImage[]> {
  const { where, params } = labelled(modelId, snapshot);
  const valid = ids.filter((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id));
  return db.query(
    `SELECT i.id, i."blobKey", i.url, c.index, i.split, i."shardKey", i."shardSlot"
     FROM images i JOIN model_classes c ON c.id = i."classId"
     WHERE ${where} AND i.id = ANY($${params.length + 1}::uuid[])`,
    [...params, valid],
  );
}

/** Identifies the labelled data of a model (or a snapshot); changes when an image is added, moved or removed. */
export async function datasetVersion(db: Db, modelId: string, snapshot?: DatasetSnapshot | null): Promise<string> {
  const { where, params } = labelled(modelId, snapshot);
  const [row] = await db.query(
    `SELECT count(*)::int AS n, md5(string_agg(i.id::text || ':' || c.index || ':' || i.split, ',' ORDER BY i.id)) AS h
     FROM images i JOIN model_classes c ON c.id = i."classId"
     WHERE ${where}`,
    params,
  );
  const version = `${row.n}-${row.h ?? 'empty'}`;
  return snapshot ? `${version}-${snapshot.classes}` : version;
}

/** A snapshot of the model's data as it is now, with its first `classes` classes. */
export async function snapshotNow(db: Db, classes: number): Promise<DatasetSnapshot> {
  // statement_timestamp(), not now(): inside a transaction now() is its start, before rows it waited on.
  const [{ asOf }] = await db.query(`SELECT statement_timestamp()::text AS "asOf"`);
  return { classes, asOf };
}

/** How many outputs a network of the model needs: one past the highest class index. */
export async function outputCount(db: Db, modelId: string): Promise<number> {
  const [{ classes }] = await db.query(
    `SELECT COALESCE(max(index) + 1, 0)::int AS classes FROM model_classes WHERE "modelId" = $1`,
    [modelId],
  );
  return classes;
}

/** Labelled images per split (of the snapshot, when given). */
export async function splitCounts(
  db: Db,
  modelId: string,
  snapshot?: DatasetSnapshot | null,
): Promise<Record<ImageSplit, number>> {
  const { where, params } = labelled(modelId, snapshot);
  const rows: { split: ImageSplit; n: number }[] = await db.query(
    `SELECT i.split, count(*)::int AS n FROM images i JOIN model_classes c ON c.id = i."classId"
     WHERE ${where} GROUP BY i.split`,
    params,
  );
  const counts = { TRAIN: 0, VALIDATION: 0, TEST: 0 } as Record<ImageSplit, number>;
  for (const r of rows) counts[r.split] = r.n;
  return counts;
}

/** Training images that have a class. */
export async function trainImageCount(db: Db, modelId: string): Promise<number> {
  const [{ n }] = await db.query(
    `SELECT count(*)::int AS n FROM images WHERE "modelId" = $1 AND split = 'TRAIN' AND "classId" IS NOT NULL`,
    [modelId],
  );
  return n;
}

/** Per class of a model: training images and all images that have pixels or a URL. */
export async function classImageCounts(
  db: Db,
  modelId: string,
): Promise<{ name: string; index: number; train: number; total: number }[]> {
  return db.query(
    `SELECT c.name, c.index, count(i.id) FILTER (WHERE i.split = 'TRAIN')::int AS train, count(i.id)::int AS total
     FROM model_classes c LEFT JOIN images i ON i."classId" = c.id AND (i."blobKey" IS NOT NULL OR i.url IS NOT NULL)
     WHERE c."modelId" = $1 GROUP BY c.id ORDER BY c.index`,
    [modelId],
  );
}

export interface NewClass {
  id: string;
  name: string;
  index: number;
  /** Training images with pixels or a URL (what a runner trains on: URL images are fetched for it). */
  train: number;
}

/**
 * Classes no head serves yet: added by an import after the model was split, or left over from a
 * rejected expansion. A removed head's classes keep pointing at it, so they are not learned again
 * unasked.
 */
export async function unservedClasses(db: Db, modelId: string): Promise<NewClass[]> {
  return db.query(
    `SELECT c.id, c.name, c.index, count(i.id) FILTER (WHERE i.split = 'TRAIN')::int AS train
     FROM model_classes c LEFT JOIN images i ON i."classId" = c.id AND (i."blobKey" IS NOT NULL OR i.url IS NOT NULL)
     WHERE c."modelId" = $1 AND c."headId" IS NULL
     GROUP BY c.id ORDER BY c.index`,
    [modelId],
  );
}

/** Class names by index, of the classes that exist (a deleted class has no entry). */
export async function classNamesByIndex(db: Db, modelId: string): Promise<Map<number, string>> {
  const rows: { index: number; name: string }[] = await db.query(
    `SELECT index, name FROM model_classes WHERE "modelId" = $1`,
    [modelId],
  );
  return new Map(rows.map((r) => [r.index, r.name]));
}

/** Pixel keys of up to `limit` held-out images (test split first, then validation), in a stable order. */
export async function heldOutPixelKeys(db: Db, modelId: string, limit: number): Promise<string[]> {
  const rows: { blobKey: string }[] = await db.query(
    `SELECT "blobKey" FROM images WHERE "modelId" = $1 AND split IN ('TEST', 'VALIDATION') AND "blobKey" IS NOT NULL
     ORDER BY split = 'TEST' DESC, id LIMIT $2`,
    [modelId, limit],
  );
  return rows.map((r) => r.blobKey);
}
