import 'reflect-metadata';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { entities } from './entities';
import { startEmbeddedPostgres } from './embedded';

export interface DatabaseHandle {
  url: string;
  /** True when Percept started the PostgreSQL server itself. */
  embedded: boolean;
  stop(): Promise<void>;
}

/** `DATABASE_URL` when given; otherwise an embedded PostgreSQL in `dataDir`. */
export async function provideDatabase(
  databaseUrl: string | null,
  dataDir: string,
  log?: (line: string) => void,
): Promise<DatabaseHandle> {
  if (databaseUrl) return { url: databaseUrl, embedded: false, stop: async () => {} };
  const pg = await startEmbeddedPostgres({ dataDir, log });
  return { url: pg.url, embedded: true, stop: pg.stop };
}

export function createDataSource(url: string, opts: { poolSize?: number } = {}): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities,
    migrations: [join(__dirname, 'migrations', '*.js')],
    migrationsTableName: 'migrations',
    synchronize: false,
    // gen_random_uuid() is core since PostgreSQL 13: no extension to install on a managed database.
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    // A request must not hang forever when PostgreSQL is gone: fail the query instead.
    extra: { max: opts.poolSize ?? 10, connectionTimeoutMillis: 10_000, statement_timeout: 60_000 },
  });
}

/** Connects and applies pending migrations (each in its own transaction). */
export async function connectAndMigrate(url: string): Promise<DataSource> {
  const db = createDataSource(url);
  await db.initialize();
  await db.runMigrations({ transaction: 'each' });
  return db;
}
