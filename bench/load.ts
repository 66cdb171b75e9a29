// Sustained load on one server: 50 concurrent classify clients and 200 open graphql-ws
// subscriptions (taskUpdated / modelUpdated / trainingProgress of the served model) for
// LOAD_SECONDS (60; `--short`: 10), loopback only. Reports throughput, p50/p99 latency, errors,
// and the resident memory of the server and of its runner processes sampled every second from
// /proc/<pid>/status: growth after warm-up (the first 25% of the run) and a least-squares slope
// (flat = no leak). Baseline in the same run: the bare in-process decode+predict rate of the same
// network and images (as bench/classify.ts), batches of 64. The last line is one JSON object.
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { initBackend } from '../server/ml/backend';
import { ImageClassifier } from '../server/ml/infer';
import { normaliseImage } from '../server/datasets/normalise';
import { createDataSource } from '../server/db/database';
import { PostgresBlobStore } from '../server/storage/postgres-blob-store';
import { png } from '../tests/support/fixtures';
import { gql } from '../tests/support/graphql';
import { syntheticZip } from '../tests/support/training';
import { BenchUser, log, percentile, round } from './support/client';
import { startBenchServer } from './support/server';

const SHORT = process.argv.includes('--short');
const SECONDS = SHORT ? 10 : Number(process.env.LOAD_SECONDS ?? 60);
const CLIENTS = 50;
const SUBSCRIPTIONS = 200;
const SIDE = 28;
const CLASSIFY = 'mutation($m: ID!, $i: ImageInput!) { classify(modelId: $m, image: $i, topK: 3) { candidateId } }';

