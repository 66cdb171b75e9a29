import { createHash } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { BlobStore } from '../storage/blob-store';
import type { ShardBuilder } from './shards';
import { imagePixelsKey, imageThumbKey } from '../storage/keys';
import { ImageSource, ImageSplit } from './image.entity';
import { SkipReason, type ImportReport } from './import-report';

export interface ImageToWrite {
  id: string;
  checksum: string;
  className: string;
  split: ImageSplit;
  source: ImageSource;
  originalName: string;
  url: string | null;
  /** Normalised pixels; null for URL images, whose pixels are never stored. */
  pixels: Buffer | null;
  /** The pixels hold no colour (normalise.ts isGrey); false for URL images. */
  grey: boolean;
  /** Only for inputs larger than a thumbnail (see thumbnailIsStored). */
  thumb: Buffer | null;
}

/**
 * An image's id is derived from the import task and the file's checksum, so a retried attempt
 * writes the same blob keys and recognises the rows it wrote before (rather than calling them
 * duplicates), while the same file imported by another task gets another id.
 */
export function importedImageId(taskId: string, checksum: string): string {
  const h = createHash('sha256').update(`${taskId}:${checksum}`).digest('hex');
  // RFC 9562 version 8 ("custom") with the standard variant bits.
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

/**
 * Writes imported images in batches: blobs first (one multi-row INSERT), then rows (one more),
 * so a row never points at a missing blob. A crash between the two leaves blobs under keys the
 * retry overwrites. Rows conflicting on (model, checksum) are duplicates, unless the row is the
 * one an earlier attempt of this task wrote. The new rows' pixels go on to the shard builder.
 */
export class ImageWriter {
  private pending: ImageToWrite[] = [];
  private flushing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private failure: unknown = null;
  private readonly classIds = new Map<string, string>();

  constructor(
    private readonly db: DataSource,
    private readonly blobs: BlobStore,
    private readonly modelId: string,
    private readonly report: ImportReport,
    /** Class names in upload order: classes created together get their indexes in this order. */
    private readonly classOrder: readonly string[],
    private readonly batchSize = 128,
    /** Takes the pixels of the images written, for training shards (none for URL images). */
    private readonly shards: ShardBuilder | null = null,
    private readonly maxWaitMs = 50,
  ) {}

  /** Queues an image; waits only while two batches are already waiting (backpressure). */
  async add(item: ImageToWrite): Promise<void> {
    if (this.failure) throw this.failure;
    this.pending.push(item);
    if (this.pending.length >= this.batchSize) this.startFlush();
    else this.timer ??= setTimeout(() => this.startFlush(), this.maxWaitMs);
    while (this.pending.length >= 2 * this.batchSize && this.flushing) await this.flushing;
    if (this.failure) throw this.failure;
  }

  /** Writes everything queued; throws the first write error. */
  async drain(): Promise<void> {
    while (this.flushing || (this.pending.length && !this.failure)) {
      this.startFlush();
      await this.flushing;
    }
    if (this.failure) throw this.failure;
  }

  private startFlush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.flushing || this.pending.length === 0 || this.failure) return;
    const items = this.pending.splice(0, this.batchSize);
    this.flushing = this.write(items)
      .catch((e: unknown) => {
        this.failure ??= e;
      })
      .finally(() => {
        this.flushing = null;
        if (this.pending.length >= this.batchSize) this.startFlush();
        else if (this.pending.length) this.timer ??= setTimeout(() => this.startFlush(), this.maxWaitMs);
      });
  }

  private async write(items: ImageToWrite[]): Promise<void> {
    const classIds = await this.ensureClasses([...new Set(items.map((i) => i.className))]);
    const blobs = items.flatMap((i) => this.blobsOf(i));
    try {
      await this.blobs.putMany(blobs);
    } catch (e) {
      // A full disk (or a lost database) mid-batch: the rows will not be written, so neither may
      // any blob of the batch stay behind.
      await this.blobs.deleteMany(blobs.map((b) => b.key)).catch(() => {});
      throw e;
    }
    const inserted = rowsOf<{ id: string }>(
      await this.db.query(
        `INSERT INTO images (id, "modelId", "classId", source, split, "blobKey", url, checksum, "originalName", grey)
         SELECT u.id, $1, u.cls, u.source::image_source, u.split::image_split, u.blob, u.url, u.checksum, u.name, u.grey
         FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
           $10::boolean[])
           AS u(id, cls, source, split, blob, url, checksum, name, grey)
         ON CONFLICT ("modelId", checksum) DO NOTHING
         RETURNING id`,
        [
          this.modelId,
          items.map((i) => i.id),
          items.map((i) => classIds.get(i.className)!),
          items.map((i) => i.source),
          items.map((i) => i.split),
          items.map((i) => (i.pixels ? imagePixelsKey(this.modelId, i.id) : null)),
          items.map((i) => i.url),
          items.map((i) => i.checksum),
          items.map((i) => i.originalName),
          items.map((i) => i.grey),
        ],
      ),
    );
    const done = new Set(inserted.map((r) => r.id));
    await this.shards?.add(items.flatMap((i) => (i.pixels && done.has(i.id) ? [{ id: i.id, pixels: i.pixels }] : [])));
    const conflicted = items.filter((i) => !done.has(i.id));
    const holders = new Map<string, string>();
    if (conflicted.length) {
      const rows = rowsOf<{ id: string; checksum: string }>(
        await this.db.query(`SELECT id, checksum FROM images WHERE "modelId" = $1 AND checksum = ANY($2::text[])`, [
          this.modelId,
          conflicted.map((i) => i.checksum),
        ]),
      );
      rows.forEach((r) => holders.set(r.checksum, r.id));
    }
    const orphans: string[] = [];
    for (const item of items) {
      const holder = done.has(item.id) ? item.id : holders.get(item.checksum);
      if (holder === item.id) this.report.addImported(item.className);
      else {
        // Another import stored the same file meanwhile: ours is the duplicate.
        this.report.skip(item.originalName, SkipReason.DUPLICATE, 'the same file is already in this model');
        orphans.push(...this.blobsOf(item).map((b) => b.key));
      }
    }
    await this.blobs.deleteMany(orphans);
  }

  private blobsOf(i: ImageToWrite): { key: string; data: Buffer; contentType: string }[] {
    const blobs = [];
    if (i.pixels)
      blobs.push({ key: imagePixelsKey(this.modelId, i.id), data: i.pixels, contentType: 'application/octet-stream' });
    if (i.thumb) blobs.push({ key: imageThumbKey(this.modelId, i.id), data: i.thumb, contentType: 'image/png' });
    return blobs;
  }

  /** Class ids by name, creating missing classes (at the next free index) when first needed. */
  private async ensureClasses(names: string[]): Promise<Map<string, string>> {
    const rank = (n: string) => {
      const i = this.classOrder.indexOf(n);
      return i < 0 ? this.classOrder.length : i;
    };
    const missing = names.filter((n) => !this.classIds.has(n)).sort((a, b) => rank(a) - rank(b));
    if (missing.length) {
      const created = await this.db.transaction((tx) => ensureClasses(tx, this.modelId, missing));
      created.forEach((id, name) => this.classIds.set(name, id));
    }
    return this.classIds;
  }
}

