import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client } from 'pg';
import { connectAndMigrate, provideDatabase } from '../server/db/database';
import { createLogger } from '../server/logging/logger';
import { recoverInterruptedTasks } from '../server/tasks/recovery';
import { createTestDatabase, type TestDatabase } from './support/database';

const MAIN = join(__dirname, '..', 'server', 'main.js');

describe('pre-startup check: tasks left RUNNING by a dead process', () => {
  let database: TestDatabase;
  before(async () => (database = await createTestDatabase()));
  after(() => database.drop());

  test('are requeued (or failed when out of attempts) with the reason; live leases elsewhere are left alone', async () => {
    const db = await connectAndMigrate(database.url);
    try {
      const insert = async (lockedBy: string | null, leaseSeconds: number | null, attempts = 1) => {
        const [row] = await db.query(
          `INSERT INTO tasks (type, status, attempts, "maxAttempts", "lockedBy", "leaseExpiresAt", "startedAt")
           VALUES ('NOOP', 'RUNNING', $1, 3, $2, CASE WHEN $3::int IS NULL THEN NULL ELSE now() + make_interval(secs => $3::int) END, now())
           RETURNING id`,
          [attempts, lockedBy, leaseSeconds],
        );
        return row.id as string;
      };
      const mineLive = await insert('this-node/runner-1', 60);
      const elsewhereExpired = await insert('other-node/runner-1', -5);
      const elsewhereLive = await insert('other-node/runner-2', 60);
      const exhausted = await insert('this-node/runner-2', 60, 3);

      const report = await recoverInterruptedTasks(db, 'this-node', createLogger('silent'));
      assert.deepEqual(new Set(report.requeued), new Set([mineLive, elsewhereExpired]));
      assert.deepEqual(report.failed, [exhausted]);

      const rows: { id: string; status: string; error: string | null; lockedBy: string | null }[] = await db.query(
        'SELECT id, status, error, "lockedBy" FROM tasks',
      );
      const byId = new Map(rows.map((r) => [r.id, r]));
      assert.equal(byId.get(mineLive)?.status, 'QUEUED');
      assert.match(byId.get(mineLive)?.error ?? '', /interrupted.*requeued/);
      assert.equal(byId.get(mineLive)?.lockedBy, null);
      assert.equal(byId.get(elsewhereExpired)?.status, 'QUEUED');
      assert.equal(byId.get(elsewhereLive)?.status, 'RUNNING', 'another live server still holds it');
      assert.equal(byId.get(exhausted)?.status, 'FAILED');
      assert.match(byId.get(exhausted)?.error ?? '', /no attempts left/);
    } finally {
      await db.destroy();
    }
  });
});

describe('database choice', () => {
  test('DATABASE_URL, when set, is used as it is and nothing is started', async () => {
    const database = await createTestDatabase();
    try {
      const handle = await provideDatabase(database.url, '/nonexistent-dir-that-is-never-created');
      assert.equal(handle.url, database.url);
      assert.equal(handle.embedded, false);
      assert.equal(existsSync('/nonexistent-dir-that-is-never-created'), false);
    } finally {
      await database.drop();
    }
  });

  test('with no DATABASE_URL, `npm start` runs its own PostgreSQL, serves, and stops it on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'percept-start-'));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PERCEPT_DATA_DIR: dataDir,
      PORT: '0',
      PERCEPT_LOCAL_RUNNERS: '0',
      PERCEPT_LOG_LEVEL: 'info',
    };
    delete env.DATABASE_URL;
    const child = spawn(process.execPath, [MAIN, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 60_000);
        const onData = () => {
          const m = /Percept is running at (\S+)/.exec(output);
          if (m?.[1]) {
            clearTimeout(timer);
            resolve(m[1]);
          }
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
      });
      const health = await fetch(`${url}/healthz`);
      assert.equal(health.status, 200);
      assert.deepEqual(await health.json(), { status: 'ok', database: 'ok' });
      assert.ok(existsSync(join(dataDir, 'postgres', 'postmaster.pid')), 'embedded PostgreSQL runs in the data dir');

      // The server's own PostgreSQL holds the schema.
      const port = /postgres:\/\/[^@]+@127\.0\.0\.1:(\d+)/.exec(output)?.[1];
      if (port) {
        const c = new Client({ connectionString: `postgres://postgres:percept@127.0.0.1:${port}/postgres` });
        await c.connect();
        try {
          const rows = await c.query(`SELECT count(*)::int AS n FROM migrations`);
          const files = readdirSync(join(__dirname, '..', 'server', 'db', 'migrations')).filter((f) =>
            f.endsWith('.js'),
          );
          assert.equal(rows.rows[0].n, files.length, 'every migration ran');
        } finally {
          await c.end();
        }
      }

      const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      assert.equal(await exit, 0, output);
      assert.equal(existsSync(join(dataDir, 'postgres', 'postmaster.pid')), false, 'PostgreSQL was stopped');
    } finally {
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
