import { access, readFile, rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import type { DataSource } from 'typeorm';
import type { Limits } from '../config/config';
import type { Logger } from '../logging/logger';
import { Model } from '../models/model.entity';
import type { BlobStore } from '../storage/blob-store';
import { modelPrefix } from '../storage/keys';
import { TaskType } from '../tasks/task.entity';
import { PermanentTaskError, type TaskContext, type TaskHandler } from '../tasks/task-types';
import { ImageSource } from './image.entity';
import { ImportReport, SkipReason, type ImportResult } from './import-report';
import { ChecksumLookup } from './checksum-lookup';
import { ImageWriter, importedImageId, sha256 } from './import-writer';
import { ShardBuilder } from './shards';
import { interleaveClasses, planLayout, type PlannedFile } from './layout';
import { ManifestError, parseManifest } from './manifest';
import { ImageRejected, isGrey, normaliseImage, thumbnailIsStored, thumbnailPng, type InputShape } from './normalise';
import { assignSplit } from './split';
import { ArchiveError, listZip } from './zip-archive';
import { readZipEntries } from './zip-read';

export interface ImportHandlerDeps {
  db: DataSource;
  blobs: BlobStore;
  limits: Limits;
  /** Config `allowPrivateUrls`: manifests may point at private and loopback addresses. */
  allowPrivateUrls?: boolean;
  /** Images decoded at once. sharp decodes each on libuv's pool, so a few per core keep it busy. */
  concurrency?: number;
  /** Entry bytes held in memory at once, besides the one being read. */
  maxBytesInFlight?: number;
  /** Size of the training shards written after an import (datasets/shards.ts). */
  shardBytes?: number;
  /** Runs after a successful import (expandable models start training heads for new classes). */
  afterImport?: (modelId: string, log: Logger) => Promise<void>;
}

type Ctx = TaskContext<TaskType.IMPORT_DATASET>;

/** The IMPORT_DATASET handler: a zip of class folders, or a manifest of `url,label` lines. */
export function createImportHandler(deps: ImportHandlerDeps): TaskHandler<TaskType.IMPORT_DATASET> {
  return { type: TaskType.IMPORT_DATASET, run: (ctx) => runImport(deps, ctx) };
}

async function runImport(deps: ImportHandlerDeps, ctx: Ctx): Promise<ImportResult> {
  const { modelId, uploadPath, kind } = ctx.payload;
  const model = await deps.db.getRepository(Model).findOneBy({ id: modelId });
  if (!model) {
    await rm(uploadPath, { force: true });
    throw new PermanentTaskError('The model was deleted before its data could be imported.');
  }
  if (!(await exists(uploadPath))) {
    // Removed when an earlier attempt ended for good, or by the sweep of abandoned uploads.
    throw new PermanentTaskError('The uploaded file is no longer on this server; upload it again.');
  }
  let result: ImportResult;
  try {
    result = kind === 'zip' ? await importZip(deps, ctx, model) : await importManifest(deps, ctx, model);
  } catch (e) {
    const gone = !(await deps.db.getRepository(Model).existsBy({ id: modelId }));
    // Blobs written after the model's deletion swept its prefix would otherwise stay forever.
    if (gone) await deps.blobs.deletePrefix(modelPrefix(modelId));
    // The file stays for a retry; cancellation or a lost lease may be followed by one too.
    if (gone || e instanceof PermanentTaskError || ctx.task.attempts >= ctx.task.maxAttempts) {
      await rm(uploadPath, { force: true });
    }
    if (gone) throw new PermanentTaskError('The model was deleted while its data was being imported.');
    throw e;
  }
  await rm(uploadPath, { force: true });
  const duplicates = result.skippedByReason.DUPLICATE ?? 0;
  if (result.imported === 0 && duplicates === 0) {
    throw new PermanentTaskError(`No image could be imported from ${ctx.payload.filename}: ${summaryOf(result)}`);
  }
  await ctx.progress({
    phase: 'done',
    filesSeen: result.filesSeen,
    imported: result.imported,
    skipped: result.skipped,
  });
  ctx.log.info(
    {
      taskId: ctx.task.id,
      modelId,
      imported: result.imported,
      skipped: result.skipped,
      perSecond: result.imagesPerSecond,
    },
    'dataset imported',
  );
  // The data is in: a failing follow-up is logged, not turned into a failed import.
  await deps
    .afterImport?.(modelId, ctx.log)
    .catch((err: unknown) => ctx.log.error({ err, modelId }, 'the follow-up of an import failed'));
  return result;
}

async function importZip(deps: ImportHandlerDeps, ctx: Ctx, model: Model): Promise<ImportResult> {
  const path = ctx.payload.uploadPath;
  const report = new ImportReport('zip');
  let entries;
  try {
    entries = await listZip(path, deps.limits);
  } catch (e) {
    throw e instanceof ArchiveError ? new PermanentTaskError(e.message) : e;
  }
  const plan = planLayout(entries);
  const files = entries.filter((e) => !e.directory).length;
  for (const s of plan.skipped) {
    report.skip(s.path, s.reason, s.detail);
    if (s.reason !== SkipReason.EMPTY_CLASS_FOLDER) report.filesSeen++;
  }
  const byIndex = new Map(plan.files.map((f) => [f.index, f]));
  const shape: InputShape = { width: model.inputWidth, height: model.inputHeight, channels: model.inputChannels };
  const shards = new ShardBuilder(
    deps.db,
    deps.blobs,
    model.id,
    shape.width * shape.height * shape.channels,
    deps.shardBytes,
    (err) => ctx.log.warn({ err, modelId: model.id }, 'could not write a training shard during an import'),
  );
  const writer = new ImageWriter(deps.db, deps.blobs, model.id, report, plan.classNames, undefined, shards);
  const lookup = await ChecksumLookup.forModel(deps.db, model.id);
  const seen = new Map<string, string>();
  const gate = new Gate(
    deps.concurrency ?? Math.max(4, 4 * availableParallelism()),
    deps.maxBytesInFlight ?? 256 << 20,
  );
  const stop = new AbortController();
  let failure: unknown = null;
  await ctx.progress(report.progress('importing', files));
  const ticker = progressTicker(ctx, () => report.progress('importing', files));

  const processFile = async (file: PlannedFile, data: Buffer): Promise<void> => {
    const checksum = sha256(data);
    const earlier = seen.get(checksum);
    if (earlier !== undefined) return report.skip(file.path, SkipReason.DUPLICATE, `the same file as ${earlier}`);
    seen.set(checksum, file.path);
    const id = importedImageId(ctx.task.id, checksum);
    const holder = await lookup.get(checksum);
    if (holder === id) return report.addImported(file.className); // written by an earlier attempt
    if (holder !== null) return report.skip(file.path, SkipReason.DUPLICATE, 'the same file is already in this model');
    let pixels: Buffer;
    try {
      pixels = await normaliseImage(data, shape, deps.limits.imagePixels);
    } catch (e) {
      if (e instanceof ImageRejected) return report.skip(file.path, e.reason, e.message);
      throw e;
    }
    await writer.add({
      id,
      checksum,
      className: file.className,
      split: assignSplit(model.splitSeed, checksum, file.folderSplit),
      source: ImageSource.UPLOAD,
      originalName: file.path,
      url: null,
      pixels,
      grey: isGrey(pixels, shape.channels),
      thumb: thumbnailIsStored(shape) ? await thumbnailPng(pixels, shape) : null,
    });
  };

  try {
    await readZipEntries(
      path,
      entries,
      (index) => byIndex.has(index),
      async ({ index, info, data, error }) => {
        const file = byIndex.get(index)!;
        report.filesSeen++;
        if (info.unreadable) {
          return report.skip(
            file.path,
            SkipReason.UNSUPPORTED_FORMAT,
            'encrypted, or compressed in an unsupported way',
          );
        }
        if (data === null) return report.skip(file.path, SkipReason.CORRUPT, error ?? 'unreadable');
        await gate.acquire(data.length);
        void processFile(file, data)
          .catch((e: unknown) => {
            failure ??= e;
            stop.abort(e);
          })
          .finally(() => gate.release(data.length));
      },
      AbortSignal.any([ctx.signal, stop.signal]),
      // Classes interleaved, so that the shards cut from consecutive images mix them.
      interleaveClasses(plan.files).map((f) => f.index),
    );
  } catch (e) {
    failure ??= e;
  }
  await gate.idle();
  await writer.drain().catch((e: unknown) => (failure ??= e));
  ticker.stop();
  if (failure) {
    await shards.stop();
    throw failure;
  }
  // The import's last images (less than a shard) into shards with any other loose ones (an
  // earlier attempt's, or those of a shard that failed), so that training reads them a shard at a
  // time. If this fails the images are still in; the next training round writes the shards.
  await shards
    .finish()
    .catch((err: unknown) =>
      ctx.log.warn({ err, modelId: model.id }, 'could not write the training shards of an import'),
    );
  return report.result();
}

async function importManifest(deps: ImportHandlerDeps, ctx: Ctx, model: Model): Promise<ImportResult> {
  const report = new ImportReport('manifest');
  let manifest;
  try {
    manifest = parseManifest(await readFile(ctx.payload.uploadPath, 'utf8'), {
      allowPrivate: deps.allowPrivateUrls ?? false,
      filename: ctx.payload.filename,
    });
  } catch (e) {
    throw e instanceof ManifestError ? new PermanentTaskError(e.message) : e;
  }
  report.filesSeen = manifest.total;
  manifest.skipped.forEach((s) => report.skip(s.path, s.reason, s.detail));
  const labels = [...new Set(manifest.entries.map((e) => e.label))];
  const writer = new ImageWriter(deps.db, deps.blobs, model.id, report, labels, 1000);
  const lookup = await ChecksumLookup.forModel(deps.db, model.id);
  const seen = new Map<string, string>();
  const ticker = progressTicker(ctx, () => report.progress('importing', manifest.total));
  try {
    const CHUNK = 1000;
    for (let start = 0; start < manifest.entries.length; start += CHUNK) {
      ctx.signal.throwIfAborted();
      // One lookup query per chunk: the lookups of a chunk are batched together.
      await Promise.all(
        manifest.entries.slice(start, start + CHUNK).map(async (entry) => {
          // A URL image's identity is its URL: the bytes behind it are not fetched at import.
          const checksum = sha256(`url:${entry.url}`);
          const label = `${entry.where} (${entry.url})`;
          const earlier = seen.get(checksum);
          if (earlier !== undefined) return report.skip(label, SkipReason.DUPLICATE, `the same URL as ${earlier}`);
          seen.set(checksum, entry.where);
          const id = importedImageId(ctx.task.id, checksum);
          const holder = await lookup.get(checksum);
          if (holder === id) return report.addImported(entry.label);
          if (holder !== null) return report.skip(label, SkipReason.DUPLICATE, 'the same URL is already in this model');
          await writer.add({
            id,
            checksum,
            className: entry.label,
            split: assignSplit(model.splitSeed, checksum, null),
            source: ImageSource.URL,
            originalName: entry.url.split('/').pop() || entry.url,
            url: entry.url,
            pixels: null,
            grey: false,
            thumb: null,
          });
        }),
      );
    }
    await writer.drain();
  } finally {
    ticker.stop();
  }
  return report.result();
}

const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

function summaryOf(result: ImportResult): string {
  const reasons = Object.entries(result.skippedByReason)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([r, n]) => `${n} ${r.toLowerCase().replace(/_/g, ' ')}`);
  const first = result.skippedFiles[0];
  return `${reasons.join(', ') || 'no files'}${first ? ` (first: ${first.path}: ${first.detail})` : ''}.`;
}

/** Bounds the files in flight, by count and by bytes (one oversized file still passes alone). */
class Gate {
  private active = 0;
  private bytes = 0;
  private readonly waiters: (() => void)[] = [];

  constructor(
    private readonly maxActive: number,
    private readonly maxBytes: number,
  ) {}

  async acquire(size: number): Promise<void> {
    while (this.active >= this.maxActive || (this.active > 0 && this.bytes + size > this.maxBytes)) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    this.active++;
    this.bytes += size;
  }

  release(size: number): void {
    this.active--;
    this.bytes -= size;
    this.waiters.splice(0).forEach((wake) => wake());
  }

  async idle(): Promise<void> {
    while (this.active > 0) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }
}

/** Reports progress twice a second without ever having two reports in flight. */
function progressTicker(ctx: Ctx, snapshot: () => Record<string, unknown>): { stop(): void } {
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    ctx
      .progress(snapshot())
      .catch((err: unknown) => ctx.log.warn({ err, taskId: ctx.task.id }, 'could not record import progress'))
      .finally(() => (busy = false));
  }, 500);
  return { stop: () => clearInterval(timer) };
}
