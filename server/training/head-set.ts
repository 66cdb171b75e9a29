import type { DataSource, EntityManager } from 'typeorm';
import { headSetKey } from '../runners/network-key';
import type { Model } from '../models/model.entity';
import { baseKey } from '../storage/keys';
import type { Candidate } from './candidate.entity';
import { Head, HeadStatus } from './head.entity';

/**
 * The active heads of a model that sit on its current base. Heads of an older base (the model was
 * retrained since) do not count: they cannot run on the new base.
 */
export async function activeHeads(
  db: DataSource | EntityManager,
  model: Pick<Model, 'id' | 'activeCandidateId'>,
): Promise<Head[]> {
  if (!model.activeCandidateId) return [];
  return db.getRepository(Head).find({
    where: { modelId: model.id, status: HeadStatus.ACTIVE, baseKey: baseKey(model.id, model.activeCandidateId) },
    order: { ordinal: 'ASC' },
  });
}

/**
 * What classify runs for a model's promoted candidate: the candidate's network, or once it has
 * been split, its base with the active heads, each output mapped to its class (a deleted class's
 * output is dropped). `outputs` is one more than the largest class index it can answer.
 */
export async function servedNetwork(
  db: DataSource,
  model: Pick<Model, 'id'>,
  candidate: Candidate,
): Promise<{ key: string; outputs: number }> {
  const heads = await activeHeads(db, { id: model.id, activeCandidateId: candidate.id });
  const single = (candidate.architecture as { classes?: number }).classes ?? 0;
  if (heads.length === 0) return { key: candidate.artifactKey!, outputs: single };
  const rows: { index: number }[] = await db.query(`SELECT index FROM model_classes WHERE "modelId" = $1`, [model.id]);
  const existing = new Set(rows.map((r) => r.index));
  const key = headSetKey({
    base: heads[0]!.baseKey,
    heads: heads.map((h) => ({
      key: h.artifactKey!,
      classIds: h.classIndexes.map((i) => (existing.has(i) ? i : null)),
    })),
  });
  return { key, outputs: Math.max(0, ...heads.flatMap((h) => h.classIndexes)) + 1 };
}
