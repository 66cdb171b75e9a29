#!/usr/bin/env node
// `npm test [-- paths…]`: compile with tsc (decorator metadata needs it), make sure a PostgreSQL
// is reachable (DATABASE_URL, else an embedded one for the length of the run), then run node's
// test runner over the compiled `*.test.js` files under the given paths (default: server, tests).
import { spawnSync, spawn } from 'node:child_process';
import { readdirSync, statSync, mkdtempSync, rmSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';

const root = resolve(import.meta.dirname, '..');
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

run('npx', ['tsc', '-p', 'tsconfig.json']);
run(process.execPath, [join(root, 'scripts/bundle-tfjs.mjs')]);

const args = process.argv.slice(2);
const roots = (args.length ? args : ['server', 'tests']).map((p) => join(root, 'dist', p.replace(/\.ts$/, '.js')));
const files = [];
const walk = (p) => {
  if (!existsSync(p)) return;
  if (statSync(p).isDirectory()) for (const e of readdirSync(p).sort()) walk(join(p, e));
  else if (p.endsWith('.test.js')) files.push(p);
};
roots.forEach(walk);
if (files.length === 0) {
  console.error(`no test files under ${roots.join(', ')}`);
  process.exit(1);
}

let embedded;
let dataDir;
if (!process.env.DATABASE_URL) {
  const { startEmbeddedPostgres } = await import(join(root, 'dist/server/db/embedded.js'));
  dataDir = mkdtempSync(join(tmpdir(), 'percept-test-pg-'));
  embedded = await startEmbeddedPostgres({ dataDir, log: () => {} });
  process.env.DATABASE_URL = embedded.url;
  console.log(`embedded PostgreSQL for this run: ${embedded.url}`);
} else {
  console.log('using PostgreSQL from DATABASE_URL');
}

const child = spawn(
  process.execPath,
  ['--test', '--test-reporter=spec', `--test-concurrency=${process.env.TEST_CONCURRENCY ?? 2}`, ...files],
  {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, PERCEPT_LOG_LEVEL: process.env.PERCEPT_LOG_LEVEL ?? 'silent' },
  },
);
const code = await new Promise((res) => child.on('exit', (c, s) => res(c ?? (s ? 1 : 0))));
if (embedded) {
  await embedded.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(code);
