import type { DataSource } from 'typeorm';
import { BadUserInputError, NotFoundError } from '../../errors';
import { Model } from '../../models/model.entity';
import type { BlobStore } from '../../storage/blob-store';
import { isModelKey } from '../../storage/keys';
import { encodeIndex, SPLIT_CODE } from './dataset-index';
import {
  datasetVersion,
  labelledImages,
  labelledImagesById,
  outputCount,
  type DatasetSnapshot,
} from '../../datasets/image.queries';
import type { ImagePixels } from '../../datasets/image-pixels';
import { DEFAULT_SHARD_BYTES, sealShards } from '../../datasets/shards';

/** Loose images a runner may ask for in one request. */
export const MAX_LOOSE_IMAGES = 256;

/** The server side of RunnerData: what runners may read and write. */
export class RunnerDataService {
  constructor(
    private readonly db: DataSource,
    private readonly blobs: BlobStore,
    /** Uploaded images from the blob store; URL images fetched now and not kept. */
    private readonly pixels: ImagePixels,
    private readonly shardBytes = DEFAULT_SHARD_BYTES,
  ) {}

  /** Identifies the labelled data of a model (or a snapshot); changes when an image is added, moved or removed. */
  async datasetVersion(modelId: string, snapshot?: DatasetSnapshot | null): Promise<string> {
    return datasetVersion(this.db, modelId, snapshot);
  }

  /**
   * The index of a model's labelled images (only the snapshot's, when a run took one): labels,
   * splits and where each image's pixels are. Shards are brought up to date first, so images
   * labelled since the last import (kept classified images) are in one too.
   */
  async datasetIndex(modelId: string, snapshot?: DatasetSnapshot | null): Promise<Buffer> {
    const model = await this.db.getRepository(Model).findOneBy({ id: modelId });
    if (!model) throw new NotFoundError('No such model.');
    const shape: [number, number, number] = [model.inputHeight, model.inputWidth, model.inputChannels];
    await sealShards(this.db, this.blobs, modelId, shape[0] * shape[1] * shape[2], this.shardBytes);
    const rows = await labelledImages(this.db, modelId, snapshot);
    const shards = new Map<string, number>();
    const shard = new Int32Array(rows.length).fill(-1);
    const slot = new Int32Array(rows.length);
    rows.forEach((r, i) => {
      if (r.shardKey === null) return;
      let s = shards.get(r.shardKey);
      if (s === undefined) shards.set(r.shardKey, (s = shards.size));
      shard[i] = s;
      slot[i] = r.shardSlot!;
    });
    return encodeIndex({
      version: await this.datasetVersion(modelId, snapshot),
      shape,
      classes: snapshot?.classes ?? (await outputCount(this.db, modelId)),
      shards: [...shards.keys()],
      labels: Int32Array.from(rows, (r) => r.index),
      splits: Uint8Array.from(rows, (r) => SPLIT_CODE[r.split]),
      ids: rows.map((r) => r.id),
      shard,
      slot,
    });
  }

  /**
   * The pixels of labelled images no shard holds (URL images, fetched now and not kept), one
   * after another in the order asked. Only images of the model's dataset (snapshot) are served.
   */
  async loosePixels(modelId: string, ids: string[], snapshot?: DatasetSnapshot | null): Promise<Buffer> {
    if (!Array.isArray(ids) || ids.length > MAX_LOOSE_IMAGES || ids.some((id) => typeof id !== 'string'))
      throw new BadUserInputError(`ask for at most ${MAX_LOOSE_IMAGES} image ids`);
    const model = await this.db.getRepository(Model).findOneBy({ id: modelId });
    if (!model) throw new NotFoundError('No such model.');
    const rows = new Map((await labelledImagesById(this.db, modelId, ids, snapshot)).map((r) => [r.id, r]));
    const missing = ids.find((id) => !rows.has(id));
    if (missing) throw new NotFoundError(`image ${missing} is not in this dataset`);
    const shape = { width: model.inputWidth, height: model.inputHeight, channels: model.inputChannels as 1 | 3 };
    const out: Buffer[] = new Array(ids.length);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < ids.length; i = next++) out[i] = await this.pixels.read(rows.get(ids[i]!)!, shape);
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    return Buffer.concat(out);
  }

  async getBlob(key: string): Promise<Buffer | null> {
    return this.blobs.get(checkKey(key));
  }

  async putBlob(key: string, data: Buffer): Promise<void> {
    await this.blobs.put(checkKey(key), data);
  }
}

/** Runners work on models' blobs only (checkpoints, artifacts, images). */
function checkKey(key: string): string {
  if (!isModelKey(key)) throw new BadUserInputError(`runners cannot access ${key}`);
  return key;
}
