import type { DataSource } from 'typeorm';
import type { UserPrincipal } from '../auth/principal';
import type { Limits } from '../config/config';
import { keepClassifiedImage, waitingUncertain } from '../datasets/kept-images';
import { ImageRejected, normaliseImage } from '../datasets/normalise';
import { DEFAULT_FETCH, fetchUrl, UrlFetchError } from '../datasets/url-fetch';
import { accessible, checkMayAddData } from '../auth/access';
import { BadUserInputError, NotFoundError } from '../errors';
import { isUuid } from '../db/ids';
import { readUpload, type FileUpload } from '../uploads/upload';
import { rm } from 'node:fs/promises';
import { saveUpload } from '../datasets/upload-intake';
import { ArchiveError, listZip } from '../datasets/zip-archive';
import { Task, TaskType } from '../tasks/task.entity';
import type { TaskQueue } from '../tasks/task-queue';
import { Model } from '../models/model.entity';
import { Candidate } from '../training/candidate.entity';
import { servedNetwork } from '../training/head-set';
import type { TrainingService } from '../training/training.service';
import type { BlobStore } from '../storage/blob-store';
import type { ClassScore } from '../ml/infer';
import type { Classification, ImageInput } from './classify.types';
import { classThresholdsByIndex, verdict } from './verdict';

const MAX_IMAGE_BYTES = 32 << 20;
/** Classes of the answer a kept image remembers for review. */
const KEPT_CLASSES = 3;

/** Runs a loaded network on pixels: warm local runners, or this process when there are none. */
export interface Inference {
  classify(artifactKey: string, images: Uint8Array[], topK: number): Promise<ClassScore[][]>;
}

/** What answering a model takes, held in memory: classify is the hot path. */
interface Served {
  model: Model;
  /** Null while the model has no trained network. */
  serving: {
    candidate: Candidate;
    network: { key: string; outputs: number };
    names: string[];
    /** By class index; null where a class has none (answers of it are neither accepted nor unsure). */
    thresholds: (number | null)[];
  } | null;
}

// The bound on a missed MODEL_CHANGED; normally an entry goes as soon as its model changes.
const SERVED_TTL_MS = 60_000;

export class ClassifyService {
  private readonly cache = new Map<string, { served: Promise<Served>; expires: number }>();

  constructor(
    private readonly db: DataSource,
    private readonly training: TrainingService,
    private readonly blobs: BlobStore,
    readonly inference: Inference,
    private readonly limits: Limits,
    private readonly allowPrivateUrls: boolean,
    private readonly batches: { queue: TaskQueue; uploadsDir: string; nodeId: string },
  ) {}

  /** Queues the classification of every image in a zip; results arrive in the task's result. */
  async startBatch(who: UserPrincipal, modelId: string, archive: Promise<FileUpload>, topK: number): Promise<Task> {
    const { model, candidate } = await this.servedFor(who, modelId);
    checkTopK(topK);
    const saved = await saveUpload(archive, this.batches.uploadsDir, this.limits.uploadBytes);
    try {
      await listZip(saved.path, this.limits);
    } catch (e) {
      await rm(saved.path, { force: true });
      if (e instanceof ArchiveError) throw new BadUserInputError(e.message, { reason: e.problem });
      throw e;
    }
    return this.batches.queue.enqueue({
      type: TaskType.CLASSIFY_BATCH,
      payload: {
        modelId: model.id,
        candidateId: candidate.id,
        uploadPath: saved.path,
        nodeId: this.batches.nodeId,
        topK,
      },
      ownerId: model.ownerId,
      modelId: model.id,
    });
  }

  /**
   * Classifies one image with the model's served network. The image is not stored once the
   * answer is returned, unless `keep` asks for it, or the model keeps unsure answers and this one
   * is (then it joins the model's data, unlabelled, for review). With the model and principal
   * cached, the database is not read at all unless an image may be kept.
   */
  async classify(
    who: UserPrincipal,
    modelId: string,
    input: ImageInput | { bytes: Buffer },
    topK: number,
    keep: boolean,
  ): Promise<Classification> {
    if (keep) checkMayAddData(who);
    const { model, candidate, network, names, thresholds } = await this.servedFor(who, modelId);
    checkTopK(topK);
    const bytes = 'bytes' in input ? input.bytes : await this.read(input);
    const pixels = await this.normalise(model, bytes);
    // At least two, for the margin a kept image is queued by.
    const [all] = await this.inference.classify(network.key, [pixels], Math.max(topK, KEPT_CLASSES));
    const scores = all!.slice(0, topK);
    const judged = verdict(all!, thresholds);
    const keptImageId = await this.keepIfAsked(model, bytes, pixels, all!, keep, judged.accepted);
    return {
      predictions: scores.map((s) => ({
        className: names[s.classIndex] ?? `class ${s.classIndex}`,
        classIndex: s.classIndex,
        probability: s.probability,
      })),
      ...judged,
      candidateId: candidate.id,
      keptImageId,
    };
  }

