import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import type { Principal, UserPrincipal } from '../auth/principal';
import { accessible, requireFullScope, signedUrlExpiry } from '../auth/access';
import type { AuthService } from '../auth/auth.service';
import type { Limits, ShardSettings } from '../config/config';
import { BadUserInputError, NotFoundError } from '../errors';
import { checkPage, toPage, type Page, type PageRequest } from '../db/page';
import type { FileUpload } from '../uploads/upload';
import { ModelClass } from '../models/model-class.entity';
import type { Model } from '../models/model.entity';
import { isUuid } from '../db/ids';
import type { BlobStore } from '../storage/blob-store';
import { Task, TaskType } from '../tasks/task.entity';
import type { TaskQueue } from '../tasks/task-queue';
import { TaskRepository } from '../tasks/task.repository';
import type { Dataset, DatasetClass, ImportReport } from './dataset.types';
import { imagePixelsKey, imagesPrefix, imageThumbKey, shardsPrefix, thumbsPrefix } from '../storage/keys';
import { afterImagesDeleted } from './shards';
import { Image, type ImageSplit } from './image.entity';
import type { ImportResult, SkipReason } from './import-report';
import { rowsOf } from './import-writer';
import { thumbnailPng } from './normalise';
import { thumbUrl } from './thumbnails';
import { checkManifestUpload, checkZipUpload, detectKind, saveUpload, sweepUploads } from './upload-intake';

export interface DatasetConfig {
  limits: Limits;
  /** Training shards; the default size when absent. */
  shards?: Pick<ShardSettings, 'bytes'>;
  dataDir: string;
  nodeId: string;
  allowPrivateUrls: boolean;
}

/** The one rule of model access (owner, or admin; others get NOT_FOUND), kept in ModelService. */
export interface ModelAccess {
  get(who: UserPrincipal, id: string): Promise<Model>;
  /** Announces that the model changed (its class names did). */
  changed(id: string): void;
}

/** Uploading, browsing and deleting a model's training data. The import itself is a task. */
export class DatasetService {
  private lastSweep = 0;
  private readonly tasks: TaskRepository;

  constructor(
    private readonly db: DataSource,
    private readonly blobs: BlobStore,
    private readonly queue: Pick<TaskQueue, 'enqueue'>,
    private readonly models: ModelAccess,
    private readonly signingKeys: Pick<AuthService, 'signingKey'>,
    private readonly config: DatasetConfig,
  ) {
    this.tasks = new TaskRepository(db);
  }

  get uploadsDir(): string {
    return join(this.config.dataDir, 'uploads');
  }

  /**
   * Receives a zip or manifest, refuses whole-archive problems at once (nothing is queued and the
   * file is deleted), and queues the import. Per-file problems are the task's to report.
   */
  async startImport(who: UserPrincipal, modelId: string, upload: Promise<FileUpload>): Promise<Task> {
    const model = await this.models.get(who, modelId);
    void this.sweep();
    const saved = await saveUpload(upload, this.uploadsDir, this.config.limits.uploadBytes);
    try {
      const kind = await detectKind(saved);
      if (kind === 'zip') await checkZipUpload(saved.path, this.config.limits);
      else await checkManifestUpload(saved, this.config.allowPrivateUrls);
      return await this.queue.enqueue({
        type: TaskType.IMPORT_DATASET,
        payload: {
          modelId: model.id,
          uploadPath: saved.path,
          nodeId: this.config.nodeId,
          filename: saved.filename,
          kind,
        },
        ownerId: model.ownerId,
        modelId: model.id,
      });
    } catch (e) {
      await rm(saved.path, { force: true });
      throw e;
    }
  }

