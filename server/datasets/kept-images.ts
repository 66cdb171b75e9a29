import { createHash, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Model } from '../models/model.entity';
import type { BlobStore } from '../storage/blob-store';
import { imagePixelsKey, imageThumbKey } from '../storage/keys';
import { Image, ImageSource } from './image.entity';
import { thumbnailPng } from './normalise';

/**
 * Keeps an image sent for classification, when its sender asks: unlabelled, with its pixels and
 * thumbnail, once per content (the same bytes again return the same id). Returns the image's id.
 */
export async function keepClassifiedImage(
  db: DataSource,
  blobs: BlobStore,
  model: Model,
  original: Buffer,
  pixels: Buffer,
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
    await db.getRepository(Image).insert({
      id,
      modelId: model.id,
      classId: null,
      source: ImageSource.CLASSIFIED,
      split: null,
      blobKey,
      checksum,
      originalName: null,
    });
  } catch (e) {
    await blobs.delete(blobKey);
    await blobs.delete(imageThumbKey(model.id, id));
    throw e;
  }
  return id;
}
