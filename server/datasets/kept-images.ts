import { createHash, randomUUID } from 'node:crypto';
import { IsNull, type DataSource } from 'typeorm';
import type { Model } from '../models/model.entity';
import type { BlobStore } from '../storage/blob-store';
import { imagePixelsKey, imageThumbKey } from '../storage/keys';
import { Image, ImageSource } from './image.entity';
import { isGrey, thumbnailPng } from './normalise';

/** Why a classified image is kept: its sender asked (`keep`), or the model keeps unsure answers. */
export type KeptReason = 'KEEP' | 'UNCERTAIN';

/** The answer a kept image got, for the review queue. */
export interface KeptAnswer {
  /** Top classes, most probable first. */
  prediction: { classIndex: number; probability: number }[];
  reason: KeptReason;
}

/**
 * Keeps an image sent for classification: unlabelled, with its pixels, thumbnail and the answer it
 * got, once per content (the same bytes again return the same id). Returns the image's id.
 */
export async function keepClassifiedImage(
  db: DataSource,
  blobs: BlobStore,
  model: Model,
  original: Buffer,
  pixels: Buffer,
  answer: KeptAnswer,
): Promise<string> {
  const checksum = createHash('sha256').update(original).digest('hex');
  const existing = await db.getRepository(Image).findOneBy({ modelId: model.id, checksum });
  if (existing) return existing.id;
  const id = randomUUID();
  const blobKey = imagePixelsKey(model.id, id);
  await blobs.put(blobKey, pixels);
  try {
    const shape = { width: model.inputWidth, height: model.inputHeight, channels: model.inputChannels as 1 | 3 };
    await blobs.put(imageThumbKey(model.id, id), await thumbnailPng(pixels, shape));
    const [first, second] = answer.prediction;
    await db.getRepository(Image).insert({
      id,
      modelId: model.id,
      classId: null,
      source: ImageSource.CLASSIFIED,
      split: null,
      blobKey,
      checksum,
      originalName: null,
      prediction: answer.prediction,
      margin: first ? first.probability - (second?.probability ?? 0) : null,
      keptReason: answer.reason,
      grey: isGrey(pixels, shape.channels),
    });
  } catch (e) {
    await blobs.delete(blobKey);
    await blobs.delete(imageThumbKey(model.id, id));
    throw e;
  }
  return id;
}

/** Unsure images of the model kept and still waiting for review (what keepUncertainCap bounds). */
export async function waitingUncertain(db: DataSource, modelId: string): Promise<number> {
  return db.getRepository(Image).countBy({
    modelId,
    source: ImageSource.CLASSIFIED,
    classId: IsNull(),
    keptReason: 'UNCERTAIN',
  });
}