  /** Classes with their image counts, per split: one grouped query. */
  async dataset(who: UserPrincipal, modelId: string): Promise<Dataset> {
    const model = await this.models.get(who, modelId);
    const rows = rowsOf<Record<string, string | number>>(
      await this.db.query(
        `SELECT c.id, c.name, c.index,
           count(i.id)::int AS "imageCount",
           count(i.id) FILTER (WHERE i.split = 'TRAIN')::int AS "trainCount",
           count(i.id) FILTER (WHERE i.split = 'VALIDATION')::int AS "validationCount",
           count(i.id) FILTER (WHERE i.split = 'TEST')::int AS "testCount",
           count(i.id) FILTER (WHERE i.source = 'URL')::int AS "urlCount"
         FROM model_classes c LEFT JOIN images i ON i."classId" = c.id
         WHERE c."modelId" = $1
         GROUP BY c.id ORDER BY c.index`,
        [model.id],
      ),
    );
    const classes = rows.map((r) => ({ ...r }) as unknown as DatasetClass & { urlCount: number });
    return {
      modelId: model.id,
      imageCount: classes.reduce((n, c) => n + c.imageCount, 0),
      urlImageCount: classes.reduce((n, c) => n + c.urlCount, 0),
      classes,
    };
  }

  /** A page of a model's images, oldest first, each with a thumbnail URL signed for the caller. */
  async images(
    who: UserPrincipal,
    modelId: string,
    filter: { classId?: string | null; split?: ImageSplit | null },
    page: PageRequest,
  ): Promise<Page<Image>> {
    const model = await this.models.get(who, modelId);
    const p = checkPage(page);
    const where: Record<string, unknown> = { modelId: model.id };
    if (filter.classId != null) {
      if (!isUuid(filter.classId)) throw new BadUserInputError('classId is not an id.', { field: 'classId' });
      where.classId = filter.classId;
    }
    if (filter.split != null) where.split = filter.split;
    const [items, total] = await this.db
      .getRepository(Image)
      .findAndCount({ where, order: { createdAt: 'ASC', id: 'ASC' }, ...p });
    const key = await this.signingKeys.signingKey(who);
    const signature = { tokenId: who.tokenId, exp: signedUrlExpiry() };
    for (const image of items) {
      image.thumbnailUrl = image.blobKey && key ? thumbUrl(image.id, signature, key) : null;
    }
    return toPage(items, total, p);
  }

  async deleteImage(who: UserPrincipal, id: string): Promise<boolean> {
    const image = isUuid(id) ? await this.db.getRepository(Image).findOneBy({ id }) : null;
    if (!image) throw new NotFoundError('No such image.');
    const model = await this.models.get(who, image.modelId).catch(() => {
      throw new NotFoundError('No such image.');
    });
    await this.db.getRepository(Image).delete({ id: image.id });
    // Rows go first: a crash in between leaves unreferenced blobs, never rows without pixels.
    await this.blobs.deleteMany(blobKeys(image.modelId, [image]));
    await this.dropFromShards(model, [image.shardKey]);
    return true;
  }

  /** Deletes a class with its images and their blobs; returns how many images went. */
  async deleteClass(who: UserPrincipal, id: string): Promise<number> {
    const cls = isUuid(id) ? await this.db.getRepository(ModelClass).findOneBy({ id }) : null;
    if (!cls) throw new NotFoundError('No such class.');
    const model = await this.models.get(who, cls.modelId).catch(() => {
      throw new NotFoundError('No such class.');
    });
    await this.refuseDuringImport(cls.modelId);
    const images = await this.db.transaction(async (tx) => {
      const deleted = rowsOf<{ id: string; blobKey: string | null; shardKey: string | null }>(
        await tx.query(`DELETE FROM images WHERE "classId" = $1 RETURNING id, "blobKey", "shardKey"`, [cls.id]),
      );
      await tx.query('DELETE FROM model_classes WHERE id = $1', [cls.id]);
      return deleted;
    });
    await this.blobs.deleteMany(blobKeys(cls.modelId, images));
    await this.dropFromShards(
      model,
      images.map((i) => i.shardKey),
    );
    // Its name leaves the answers of the served network (cached per model).
    this.models.changed(cls.modelId);
    return images.length;
  }

