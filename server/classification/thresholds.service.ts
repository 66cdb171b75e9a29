import type { DataSource } from 'typeorm';
import type { UserPrincipal } from '../auth/principal';
import { BadUserInputError, NotFoundError } from '../errors';
import { isUuid } from '../db/ids';
import { modelChanged, type PerceptPubSub } from '../events/pubsub';
import { ModelClass } from '../models/model-class.entity';
import { Model } from '../models/model.entity';
import type { BlobStore } from '../storage/blob-store';
import { readHeldOut, recordThresholds } from '../models/class-thresholds';
import type { ClassThreshold } from './thresholds.types';

/** The model access rule (owner or admin; others NOT_FOUND), kept in ModelService. */
interface ModelAccess {
  get(who: UserPrincipal, id: string): Promise<Model>;
}

/** Reading and editing the thresholds that decide whether an answer is accepted or unsure. */
export class ThresholdsService {
  constructor(
    private readonly db: DataSource,
    private readonly blobs: Pick<BlobStore, 'get'>,
    private readonly models: ModelAccess,
    private readonly pubsub: PerceptPubSub,
  ) {}

  /** Every class of the model with its threshold, in output order. */
  async list(who: UserPrincipal, modelId: string): Promise<ClassThreshold[]> {
    const model = await this.models.get(who, modelId);
    const rows = await this.db
      .getRepository(ModelClass)
      .find({ where: { modelId: model.id }, order: { index: 'ASC' } });
    return rows.map(present);
  }

  /** Sets the model's target precision and chooses every threshold again for it. */
  async setTargetPrecision(who: UserPrincipal, modelId: string, target: number): Promise<ClassThreshold[]> {
    const model = await this.models.get(who, modelId);
    if (!(target >= 0.5 && target <= 0.999))
      throw new BadUserInputError('targetPrecision must be between 0.5 and 0.999.', { field: 'targetPrecision' });
    const answers = model.activeCandidateId ? await readHeldOut(this.blobs, model.id, model.activeCandidateId) : null;
    await this.db.transaction(async (tx) => {
      await tx.update(Model, { id: model.id }, { targetPrecision: target });
      if (model.activeCandidateId) await recordThresholds(tx, model.id, target, answers);
    });
    modelChanged(this.pubsub, model.id);
    return this.list(who, model.id);
  }

  /** Sets one class's threshold by hand (until the next promotion or target change). */
  async setClassThreshold(who: UserPrincipal, classId: string, threshold: number): Promise<ClassThreshold> {
    const row = isUuid(classId) ? await this.db.getRepository(ModelClass).findOneBy({ id: classId }) : null;
    if (!row) throw new NotFoundError('No such class.');
    await this.models.get(who, row.modelId).catch(() => {
      throw new NotFoundError('No such class.');
    });
    if (!(threshold >= 0 && threshold <= 1))
      throw new BadUserInputError('threshold must be between 0 and 1.', { field: 'threshold' });
    row.threshold = threshold;
    row.thresholdSource = 'MANUAL';
    await this.db.getRepository(ModelClass).update({ id: row.id }, { threshold, thresholdSource: 'MANUAL' });
    modelChanged(this.pubsub, row.modelId);
    return present(row);
  }
}

function present(r: ModelClass): ClassThreshold {
  return {
    classId: r.id,
    className: r.name,
    classIndex: r.index,
    threshold: r.threshold,
    source: r.thresholdSource,
    heldOutPrecision: r.heldOutPrecision,
    heldOutRecall: r.heldOutRecall,
  };
}
