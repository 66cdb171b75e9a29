import { GraphQLError } from 'graphql';
import { randomInt, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { accessible, listScope } from '../auth/access';
import { checkName } from '../auth/auth.service';
import { isUuid } from '../db/ids';
import type { UserPrincipal } from '../auth/principal';
import type { Limits } from '../config/config';
import { probeImage } from '../uploads/image-probe';
import { BadUserInputError } from '../errors';
import { KeyedFeed } from '../events/keyed-feed';
import { modelChanged, type PerceptPubSub } from '../events/pubsub';
import { checkPage, toPage, type Page, type PageRequest } from '../db/page';
import { readUpload, type FileUpload } from '../uploads/upload';
import type { BlobStore } from '../storage/blob-store';
import { modelPrefix, sampleKey } from '../storage/keys';
import { Model } from './model.entity';

/** Networks are sized from the sample; larger inputs are scaled down to this longest side. */
export const MAX_INPUT_SIDE = 256;
const SAMPLE_MAX_BYTES = 32 << 20;

export interface CreateModel {
  name: string;
  sampleImage: Promise<FileUpload>;
  expandable: boolean;
  targetAccuracy?: number | null;
}

export class ModelService {
  /** Changed models for modelUpdated, loaded once per event whatever the number of subscribers. */
  private readonly feed: KeyedFeed<Model>;

  constructor(
    private readonly db: DataSource,
    private readonly blobs: BlobStore,
    private readonly limits: Limits,
    private readonly pubsub: PerceptPubSub,
  ) {
    this.feed = new KeyedFeed<Model>(
      (id) => db.getRepository(Model).findOneBy({ id }),
      (m) => [m.id],
    );
    void this.feed.run(pubsub.subscribe('MODEL_CHANGED'), () => {});
  }

  async create(owner: UserPrincipal, input: CreateModel): Promise<Model> {
    const name = checkName(input.name, 'name');
    const targetAccuracy = checkTarget(input.targetAccuracy);
    const { data } = await readUpload(
      input.sampleImage,
      Math.min(SAMPLE_MAX_BYTES, this.limits.uploadBytes),
      'sample image',
    );
    const info = await probeImage(data, this.limits.imagePixels, 'sample image').catch((e: unknown) => {
      if (e instanceof GraphQLError) e.extensions.field = 'sampleImage';
      throw e;
    });
    const { width, height } = fitInput(info.width, info.height);
    const id = randomUUID();
    const sampleBlobKey = sampleKey(id);
    await this.blobs.put(sampleBlobKey, data, `image/${info.format}`);
    try {
      const repo = this.db.getRepository(Model);
      return await repo.save(
        repo.create({
          id,
          ownerId: owner.userId,
          name,
          inputWidth: width,
          inputHeight: height,
          inputChannels: info.channels,
          expandable: input.expandable,
          targetAccuracy,
          splitSeed: randomInt(2 ** 31 - 1),
          sampleBlobKey,
        }),
      );
    } catch (e) {
      await this.blobs.deletePrefix(modelPrefix(id));
      throw e;
    }
  }

  async list(who: UserPrincipal, page: PageRequest, all = false): Promise<Page<Model>> {
    const p = checkPage(page);
    const owner = listScope(who, { all });
    const where = owner === null ? {} : { ownerId: owner };
    const [items, total] = await this.db
      .getRepository(Model)
      .findAndCount({ where, order: { createdAt: 'DESC', id: 'ASC' }, ...p });
    return toPage(items, total, p);
  }

  /** Another user's model is NOT_FOUND, not FORBIDDEN: its existence is not revealed. */
  async get(who: UserPrincipal, id: string): Promise<Model> {
    const model = isUuid(id) ? await this.db.getRepository(Model).findOneBy({ id }) : null;
    return accessible(who, model, 'No such model.');
  }

  async update(
    who: UserPrincipal,
    id: string,
    changes: { name?: string | null; targetAccuracy?: number | null },
  ): Promise<Model> {
    const model = await this.get(who, id);
    if (changes.name != null) model.name = checkName(changes.name, 'name');
    if (changes.targetAccuracy != null) model.targetAccuracy = checkTarget(changes.targetAccuracy);
    const saved = await this.db.getRepository(Model).save(model);
    modelChanged(this.pubsub, saved.id);
    return saved;
  }

  /** Checks access first, so a subscriber never learns of another user's model. */
  async subscribe(who: UserPrincipal, id: string): Promise<AsyncIterable<Model>> {
    const model = await this.get(who, id);
    return this.feed.subscribe(model.id);
  }

  /** Tells every cache and subscriber of the model that it changed (its classes, say). */
  changed(id: string): void {
    modelChanged(this.pubsub, id);
  }

  /** Deletes the model and, by cascade, its classes, images, candidates, heads and tasks; then its blobs. */
  async delete(who: UserPrincipal, id: string): Promise<boolean> {
    const model = await this.get(who, id);
    await this.db.getRepository(Model).delete({ id: model.id });
    await this.blobs.deletePrefix(modelPrefix(model.id));
    modelChanged(this.pubsub, model.id);
    return true;
  }
}

export function fitInput(width: number, height: number): { width: number; height: number } {
  const scale = Math.min(1, MAX_INPUT_SIDE / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

function checkTarget(t: number | null | undefined): number {
  if (t == null) return 0.9;
  if (!(t >= 0.5 && t <= 1))
    throw new BadUserInputError('targetAccuracy must be between 0.5 and 1.', { field: 'targetAccuracy' });
  return t;
}