  /** Deletes every image and class of a model, with their blobs; returns how many images went. */
  async deleteDataset(who: UserPrincipal, modelId: string): Promise<number> {
    const model = await this.models.get(who, modelId);
    await this.refuseDuringImport(model.id);
    const count = await this.db.transaction(async (tx) => {
      const [, n]: [unknown, number] = await tx.query('DELETE FROM images WHERE "modelId" = $1', [model.id]);
      await tx.query('DELETE FROM model_classes WHERE "modelId" = $1', [model.id]);
      return n;
    });
    await this.blobs.deletePrefix(imagesPrefix(model.id));
    await this.blobs.deletePrefix(thumbsPrefix(model.id));
    await this.blobs.deletePrefix(shardsPrefix(model.id));
    this.models.changed(model.id);
    return count;
  }

  /** The typed report of a finished import; null while it has not succeeded. */
  async importReport(who: UserPrincipal, taskId: string): Promise<ImportReport | null> {
    const found = await this.tasks.find(taskId);
    const task = accessible(who, found?.type === TaskType.IMPORT_DATASET ? found : null, 'No such import.');
    const r = task.result as ImportResult | null;
    if (!r) return null;
    return {
      ...r,
      taskId: task.id,
      skippedByReason: Object.entries(r.skippedByReason).map(([reason, count]) => ({
        reason: reason as SkipReason,
        count: count ?? 0,
      })),
    };
  }

  /** The PNG thumbnail (stored, or made from the pixels of a small input), for a signed URL or a Bearer token of the owner (or an admin). */
  async readThumbnail(imageId: string, principal: Principal | null): Promise<Buffer> {
    const who = requireFullScope(principal, 'Use the signed thumbnailUrl, or send "Authorization: Bearer <token>".');
    const image = isUuid(imageId) ? await this.db.getRepository(Image).findOneBy({ id: imageId }) : null;
    const model = image && (await this.models.get(who, image.modelId).catch(() => null));
    if (!model || !image.blobKey) throw new NotFoundError('No such thumbnail.');
    const stored = await this.blobs.get(imageThumbKey(model.id, image.id));
    if (stored) return stored;
    const pixels = await this.blobs.get(image.blobKey);
    if (!pixels) throw new NotFoundError('No such thumbnail.');
    const shape = { width: model.inputWidth, height: model.inputHeight, channels: model.inputChannels };
    return thumbnailPng(pixels, shape);
  }

  /**
   * Rewrites the shards that held deleted images. Not fatal: the next import or training round
   * rewrites them anyway (datasets/shards.ts), the rows and per-image blobs are already gone.
   */
  private async dropFromShards(model: Model, shardKeys: (string | null)[]): Promise<void> {
    await afterImagesDeleted(this.db, this.blobs, model, shardKeys, this.config.shards?.bytes).catch(() => {});
  }

  private async refuseDuringImport(modelId: string): Promise<void> {
    const busy = await this.tasks.liveOfModel(modelId, [TaskType.IMPORT_DATASET]);
    if (busy) {
      throw new BadUserInputError('An import into this model is queued or running; wait for it or cancel it first.', {
        reason: 'IMPORT_RUNNING',
      });
    }
  }

  /** At most every ten minutes, and never in the way of a request. */
  private async sweep(): Promise<void> {
    if (Date.now() - this.lastSweep < 600_000) return;
    this.lastSweep = Date.now();
    await sweepUploads(this.tasks, this.uploadsDir).catch(() => 0);
  }
}

function blobKeys(modelId: string, images: { id: string; blobKey: string | null }[]): string[] {
  return images.filter((i) => i.blobKey).flatMap((i) => [imagePixelsKey(modelId, i.id), imageThumbKey(modelId, i.id)]);
}
