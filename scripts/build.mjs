#!/usr/bin/env node
// `npm run build`: the server (tsc into dist/) and the web app (Vite into client/dist/), each
// followed by a stamp: a hash of the sources it was built from. `--if-stale` (what `npm start`,
// `npm run runner` and `npm run admin` use) builds only a part whose sources changed since its
// stamp, so a restart starts at once. Content hashes, not mtimes: a checkout or copy changes
// mtimes without changing what a build would produce.
//
//   node scripts/build.mjs [--if-stale] [--check] [server|client ...]
//
// `--check` builds nothing and exits 1 if a part is out of date. Where the build tools are not
// installed (`npm ci --omit=dev` beside a build made elsewhere), a stale part is run as it is,
// with a warning; a missing server build is an error that says what to do.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const SHARED = ['package-lock.json'];

const PARTS = {
  server: {
    // What tsconfig.json compiles (server unit tests import tests/support), and the lockfile.
    inputs: ['server', 'tests', 'bench', 'scripts', 'ormconfig.ts', 'codegen.ts', 'tsconfig.json', ...SHARED],
    out: 'dist',
    entry: 'dist/server/main.js',
    tool: 'node_modules/typescript/bin/tsc',
    // tsc, then the TensorFlow.js gradient and chained-op registrations (see scripts/bundle-tfjs.mjs).
    build: () => [
      [process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json']],
      [process.execPath, [join(root, 'scripts/bundle-tfjs.mjs')]],
    ],
  },
  client: {
    inputs: ['client', ...SHARED],
    out: 'client/dist',
    entry: 'client/dist/index.html',
    tool: 'node_modules/vite/package.json',
    build: () => [[process.execPath, [join(root, 'scripts/build-client.mjs')]]],
  },
};
const STAMP = '.build-stamp';
const SKIP = new Set(['node_modules', 'dist', '.DS_Store']);

/** sha256 over the sorted relative paths and contents of a part's input files (~40 ms for the server). */
function sourceHash(part) {
  const files = [];
  const walk = (p) => {
    if (!existsSync(p)) return;
    if (!statSync(p).isDirectory()) return void files.push(relative(root, p).split(sep).join('/'));
    for (const name of readdirSync(p)) if (!SKIP.has(name)) walk(join(p, name));
  };
  PARTS[part].inputs.forEach((input) => walk(join(root, input)));
  const hash = createHash('sha256');
  for (const f of files.sort())
    hash
      .update(`${f}\0`)
      .update(readFileSync(join(root, f)))
      .update('\0');
  return hash.digest('hex');
}

const stampPath = (part) => join(root, PARTS[part].out, STAMP);
const builtFrom = (part) => (existsSync(stampPath(part)) ? readFileSync(stampPath(part), 'utf8').trim() : null);

function build(part, hash) {
  console.error(`building the ${part}…`);
  for (const [cmd, args] of PARTS[part].build()) {
    const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
  writeFileSync(stampPath(part), `${hash}\n`);
}

const args = process.argv.slice(2);
const ifStale = args.includes('--if-stale');
const check = args.includes('--check');
const named = args.filter((a) => !a.startsWith('--'));
const parts = named.length ? named : Object.keys(PARTS);
for (const part of parts) if (!(part in PARTS)) throw new Error(`unknown part ${part}; use server or client`);

let stale = false;
for (const part of parts) {
  const hash = sourceHash(part);
  const current = builtFrom(part) === hash && existsSync(join(root, PARTS[part].entry));
  if (check) {
    console.log(`${part}: ${current ? 'current' : 'out of date'}`);
    stale ||= !current;
    continue;
  }
  if (ifStale && current) continue;
  if (existsSync(join(root, PARTS[part].tool))) {
    build(part, hash);
    continue;
  }
  // No build tools: a production install (`npm ci --omit=dev`) beside a build made elsewhere.
  const built = existsSync(join(root, PARTS[part].entry));
  if (built) {
    console.error(
      `warning: the ${part} build in ${PARTS[part].out}/ does not match the sources and the build tools ` +
        'are not installed (npm ci --omit=dev); running it as it is. Rebuild with `npm ci && npm run build`.',
    );
  } else if (part === 'server') {
    console.error(
      'There is no server build in dist/ and no TypeScript to make one: run `npm ci && npm run build` ' +
        '(dev dependencies needed), or copy dist/ and client/dist/ from a machine that did.',
    );
    process.exit(1);
  } else {
    console.error('warning: no web app build in client/dist/ and no Vite to make one: serving the API only.');
  }
}
if (stale) process.exit(1);
