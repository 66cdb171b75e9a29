import type { DataSource, EntityManager } from 'typeorm';
import type { ClassScore } from '../ml/infer';
import { isAccepted } from '../ml/thresholds';
import { ModelClass } from '../models/model-class.entity';

/** Whether an answer (its classes, most probable first) is accepted, and the threshold that said so. */
export function verdict(
  scores: readonly ClassScore[],
  thresholds: readonly (number | null)[],
): { accepted: boolean | null; threshold: number | null } {
  const top = scores[0];
  const threshold = top ? (thresholds[top.classIndex] ?? null) : null;
  return { accepted: top ? isAccepted(top.probability, threshold) : null, threshold };
}

/** The model's class thresholds by output index (null where a class has none). */
export async function classThresholdsByIndex(
  db: DataSource | EntityManager,
  modelId: string,
  outputs: number,
): Promise<(number | null)[]> {
  const rows = await db
    .getRepository(ModelClass)
    .find({ where: { modelId }, select: { index: true, threshold: true } });
  const out = new Array<number | null>(outputs).fill(null);
  for (const r of rows) if (r.index < outputs) out[r.index] = r.threshold;
  return out;
}
