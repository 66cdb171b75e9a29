// Single-image classify over HTTP against a trained model, at concurrency 1 and 16, next to the
// bare in-process cost of the same work in the same run (decode+resize with sharp, then predict
// with the same network loaded once):
//   ratioP50ToBare = HTTP p50 at concurrency 1 / bare p50 for one image
//   ratioC16ToBare = HTTP requests/s at concurrency 16 / bare batch images/s (batches of 64)
//   ratioRestP50ToBare = p50 of POST /v1/models/{id}/classify (raw image body) / bare p50
//   floorP50Ms: p50 of `{ __typename }` with the same token, what HTTP and Apollo cost by themselves
// The model: the generator's best network for 28×28 greyscale, trained briefly on synthetic
// patterns through the API (accuracy is not the point here). The last line is one JSON object.
import 'reflect-metadata';
import { initBackend } from '../server/ml/backend';
import { ImageClassifier } from '../server/ml/infer';
import { normaliseImage } from '../server/datasets/normalise';
import { createDataSource } from '../server/db/database';
import { PostgresBlobStore } from '../server/storage/postgres-blob-store';
import { png } from '../tests/support/fixtures';
import { syntheticZip } from '../tests/support/training';
import { BenchUser, log, percentile, round } from './support/client';
import { startBenchServer } from './support/server';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 300);
const C16_SECONDS = Number(process.env.BENCH_C16_SECONDS ?? 10);
const SIDE = 28;

async function main(): Promise<void> {
  const server = await startBenchServer({ PERCEPT_LOCAL_RUNNERS: '2', PERCEPT_CLASSIFY_PER_MINUTE: '1000000' });
  try {
    const user = await BenchUser.signUp(server.graphqlUrl);
    const modelId = await user.createModel('bench', await png(SIDE, SIDE, 1));
    const data = await syntheticZip({ classes: 6, perClass: 100, side: SIDE, heldOutPerClass: 20 });
    await user.importZip(modelId, data.zip);
    const { trainModel } = await user.call(
      'mutation($m: ID!) { trainModel(modelId: $m, input: { candidates: 1, maxEpochs: 3 }) { id } }',
      { m: modelId },
    );
    await user.waitForTask(trainModel.id);
    log('model trained');
    const images = data.heldOut.map((h) => h.png);
    const classify = (i: number) =>
      user.call('mutation($m: ID!, $i: ImageInput!) { classify(modelId: $m, image: $i, topK: 3) { candidateId } }', {
        m: modelId,
        i: { base64: images[i % images.length]!.toString('base64') },
      });
    for (let i = 0; i < 20; i++) await classify(i); // warm: both runners load the network

    const latencies: number[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const t0 = performance.now();
      await classify(i);
      latencies.push(performance.now() - t0);
    }
    const rest = async (i: number) => {
      const res = await fetch(`${server.url}/v1/models/${modelId}/classify?topK=3`, {
        method: 'POST',
        headers: { 'content-type': 'image/png', authorization: `Bearer ${user.token}` },
        body: images[i % images.length]!,
      });
      if (!res.ok) throw new Error(`REST classify: ${res.status} ${await res.text()}`);
      await res.json();
    };
    for (let i = 0; i < 20; i++) await rest(i);
    const floor: number[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const t0 = performance.now();
      await user.call('{ __typename }');
      floor.push(performance.now() - t0);
    }
    const restLatencies: number[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const t0 = performance.now();
      await rest(i);
      restLatencies.push(performance.now() - t0);
    }
    let done = 0;
    const until = performance.now() + C16_SECONDS * 1000;
    const t16 = performance.now();
    await Promise.all(
      Array.from({ length: 16 }, async (_, k) => {
        for (let i = k; performance.now() < until; i += 16) {
          await classify(i);
          done++;
        }
      }),
    );
    const c16 = done / ((performance.now() - t16) / 1000);
    log(
      `HTTP: p50 ${round(percentile(latencies, 50), 2)} ms, p99 ${round(percentile(latencies, 99), 2)} ms; c16 ${round(c16)} requests/s; REST p50 ${round(percentile(restLatencies, 50), 2)} ms`,
    );

    // Bare: the same network and images in this process.
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
    const bare: number[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const t0 = performance.now();
      await classifier.classify([await normaliseImage(images[i % images.length]!, shape, 1e8)], 3);
      bare.push(performance.now() - t0);
    }
    const batch = await Promise.all(images.slice(0, 64).map((b) => normaliseImage(b, shape, 1e8)));
    const tb = performance.now();
    let batches = 0;
    while (performance.now() - tb < 3000) {
      await Promise.all(images.slice(0, 64).map((b) => normaliseImage(b, shape, 1e8)));
      await classifier.classify(batch, 3);
      batches++;
    }
    const bareBatch = (batches * 64) / ((performance.now() - tb) / 1000);
    log(
      `bare (${backend.backend}): p50 ${round(percentile(bare, 50), 2)} ms per image; ${round(bareBatch)} images/s in batches of 64`,
    );

    const result = {
      bench: 'classify',
      p50Ms: round(percentile(latencies, 50), 2),
      p99Ms: round(percentile(latencies, 99), 2),
      bareMs: round(percentile(bare, 50), 3),
      ratioP50ToBare: round(percentile(latencies, 50) / percentile(bare, 50), 2),
      c16RequestsPerSec: round(c16),
      bareBatchImagesPerSec: round(bareBatch),
      ratioC16ToBare: round(c16 / bareBatch, 3),
      restP50Ms: round(percentile(restLatencies, 50), 2),
      floorP50Ms: round(percentile(floor, 50), 2),
      ratioRestP50ToBare: round(percentile(restLatencies, 50) / percentile(bare, 50), 2),
      backend: backend.backend,
    };
    console.log(JSON.stringify(result));
  } finally {
    await server.stop();
  }
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
