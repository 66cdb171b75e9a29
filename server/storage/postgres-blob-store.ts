import type { DataSource } from 'typeorm';
import { assertKey, type BlobStore } from './blob-store';

/** Blobs as `bytea` rows: one database holds everything, so API servers can be added freely. */
export class PostgresBlobStore implements BlobStore {
  constructor(private readonly db: DataSource) {}

  async put(key: string, data: Buffer, contentType?: string): Promise<void> {
    assertKey(key);
    await this.db.query(
      `INSERT INTO blobs (key, data, size, "contentType") VALUES ($1, $2, $3, $4)
       ON CONFLICT (key) DO UPDATE SET data = EXCLUDED.data, size = EXCLUDED.size, "contentType" = EXCLUDED."contentType"`,
      [key, data, data.length, contentType ?? null],
    );
  }

  async get(key: string): Promise<Buffer | null> {
    const rows: { data: Buffer }[] = await this.db.query('SELECT data FROM blobs WHERE key = $1', [key]);
    return rows[0]?.data ?? null;
  }

  async delete(key: string): Promise<void> {
    await this.db.query('DELETE FROM blobs WHERE key = $1', [key]);
  }

  async deletePrefix(prefix: string): Promise<number> {
    const [, count]: [unknown, number] = await this.db.query('DELETE FROM blobs WHERE key LIKE $1', [
      likePrefix(prefix),
    ]);
    return count;
  }

  async count(prefix: string): Promise<number> {
    const rows: { n: string }[] = await this.db.query('SELECT count(*) AS n FROM blobs WHERE key LIKE $1', [
      likePrefix(prefix),
    ]);
    return Number(rows[0]?.n ?? 0);
  }
}

function likePrefix(prefix: string): string {
  return prefix.replace(/[\\%_]/g, (c) => `\\${c}`) + '%';
}
