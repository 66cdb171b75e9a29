import type { DataSource, EntityManager } from 'typeorm';

export interface NewClass {
  id: string;
  name: string;
  index: number;
  /** Training images with pixels (what a runner's dataset pack holds). */
  train: number;
}

/**
 * Classes no head serves yet: added by an import after the model was split, or left over from a
 * rejected expansion. A removed head's classes keep pointing at it, so they are not learned again
 * unasked.
 */
export async function unservedClasses(db: DataSource | EntityManager, modelId: string): Promise<NewClass[]> {
  return db.query(
    `SELECT c.id, c.name, c.index, count(i.id) FILTER (WHERE i.split = 'TRAIN')::int AS train
     FROM model_classes c LEFT JOIN images i ON i."classId" = c.id AND i."blobKey" IS NOT NULL
     WHERE c."modelId" = $1 AND c."headId" IS NULL
     GROUP BY c.id ORDER BY c.index`,
    [modelId],
  );
}

/** Class names by index, of the classes that exist (a deleted class has no entry). */
export async function classNamesByIndex(db: DataSource | EntityManager, modelId: string): Promise<Map<number, string>> {
  const rows: { index: number; name: string }[] = await db.query(
    `SELECT index, name FROM model_classes WHERE "modelId" = $1`,
    [modelId],
  );
  return new Map(rows.map((r) => [r.index, r.name]));
}