/** Resident set size in MB from /proc/<pid>/status, or null when the process is gone. */
function rssMb(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

function childPids(pid: number): number[] {
  try {
    return execFileSync('ps', ['--ppid', String(pid), '-o', 'pid='], { encoding: 'utf8' })
      .split('\n')
      .map((s) => Number(s.trim()))
      .filter((n) => n > 0);
  } catch {
    return []; // ps exits 1 when there are none
  }
}

/** Least-squares slope of y over x. */
function slope(points: { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const num = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0);
  const den = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

interface Sample {
  t: number; // seconds since the load started
  server: number;
  runners: number; // sum over the runner processes
}

/** Growth from the first sample after warm-up to the mean of the last three, and the slope in MB/min. */
function growth(samples: Sample[], key: 'server' | 'runners'): { growthMb: number; slopeMbPerMin: number } {
  const after = samples.filter((s) => s.t >= SECONDS * 0.25);
  if (after.length < 2) return { growthMb: 0, slopeMbPerMin: 0 };
  const tail = after.slice(-3);
  const end = tail.reduce((s, x) => s + x[key], 0) / tail.length;
  return {
    growthMb: round(end - after[0]![key], 1),
    slopeMbPerMin: round(slope(after.map((s) => ({ x: s.t / 60, y: s[key] }))), 2),
  };
}

async function main(): Promise<void> {
  const server = await startBenchServer({ PERCEPT_LOCAL_RUNNERS: '2', PERCEPT_CLASSIFY_PER_MINUTE: '1000000' });
  const clients: Client[] = [];
  try {
    const user = await BenchUser.signUp(server.graphqlUrl);
    const modelId = await user.createModel('load', await png(SIDE, SIDE, 1));
    const data = await syntheticZip({ classes: 6, perClass: 100, side: SIDE, heldOutPerClass: 20 });
    await user.importZip(modelId, data.zip);
    const { trainModel } = await user.call<{ trainModel: { id: string } }>(
      'mutation($m: ID!) { trainModel(modelId: $m, input: { candidates: 1, maxEpochs: 3 }) { id } }',
      { m: modelId },
    );
    await user.waitForTask(trainModel.id);
    log('model trained');
    const images = data.heldOut.map((h) => h.png.toString('base64'));

    // 200 subscriptions, each on its own WebSocket, cycling through the three kinds.
    const subscriptionQueries = [
      { query: 'subscription($id: ID!) { taskUpdated(id: $id) { id status } }', variables: { id: trainModel.id } },
      { query: 'subscription($id: ID!) { modelUpdated(id: $id) { id status } }', variables: { id: modelId } },
      {
        query: 'subscription($m: ID!) { trainingProgress(modelId: $m) { __typename } }',
        variables: { m: modelId },
      },
    ];
    let subscriptionErrors = 0;
    let subscriptionEvents = 0;
    const firstEvents: Promise<void>[] = [];
    const tSubscribe = performance.now();
    for (let i = 0; i < SUBSCRIPTIONS; i++) {
      const client = createClient({
        url: server.graphqlUrl.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${user.token}` },
        retryAttempts: 0,
      });
      clients.push(client);
      firstEvents.push(
        new Promise<void>((resolve) => {
          client.on('connected', () => setTimeout(resolve, 100));
          let first = true;
          client.subscribe(subscriptionQueries[i % subscriptionQueries.length]!, {
            next: (v) => {
              if (v.errors?.length) subscriptionErrors++;
              subscriptionEvents++;
              if (first) resolve();
              first = false;
            },
            error: (e) => {
              subscriptionErrors++;
              log(`subscription ${i} error: ${JSON.stringify(e instanceof Error ? e.message : e)}`);
              resolve();
            },
            complete: () => {
              if (first) resolve();
            },
          });
        }),
      );
    }
    // taskUpdated and trainingProgress answer at once, modelUpdated only on change: a subscription
    // counts as open at its first event or 100 ms after its connection is acknowledged.
    await Promise.race([Promise.all(firstEvents), new Promise((r) => setTimeout(r, 30_000))]);
    log(
      `${SUBSCRIPTIONS} subscriptions open (${subscriptionErrors} errors) ` +
        `in ${round((performance.now() - tSubscribe) / 1000, 1)} s`,
    );

    const classify = async (i: number) => {
      const res = await gql(
        server.graphqlUrl,
        CLASSIFY,
        { m: modelId, i: { base64: images[i % images.length]! } },
        user.token,
      );
      if (!res.data || res.errors?.length) throw new Error(JSON.stringify(res.errors));
    };
    for (let i = 0; i < 20; i++) await classify(i); // warm: both runners load the network

    const serverPid = server.process.pid!;
    const runnerPids = childPids(serverPid);
    log(`server pid ${serverPid}, runner pids ${runnerPids.join(', ') || '(none found)'}`);
    const samples: Sample[] = [];
    const t0 = performance.now();
    const sample = () => {
      const s = rssMb(serverPid);
      if (s === null) return;
      const runners = runnerPids.map(rssMb).reduce<number>((a, b) => a + (b ?? 0), 0);
      samples.push({ t: (performance.now() - t0) / 1000, server: s, runners });
    };
    sample();
    const sampler = setInterval(sample, 1000);

    const latencies: number[] = [];
    let errors = 0;
    let firstError = '';
    const until = t0 + SECONDS * 1000;
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, k) => {
        for (let i = k; performance.now() < until; i += CLIENTS) {
          const s = performance.now();
          try {
            await classify(i);
            latencies.push(performance.now() - s);
          } catch (e) {
            errors++;
            firstError ||= (e as Error).message;
          }
        }
      }),
    );
    const elapsed = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    sample();
    const requestsPerSec = latencies.length / elapsed;
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    const serverGrowth = growth(samples, 'server');
    const runnerGrowth = growth(samples, 'runners');
    const stillOpen = subscriptionErrors === 0;
    errors += subscriptionErrors;
    log(
      `load: ${latencies.length} requests in ${round(elapsed)} s → ${round(requestsPerSec)} req/s; ` +
        `p50 ${round(p50, 2)} ms, p99 ${round(p99, 2)} ms (${round(p99 / p50, 1)}× p50; target < 10×); ` +
        `errors ${errors}${firstError ? ` (first: ${firstError.slice(0, 200)})` : ''}; subscriptions ${stillOpen ? 'all open' : 'had errors'}, ${subscriptionEvents} events received`,
    );
    const first = samples[0]!;
    const last = samples[samples.length - 1]!;
    log(
      `memory: server ${round(first.server)} → ${round(last.server)} MB (after warm-up ${serverGrowth.growthMb} MB, ` +
        `${serverGrowth.slopeMbPerMin} MB/min); runners ${round(first.runners)} → ${round(last.runners)} MB ` +
        `(after warm-up ${runnerGrowth.growthMb} MB, ${runnerGrowth.slopeMbPerMin} MB/min); ${samples.length} samples`,
    );
    for (const c of clients) void c.dispose();
    clients.length = 0;

    // Bare: the same network and images in this process, batches of 64.
    const backend = await initBackend();
    const db = createDataSource(server.databaseUrl);
    await db.initialize();
    const [row] = await db.query(
      `SELECT c."artifactKey" FROM models m JOIN candidates c ON c.id = m."activeCandidateId" WHERE m.id = $1`,
      [modelId],
    );
    const classifier = await ImageClassifier.load(new PostgresBlobStore(db), row.artifactKey);
    await db.destroy();
    const shape = { width: SIDE, height: SIDE, channels: 1 as const };
    const pngs = data.heldOut.slice(0, 64).map((h) => h.png);
    const batch = await Promise.all(pngs.map((b) => normaliseImage(b, shape, 1e8)));
    await classifier.classify(batch, 3); // warm
    const tb = performance.now();
    let batches = 0;
    while (performance.now() - tb < 3000) {
      await Promise.all(pngs.map((b) => normaliseImage(b, shape, 1e8)));
      await classifier.classify(batch, 3);
      batches++;
    }
    const bare = (batches * 64) / ((performance.now() - tb) / 1000);
    log(
      `bare (${backend.backend}): ${round(bare)} images/s in batches of 64 → load/bare ${round(requestsPerSec / bare, 3)}`,
    );

    console.log(
      JSON.stringify({
        bench: 'load',
        seconds: round(elapsed, 1),
        clients: CLIENTS,
        subscriptions: SUBSCRIPTIONS,
        requestsPerSec: round(requestsPerSec),
        p50Ms: round(p50, 2),
        p99Ms: round(p99, 2),
        errors,
        serverRssGrowthMb: serverGrowth.growthMb,
        serverRssSlopeMbPerMin: serverGrowth.slopeMbPerMin,
        runnerRssGrowthMb: runnerGrowth.growthMb,
        runnerRssSlopeMbPerMin: runnerGrowth.slopeMbPerMin,
        runners: runnerPids.length,
        bareImagesPerSec: round(bare),
        ratioToBare: round(requestsPerSec / bare, 3),
        backend: backend.backend,
      }),
    );
  } finally {
    for (const c of clients) void c.dispose();
    await server.stop();
  }
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