  /**
   * Nothing is kept unless the sender asked (`keep`), or the model keeps unsure answers and this
   * one was not accepted — then only while fewer than its cap wait for review.
   */
  private async keepIfAsked(
    model: Model,
    bytes: Buffer,
    pixels: Buffer,
    scores: ClassScore[],
    keep: boolean,
    accepted: boolean | null,
  ): Promise<string | null> {
    const prediction = scores
      .slice(0, KEPT_CLASSES)
      .map((s) => ({ classIndex: s.classIndex, probability: s.probability }));
    if (keep) return keepClassifiedImage(this.db, this.blobs, model, bytes, pixels, { prediction, reason: 'KEEP' });
    if (!model.keepUncertain || accepted !== false) return null;
    if ((await waitingUncertain(this.db, model.id)) >= model.keepUncertainCap) return null;
    return keepClassifiedImage(this.db, this.blobs, model, bytes, pixels, { prediction, reason: 'UNCERTAIN' });
  }

  /** The model and what answers for it (network, class names), as classify sees them. */
  served(who: UserPrincipal, modelId: string): Promise<{ model: Model } & NonNullable<Served['serving']>> {
    return this.servedFor(who, modelId);
  }

  /** The largest image classify reads. */
  get maxImageBytes(): number {
    return Math.min(MAX_IMAGE_BYTES, this.limits.uploadBytes);
  }

  /**
   * The model, its served network (an expandable model that has been split answers with its base
   * and active heads) and class names. Cached per model until the model changes (MODEL_CHANGED,
   * from any server) or for SERVED_TTL_MS at most; concurrent first requests share one load.
   */
  private async servedFor(
    who: UserPrincipal,
    modelId: string,
  ): Promise<{ model: Model } & NonNullable<Served['serving']>> {
    if (!isUuid(modelId)) throw new NotFoundError('No such model.');
    let entry = this.cache.get(modelId);
    if (!entry || entry.expires < Date.now()) {
      const served = this.load(modelId);
      entry = { served, expires: Date.now() + SERVED_TTL_MS };
      this.cache.set(modelId, entry);
      void served.catch(() => {
        if (this.cache.get(modelId)?.served === served) this.cache.delete(modelId);
      });
    }
    const served = await entry.served;
    const model = accessible(who, served.model, 'No such model.');
    const serving = served.serving;
    if (!serving) throw new BadUserInputError('The model has no trained network yet: upload data and train it first.');
    return { model, ...serving };
  }

  private async load(modelId: string): Promise<Served> {
    const model = await this.db.getRepository(Model).findOneBy({ id: modelId });
    // Not cached: unknown ids must not fill memory.
    if (!model) throw new NotFoundError('No such model.');
    const candidate = model.activeCandidateId
      ? await this.db.getRepository(Candidate).findOneBy({ id: model.activeCandidateId })
      : null;
    if (!candidate?.artifactKey) return { model, serving: null };
    const network = await servedNetwork(this.db, model, candidate);
    const names = await this.training.classNames(model.id, network.outputs);
    const thresholds = await classThresholdsByIndex(this.db, model.id, network.outputs);
    return { model, serving: { candidate, network, names, thresholds } };
  }

  /** Forgets what it knew of a model (it changed). */
  forget(modelId: string): void {
    this.cache.delete(modelId);
  }

  /** Forgets every model (events may have been missed). */
  forgetAll(): void {
    this.cache.clear();
  }

  private async read(input: ImageInput): Promise<Buffer> {
    const given = [input.file, input.url, input.base64].filter((x) => x != null).length;
    if (given !== 1) throw new BadUserInputError('Give exactly one of file, url or base64.', { field: 'image' });
    if (input.file) return (await readUpload(input.file, this.maxImageBytes, 'image')).data;
    if (input.url) {
      try {
        const { data } = await fetchUrl(input.url, {
          ...DEFAULT_FETCH,
          allowPrivate: this.allowPrivateUrls,
          maxBytes: MAX_IMAGE_BYTES,
        });
        return data;
      } catch (e) {
        if (e instanceof UrlFetchError)
          throw new BadUserInputError(`The image URL could not be used: ${e.message}`, {
            field: 'url',
            reason: e.problem,
          });
        throw e;
      }
    }
    const b64 = input.base64!.replace(/^data:[^,]*,/, '');
    if (b64.length > (MAX_IMAGE_BYTES * 4) / 3 + 4)
      throw new BadUserInputError('The base64 image is too large.', { field: 'base64' });
    return Buffer.from(b64, 'base64');
  }

  private async normalise(model: Model, bytes: Buffer): Promise<Buffer> {
    try {
      return await normaliseImage(
        bytes,
        { width: model.inputWidth, height: model.inputHeight, channels: model.inputChannels as 1 | 3 },
        this.limits.imagePixels,
      );
    } catch (e) {
      if (e instanceof ImageRejected)
        throw new BadUserInputError(`The image cannot be classified: ${e.message}.`, {
          field: 'image',
          reason: e.reason,
        });
      throw e;
    }
  }
}

function checkTopK(topK: number): void {
  if (!Number.isInteger(topK) || topK < 1 || topK > 100)
    throw new BadUserInputError('topK must be between 1 and 100.', { field: 'topK' });
}
