import type { DataSource } from 'typeorm';
import { likePrefix } from '../db/sql';
import { assertKey, type BlobStore } from './blob-store';

/** Rows per statement of putMany: 4 parameters each, far below PostgreSQL's 65,535. */
const PUT_MANY_ROWS = 1000;

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

  async putMany(blobs: readonly { key: string; data: Buffer; contentType?: string }[]): Promise<void> {
    blobs.forEach((b) => assertKey(b.key));
    // One INSERT of many rows costs PostgreSQL far less than as many single-row statements. Each
    // blob is its own parameter, sent in binary: inside an array node-postgres would hex-encode it.
    for (let start = 0; start < blobs.length; start += PUT_MANY_ROWS) {
      const chunk = blobs.slice(start, start + PUT_MANY_ROWS);
      const params: unknown[] = [];
      const rows = chunk.map((b) => {
        params.push(b.key, b.data, b.data.length, b.contentType ?? null);
        const n = params.length;
        return `($${n - 3}, $${n - 2}, $${n - 1}, $${n})`;
      });
      await this.db.query(
        `INSERT INTO blobs (key, data, size, "contentType") VALUES ${rows.join(', ')}
         ON CONFLICT (key) DO UPDATE SET data = EXCLUDED.data, size = EXCLUDED.size, "contentType" = EXCLUDED."contentType"`,
        params,
      );
    }
  }

  async get(key: string): Promise<Buffer | null> {
    const rows: { data: Buffer }[] = await this.db.query('SELECT data FROM blobs WHERE key = $1', [key]);
    return rows[0]?.data ?? null;
  }

  async delete(key: string): Promise<void> {
    await this.db.query('DELETE FROM blobs WHERE key = $1', [key]);
  }

  async deleteMany(keys: readonly string[]): Promise<void> {
    if (keys.length) await this.db.query('DELETE FROM blobs WHERE key = ANY($1::text[])', [keys]);
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
