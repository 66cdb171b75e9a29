import type { EntityManager } from 'typeorm';
import { classThresholds, type HeldOutPredictions } from '../ml/thresholds';
import type { BlobStore } from '../storage/blob-store';
import { heldOutKey } from '../storage/keys';
import { ModelClass } from './model-class.entity';

// Class thresholds as rows: read at promotion (training/) and on a target change (classification/),
// so they live below both.

/**
 * The held-out answers a finalize round stored beside the candidate's export; null for networks
 * exported before they were stored (their classes then have no threshold, and answers no verdict).
 */
export async function readHeldOut(
  blobs: Pick<BlobStore, 'get'>,
  modelId: string,
  candidateId: string,
): Promise<HeldOutPredictions | null> {
  const data = await blobs.get(heldOutKey(modelId, candidateId));
  return data ? (JSON.parse(data.toString('utf8')) as HeldOutPredictions) : null;
}

/**
 * Chooses every class's threshold from the served network's held-out answers at the model's target
 * precision, replacing what was there (a new network has new confidences, so manual thresholds of
 * the old one go too). Called in the promotion's transaction, and when the target changes.
 */
export async function recordThresholds(
  em: EntityManager,
  modelId: string,
  target: number,
  answers: HeldOutPredictions | null,
): Promise<void> {
  const rows = await em.find(ModelClass, { where: { modelId } });
  const outputs = Math.max(0, ...rows.map((r) => r.index + 1), ...(answers?.predicted ?? []).map((p) => p + 1));
  const chosen = answers ? classThresholds(answers, outputs, target) : [];
  for (const row of rows) {
    const t = chosen[row.index];
    await em.update(
      ModelClass,
      { id: row.id },
      {
        threshold: t?.threshold ?? null,
        thresholdSource: t?.source ?? null,
        heldOutPrecision: t?.precision ?? null,
        heldOutRecall: t?.recall ?? null,
      },
    );
  }
}
