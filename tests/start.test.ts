// `npm start` builds once and then starts without rebuilding (issue 20, item 1), and a production
// install — the runtime dependencies alone, as `npm ci --omit=dev` leaves them, beside that build —
// runs the server and a remote runner. Both in a copy of the sources, so the checkout is untouched.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from './support/database';
import { gql } from './support/graphql';
import { signUp } from './support/fixtures';

const ROOT = resolve(__dirname, '..', '..');
const SOURCES = [
  ...['server', 'client', 'tests', 'bench', 'scripts'],
  ...['tsconfig.json', 'package.json', 'package-lock.json', 'ormconfig.ts', 'codegen.ts'],
];

let app: string;
let database: TestDatabase;

before(async () => {
  app = mkdtempSync(join(tmpdir(), 'percept-start-'));
  for (const s of SOURCES) {
    cpSync(join(ROOT, s), join(app, s), {
      recursive: true,
      filter: (from) => !/[/\\](node_modules|dist)$/.test(from),
    });
  }
  symlinkSync(join(ROOT, 'node_modules'), join(app, 'node_modules'));
  // The checkout's compiled output (`npm test` has just compiled it) and tsc's incremental state,
  // without a stamp: the first start still builds, but tsc has little to redo.
  cpSync(join(ROOT, 'dist'), join(app, 'dist'), { recursive: true });
  rmSync(join(app, 'dist', '.build-stamp'), { force: true });
  database = await createTestDatabase();
});
after(async () => {
  rmSync(app, { recursive: true, force: true });
  await database.drop();
});

interface Run {
  output: string;
  url?: string;
  stop(): Promise<void>;
}

/** `npm <args>` in the copy; resolves once `ready` shows in the output (or the process ends). */
function npm(args: string[], ready: RegExp, env: Record<string, string> = {}): Promise<Run> {
  const child = spawn('npm', args, {
    cwd: app,
    detached: true, // its own process group: npm, sh and node stop together
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      DATABASE_URL: database.url,
      PERCEPT_DATA_DIR: join(app, 'data'),
      PORT: '0',
      PERCEPT_HOST: '127.0.0.1',
      PERCEPT_LOCAL_RUNNERS: '0',
      PERCEPT_LOG_LEVEL: 'warn',
      ...env,
    },
  });
  const run: Run = {
    output: '',
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      process.kill(-child.pid!, 'SIGTERM');
      await exited;
    },
  };
  return new Promise((resolveRun, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${ready} within 3 minutes:\n${run.output}`)), 180_000);
    const onData = (d: Buffer) => {
      run.output += d.toString();
      const m = ready.exec(run.output);
      if (m) {
        clearTimeout(timer);
        run.url = m[1];
        resolveRun(run);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`npm ${args.join(' ')} exited (${code}) before ${ready}:\n${run.output}`));
    });
  });
}

const RUNNING = /Percept is running at (\S+)/;
const mtime = (p: string) => statSync(join(app, p)).mtimeMs;

test('`npm start` builds on the first start only; changed sources are found', async () => {
  const first = await npm(['start'], RUNNING);
  await first.stop();
  assert.match(first.output, /building the server/);
  assert.match(first.output, /building the client/);
  const built = { server: mtime('dist/server/main.js'), client: mtime('client/dist/index.html') };

  const t0 = performance.now();
  const second = await npm(['start'], RUNNING);
  const ms = performance.now() - t0;
  const health = await fetch(`${second.url}/healthz`);
  await second.stop();
  assert.equal(health.status, 200);
  assert.doesNotMatch(second.output, /building/, second.output);
  assert.deepEqual({ server: mtime('dist/server/main.js'), client: mtime('client/dist/index.html') }, built);
  console.log(`restart to "running" without a build: ${Math.round(ms)} ms`);

  const main = join(app, 'server', 'main.ts');
  const source = readFileSync(main);
  const check = () => spawnSync(process.execPath, ['scripts/build.mjs', '--check'], { cwd: app, encoding: 'utf8' });
  writeFileSync(main, `${source}\n// changed\n`);
  assert.deepEqual([check().status, check().stdout], [1, 'server: out of date\nclient: current\n']);
  writeFileSync(main, source);
  assert.deepEqual([check().status, check().stdout], [0, 'server: current\nclient: current\n']);
});

test('a production install (runtime dependencies only, beside the build) runs the server and a remote runner', async () => {
  if (!existsSync(join(app, 'dist', 'server', 'main.js'))) {
    assert.equal(spawnSync('npm', ['run', 'build'], { cwd: app, stdio: 'ignore' }).status, 0);
  }
  // What `npm ci --omit=dev` installs: every package the lockfile does not mark dev-only, hard-linked.
  rmSync(join(app, 'node_modules'));
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean }>;
  };
  for (const [path, meta] of Object.entries(lock.packages)) {
    if (!path.startsWith('node_modules/') || path.lastIndexOf('node_modules/') !== 0 || meta.dev) continue;
    if (!existsSync(join(ROOT, path))) continue; // an optional package for another platform
    mkdirSync(dirname(join(app, path)), { recursive: true });
    // Hard links where the copy is on the checkout's filesystem (fast); a plain copy elsewhere.
    if (spawnSync('cp', ['-al', join(ROOT, path), join(app, path)]).status !== 0) {
      cpSync(join(ROOT, path), join(app, path), { recursive: true, verbatimSymlinks: true });
    }
  }
  assert.equal(existsSync(join(app, 'node_modules', 'typescript')), false);
  assert.equal(existsSync(join(app, 'node_modules', 'vite')), false);

  const server = await npm(['start'], RUNNING);
  try {
    const admin = await signUp(`${server.url}/graphql`);
    const token = (
      await gql(`${server.url}/graphql`, 'mutation { createRunnerToken(name: "prod") { secret } }', {}, admin.token)
    ).data!.createRunnerToken.secret as string;
    const runner = await npm(
      ['run', 'runner', '--', '--server', server.url!, '--token', token, '--name', 'prod'],
      /joined/,
    );
    await runner.stop();
    assert.doesNotMatch(runner.output + server.output, /building|warning/);
  } finally {
    await server.stop();
  }
});
