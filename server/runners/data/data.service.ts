import type { DataSource } from 'typeorm';
import { BadUserInputError, NotFoundError } from '../../errors';
import { Model } from '../../models/model.entity';
import type { BlobStore } from '../../storage/blob-store';
import { isModelKey } from '../../storage/keys';
import { encodePack, SPLIT_CODE } from './pack';
import { datasetVersion, labelledImages, outputCount, type DatasetSnapshot } from '../../datasets/image.queries';
import type { ImagePixels } from '../../datasets/image-pixels';

/** The server side of RunnerData: what runners may read and write. */
export class RunnerDataService {
  constructor(
    private readonly db: DataSource,
    private readonly blobs: BlobStore,
    /** Uploaded images from the blob store; URL images fetched now and not kept. */
    private readonly pixels: ImagePixels,
  ) {}

  /** Identifies the labelled data of a model (or a snapshot); changes when an image is added, moved or removed. */
  async datasetVersion(modelId: string, snapshot?: DatasetSnapshot | null): Promise<string> {
    return datasetVersion(this.db, modelId, snapshot);
  }

  /** The labelled images of a model with their pixels; only the snapshot's, when a run took one. */
  async datasetPack(modelId: string, snapshot?: DatasetSnapshot | null): Promise<Buffer> {
    const model = await this.db.getRepository(Model).findOneBy({ id: modelId });
    if (!model) throw new NotFoundError('No such model.');
    const rows = await labelledImages(this.db, modelId, snapshot);
    const shape: [number, number, number] = [model.inputHeight, model.inputWidth, model.inputChannels];
    const bytes = shape[0] * shape[1] * shape[2];
    const pixels = new Uint8Array(rows.length * bytes);
    const labels = new Int32Array(rows.length);
    const splits = new Uint8Array(rows.length);
    const classes = snapshot?.classes ?? (await outputCount(this.db, modelId));
    // Blobs in parallel, a few at a time: a round trip each to PostgreSQL or the disk.
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < rows.length; i = next++) {
        const data = await this.pixels.read(rows[i]!, {
          width: shape[1],
          height: shape[0],
          channels: shape[2] as 1 | 3,
        });
        pixels.set(data, i * bytes);
        labels[i] = rows[i]!.index;
        splits[i] = SPLIT_CODE[rows[i]!.split];
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    const ids = rows.map((r) => r.id);
    return encodePack({
      version: await this.datasetVersion(modelId, snapshot),
      shape,
      classes,
      labels,
      splits,
      ids,
      pixels,
    });
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