/**
 * Finds or creates classes by name. A per-model advisory lock serialises concurrent imports, so
 * two of them never pick the same index. Indexes only grow: a deleted class's output position is
 * never given to another class.
 */
export async function ensureClasses(tx: EntityManager, modelId: string, names: string[]): Promise<Map<string, string>> {
  await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`percept:classes:${modelId}`]);
  const found = rowsOf<{ id: string; name: string }>(
    await tx.query(`SELECT id, name FROM model_classes WHERE "modelId" = $1 AND name = ANY($2::text[])`, [
      modelId,
      names,
    ]),
  );
  const ids = new Map(found.map((r) => [r.name, r.id]));
  const toCreate = names.filter((n) => !ids.has(n));
  if (toCreate.length) {
    const made = rowsOf<{ id: string; name: string }>(
      await tx.query(
        `INSERT INTO model_classes ("modelId", name, index)
         SELECT $1, u.name, u.ord - 1 + (SELECT COALESCE(MAX(index) + 1, 0) FROM model_classes WHERE "modelId" = $1)
         FROM unnest($2::text[]) WITH ORDINALITY AS u(name, ord)
         RETURNING id, name`,
        [modelId, toCreate],
      ),
    );
    made.forEach((r) => ids.set(r.name, r.id));
  }
  return ids;
}

/** TypeORM returns `[rows, count]` for some statements and plain rows for others. */
export function rowsOf<T>(result: unknown): T[] {
  const r = result as unknown[];
  return (Array.isArray(r[0]) ? r[0] : r) as T[];
}
