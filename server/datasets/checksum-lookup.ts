import type { DataSource } from 'typeorm';
import { rowsOf } from './import-writer';

/** Up to this many images, a model's checksums are loaded at once (about 200 bytes each). */
const PRELOAD_MAX = 100_000;

/**
 * Which image of a model, if any, already holds a checksum: a duplicate is skipped before it is
 * decoded, and a retried import recognises the images of its earlier attempt. Most imports go to
 * models with few images, whose checksums are loaded with one query; larger models batch the
 * lookups made together into one query. Files imported concurrently by another task are caught
 * by the unique index when rows are written (import-writer.ts).
 */
export class ChecksumLookup {
  private waiting = new Map<string, { resolve: (id: string | null) => void; reject: (e: unknown) => void }[]>();
  private scheduled = false;

  private constructor(
    private readonly db: DataSource,
    private readonly modelId: string,
    private readonly known: Map<string, string> | null,
  ) {}

  static async forModel(db: DataSource, modelId: string): Promise<ChecksumLookup> {
    const [{ n }] = rowsOf<{ n: number }>(
      await db.query('SELECT count(*)::int AS n FROM images WHERE "modelId" = $1', [modelId]),
    );
    if (n > PRELOAD_MAX) return new ChecksumLookup(db, modelId, null);
    const rows = rowsOf<{ id: string; checksum: string }>(
      await db.query('SELECT id, checksum FROM images WHERE "modelId" = $1', [modelId]),
    );
    return new ChecksumLookup(db, modelId, new Map(rows.map((r) => [r.checksum, r.id])));
  }

  get(checksum: string): Promise<string | null> | string | null {
    if (this.known) return this.known.get(checksum) ?? null;
    return new Promise((resolve, reject) => {
      const list = this.waiting.get(checksum) ?? [];
      list.push({ resolve, reject });
      this.waiting.set(checksum, list);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    const batch = this.waiting;
    this.waiting = new Map();
    this.scheduled = false;
    try {
      const rows = rowsOf<{ id: string; checksum: string }>(
        await this.db.query(`SELECT id, checksum FROM images WHERE "modelId" = $1 AND checksum = ANY($2::text[])`, [
          this.modelId,
          [...batch.keys()],
        ]),
      );
      const found = new Map(rows.map((r) => [r.checksum, r.id]));
      batch.forEach((list, checksum) => list.forEach((w) => w.resolve(found.get(checksum) ?? null)));
    } catch (e) {
      batch.forEach((list) => list.forEach((w) => w.reject(e)));
    }
  }
}
