// Queue latency and throughput: NOOP tasks through Percept's orchestrator to 2 local and 2 remote
// runners, against a bare `FOR UPDATE SKIP LOCKED` claim loop on the same database in the same run.
//   burst:   all tasks queued at once; tasks/s from first queued to last finished
//   trickle: tasks queued one by one at a steady rate; queued→started delay (p50/p99) shows
//            whether a queued task starts at once (NOTIFY wake-up) or waits for a tick
// Env: BENCH_TASKS (2000), BENCH_TRICKLE (300), BENCH_TRICKLE_RATE (50/s). DATABASE_URL or embedded.
// The last line of output is one JSON object.
import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startPercept } from '../server/app/startup';
import { AuthService } from '../server/auth/auth.service';
import { loadConfig } from '../server/config/config';
import { provideDatabase } from '../server/db/database';
import { createLogger } from '../server/logging/logger';
import { TaskType } from '../server/tasks/task.entity';

const TASKS = Number(process.env.BENCH_TASKS ?? 2000);
const TRICKLE = Number(process.env.BENCH_TRICKLE ?? 300);
const RATE = Number(process.env.BENCH_TRICKLE_RATE ?? 50);

const log = (line: string) => process.stderr.write(line + '\n');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const round = (n: number) => Math.round(n * 10) / 10;

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'percept-bench-queue-'));
  const database = await provideDatabase(process.env.DATABASE_URL ?? null, dataDir);
  const admin = new Client({ connectionString: database.url });
  await admin.connect();
  const dbName = `percept_bench_queue_${process.pid}`;
  await admin.query(`DROP DATABASE IF EXISTS ${dbName}`);
  await admin.query(`CREATE DATABASE ${dbName}`);
  const url = new URL(database.url);
  url.pathname = `/${dbName}`;
  const children: ChildProcess[] = [];
  try {
    const config = loadConfig({
      DATABASE_URL: url.toString(),
      PERCEPT_DATA_DIR: dataDir,
      PORT: '0',
      PERCEPT_HOST: '127.0.0.1',
      PERCEPT_LOCAL_RUNNERS: '2',
      PERCEPT_LOG_LEVEL: 'warn',
    });
    const percept = await startPercept(config, createLogger('warn'));
    const { user } = await new AuthService(percept.db, 1).ensureAdmin('bench@example.com', 'bench password');
    const token = (await percept.services.auth.createRunnerToken('bench')).secret;
    for (const name of ['remote-1', 'remote-2']) {
      const child = spawn(
        process.execPath,
        [
          join(__dirname, '..', 'server', 'main.js'),
          'runner',
          '--server',
          percept.url,
          '--token',
          token,
          '--name',
          name,
        ],
        {
          stdio: 'ignore',
        },
      );
      children.push(child);
    }
    const idle = async () =>
      (await percept.db.query(`SELECT count(*)::int AS n FROM runners WHERE status = 'IDLE'`))[0].n as number;
    while ((await idle()) < 4) await sleep(100);
    log('4 runners ready (2 local, 2 remote)');

    const enqueue = () =>
      percept.services.tasks.enqueue({ type: TaskType.NOOP, payload: {}, ownerId: user.id, modelId: null });
    const finished = async (ids: string[]) =>
      (
        await percept.db.query(`SELECT count(*)::int AS n FROM tasks WHERE id = ANY($1) AND status = 'SUCCEEDED'`, [
          ids,
        ])
      )[0].n as number;

    // Burst.
    const burstIds: string[] = [];
    const t0 = performance.now();
    for (let i = 0; i < TASKS; i++) burstIds.push((await enqueue()).id);
    while ((await finished(burstIds)) < TASKS) await sleep(50);
    const burstSeconds = (performance.now() - t0) / 1000;
    log(`percept burst: ${TASKS} tasks in ${burstSeconds.toFixed(1)} s`);

    // Trickle.
    const trickleIds: string[] = [];
    for (let i = 0; i < TRICKLE; i++) {
      trickleIds.push((await enqueue()).id);
      await sleep(1000 / RATE);
    }
    while ((await finished(trickleIds)) < TRICKLE) await sleep(50);
    const delays: number[] = (
      await percept.db.query(
        `SELECT extract(epoch FROM ("startedAt" - "createdAt")) * 1000 AS ms FROM tasks WHERE id = ANY($1)`,
        [trickleIds],
      )
    ).map((r: { ms: string }) => Number(r.ms));
    const duplicates = (
      await percept.db.query(`SELECT count(*)::int AS n FROM tasks WHERE id = ANY($1) AND attempts > 1`, [
        [...burstIds, ...trickleIds],
      ])
    )[0].n as number;
    children.forEach((c) => c.kill('SIGKILL'));
    await percept.stop();

    const bare = await bareLoop(url.toString());
    const result = {
      bench: 'queue',
      tasks: TASKS,
      tasksPerSec: round(TASKS / burstSeconds),
      p50StartMs: round(pct(delays, 50)),
      p99StartMs: round(pct(delays, 99)),
      bareTasksPerSec: round(bare.tasksPerSec),
      bareP50Ms: round(pct(bare.delays, 50)),
      bareP99Ms: round(pct(bare.delays, 99)),
      ratioTasksPerSecToBare: Math.round((TASKS / burstSeconds / bare.tasksPerSec) * 1000) / 1000,
      duplicates,
    };
    log(`percept: ${result.tasksPerSec} tasks/s, start delay p50 ${result.p50StartMs} ms, p99 ${result.p99StartMs} ms`);
    log(
      `bare SKIP LOCKED loop: ${result.bareTasksPerSec} tasks/s, start delay p50 ${result.bareP50Ms} ms, p99 ${result.bareP99Ms} ms`,
    );
    console.log(JSON.stringify(result));
  } finally {
    children.forEach((c) => c.kill('SIGKILL'));
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
    await database.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * The floor: 4 claimers polling a bare table with the same claim statement, no runners, no
 * processes, no leases renewed — the cost of PostgreSQL alone. Pollers sleep 1 ms when idle.
 */
async function bareLoop(url: string): Promise<{ tasksPerSec: number; delays: number[] }> {
  const setup = new Client({ connectionString: url });
  await setup.connect();
  await setup.query(`CREATE TABLE bare_jobs (id serial PRIMARY KEY, status text NOT NULL DEFAULT 'queued', priority int NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(), started_at timestamptz, locked_by text)`);
  await setup.query(`CREATE INDEX ON bare_jobs (status, priority, created_at)`);
  let stop = false;
  const claimers = await Promise.all(
    [1, 2, 3, 4].map(async (n) => {
      const c = new Client({ connectionString: url });
      await c.connect();
      const loop = (async () => {
        while (!stop) {
          const r = await c.query(
            `UPDATE bare_jobs SET status = 'done', started_at = clock_timestamp(), locked_by = $1
             WHERE id = (SELECT id FROM bare_jobs WHERE status = 'queued' ORDER BY priority DESC, created_at FOR UPDATE SKIP LOCKED LIMIT 1)
             RETURNING id`,
            [`bare-${n}`],
          );
          if (!r.rowCount) await sleep(1);
        }
      })();
      return { c, loop };
    }),
  );
  const done = async () =>
    Number((await setup.query(`SELECT count(*) AS n FROM bare_jobs WHERE status = 'done'`)).rows[0].n);
  const t0 = performance.now();
  for (let i = 0; i < TASKS; i++) await setup.query(`INSERT INTO bare_jobs DEFAULT VALUES`);
  while ((await done()) < TASKS) await sleep(20);
  const tasksPerSec = TASKS / ((performance.now() - t0) / 1000);
  await setup.query(`TRUNCATE bare_jobs`);
  for (let i = 0; i < TRICKLE; i++) {
    await setup.query(`INSERT INTO bare_jobs DEFAULT VALUES`);
    await sleep(1000 / RATE);
  }
  while ((await done()) < TRICKLE) await sleep(20);
  const delays = (
    await setup.query(`SELECT extract(epoch FROM (started_at - created_at)) * 1000 AS ms FROM bare_jobs`)
  ).rows.map((r) => Number(r.ms));
  stop = true;
  for (const { c, loop } of claimers) {
    await loop;
    await c.end();
  }
  await setup.end();
  return { tasksPerSec, delays };
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
