// Live events under many subscriptions: one user holds SUBSCRIPTIONS tasksChanged subscriptions on
// one socket while tasks change (an admin changes a task's priority, EVENTS_PER_SECOND times a
// second); another user's `{ me { id } }` is timed meanwhile, and with nothing going on.
//   ratioP99 = that user's p99 while tasks change / p99 when idle
//   dbReadsPerEvent = reads of the tasks table per event beyond what the same events cost with no
//     subscription open (PostgreSQL's own counters, pg_stat_user_tables: index + sequential scans)
//   ratioP99ToEventsOnly = that p99 / its p99 while the same events happen with no subscription
// The last line is one JSON object.
import 'reflect-metadata';
import { createClient } from 'graphql-ws';
import { Client } from 'pg';
import WebSocket from 'ws';
import { png, signUp } from '../tests/support/fixtures';
import { gql, gqlUpload } from '../tests/support/graphql';
import { syntheticZip } from '../tests/support/training';
import { log, percentile, round } from './support/client';
import { startBenchServer } from './support/server';

const SUBSCRIPTIONS = Number(process.env.BENCH_SUBSCRIPTIONS ?? 2000);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 400);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 200);
const EVENTS_PER_SECOND = Number(process.env.BENCH_EVENTS_PER_SECOND ?? 20);
// Backends report their table counters when idle for about 10 s (PostgreSQL's PGSTAT_IDLE_INTERVAL).
const STATS_SETTLE_MS = 11_500;

async function main(): Promise<void> {
  const server = await startBenchServer({
    PERCEPT_LOCAL_RUNNERS: '0',
    PERCEPT_TICK_MS: '600000',
    PERCEPT_MAX_SUBSCRIPTIONS_PER_SOCKET: String(SUBSCRIPTIONS),
    PERCEPT_MAX_SUBSCRIPTIONS_PER_USER: String(SUBSCRIPTIONS),
  });
  const pg = new Client({ connectionString: server.databaseUrl });
  await pg.connect();
  try {
    const url = server.graphqlUrl;
    const admin = await signUp(url); // the first account is the admin
    const holder = await signUp(url);
    const other = await signUp(url);
    const { createDiagnosticTask } = (await gql(url, 'mutation { createDiagnosticTask { id } }', {}, admin.token))
      .data!;
    let priority = 0;
    const changeTask = () =>
      gql(
        url,
        'mutation($id: ID!, $p: Int!) { updateTask(id: $id, input: { priority: $p }) { id } }',
        { id: createDiagnosticTask.id, p: ++priority },
        admin.token,
      );
    const tasksReads = async () => {
      const [row] = (
        await pg.query(
          `SELECT coalesce(seq_scan, 0) + coalesce(idx_scan, 0) AS n FROM pg_stat_user_tables WHERE relname = 'tasks'`,
        )
      ).rows;
      return Number(row.n);
    };
    /** Changes the task at the set rate, `EVENTS` times, resolving when done. */
    const changeTasks = async () => {
      const gap = 1000 / EVENTS_PER_SECOND;
      const t0 = performance.now();
      for (let i = 0; i < EVENTS; i++) {
        await changeTask();
        const wait = t0 + (i + 1) * gap - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
    };
    /** The other user's `me` latencies, one query after another until `stop` says so. */
    const timeOther = async (stop: (count: number) => boolean) => {
      const times: number[] = [];
      while (!stop(times.length)) {
        const t0 = performance.now();
        await gql(url, '{ me { id } }', {}, other.token);
        times.push(performance.now() - t0);
      }
      return times;
    };
    for (let i = 0; i < 50; i++) await gql(url, '{ me { id } }', {}, other.token); // warm

    // The same events with no subscription open: what they cost by themselves.
    const r0 = await tasksReads();
    let changing = true;
    const bareEvents = changeTasks().finally(() => (changing = false));
    const eventsOnly = await timeOther(() => !changing);
    await bareEvents;
    await new Promise((r) => setTimeout(r, STATS_SETTLE_MS));
    const bareReads = (await tasksReads()) - r0;
    const idle = await timeOther((n) => n >= QUERIES);
    log(
      `idle: p99 ${round(percentile(idle, 99), 2)} ms over ${idle.length} queries; ${bareReads} reads for ${EVENTS} events with no subscriber`,
    );

    // One socket, SUBSCRIPTIONS subscriptions; live once an import of the holder's reaches all of them.
    const socket = createClient({
      url: url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${holder.token}` },
    });
    let received = 0;
    let refused = 0;
    for (let i = 0; i < SUBSCRIPTIONS; i++) {
      socket.subscribe(
        { query: 'subscription { tasksChanged { id status } }' },
        { next: () => received++, error: () => refused++, complete: () => {} },
      );
    }
    await new Promise((r) => setTimeout(r, 3000));
    const model = await gqlUpload(
      url,
      'mutation($input: CreateModelInput!) { createModel(input: $input) { id } }',
      { input: { name: 'live', sampleImage: null } },
      { 'input.sampleImage': { data: await png(8, 8, 1), filename: 's.png', type: 'image/png' } },
      holder.token,
    );
    const zip = (await syntheticZip({ classes: 2, perClass: 5, side: 8 })).zip;
    await gqlUpload(
      url,
      'mutation($m: ID!, $f: Upload!) { importDataset(modelId: $m, file: $f) { id } }',
      { m: model.data!.createModel.id, f: null },
      { f: { data: zip, filename: 'd.zip', type: 'application/zip' } },
      holder.token,
    );
    const deadline = Date.now() + 60_000;
    while (received < SUBSCRIPTIONS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (received < SUBSCRIPTIONS || refused) throw new Error(`only ${received} subscriptions live, ${refused} refused`);
    log(`${SUBSCRIPTIONS} subscriptions live on one socket`);

    const r1 = await tasksReads();
    changing = true;
    const events = changeTasks().finally(() => (changing = false));
    const loaded = await timeOther(() => !changing);
    await events;
    await new Promise((r) => setTimeout(r, STATS_SETTLE_MS));
    const liveReads = (await tasksReads()) - r1;
    await socket.dispose();
    const dbReadsPerEvent = (liveReads - bareReads) / EVENTS;
    log(
      `while tasks change: p99 ${round(percentile(loaded, 99), 2)} ms over ${loaded.length} queries; ${liveReads} reads for ${EVENTS} events`,
    );

    const result = {
      bench: 'live',
      subscriptions: SUBSCRIPTIONS,
      dbReadsPerEvent: round(dbReadsPerEvent, 2),
      otherUserP99Ms: round(percentile(loaded, 99), 2),
      idleP99Ms: round(percentile(idle, 99), 2),
      ratioP99: round(percentile(loaded, 99) / percentile(idle, 99), 2),
      otherUserP50Ms: round(percentile(loaded, 50), 2),
      idleP50Ms: round(percentile(idle, 50), 2),
      // The same events with no subscription open: what the event traffic costs by itself.
      eventsOnlyP99Ms: round(percentile(eventsOnly, 99), 2),
      ratioP99ToEventsOnly: round(percentile(loaded, 99) / percentile(eventsOnly, 99), 2),
      eventsPerSecond: EVENTS_PER_SECOND,
    };
    console.log(JSON.stringify(result));
  } finally {
    await pg.end();
    await server.stop();
  }
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
