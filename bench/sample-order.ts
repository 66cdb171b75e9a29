// Does reading training data from shards cost accuracy? Fashion-MNIST subsets imported through
// the real import (zip of class folders, in class order, as a user's zip arrives), then the same
// network trained for the same epochs with the same seed on the same images, read three ways:
//   memory    every image in memory in id order: the order main's dataset pack had
//   sharded   the runner's path (index, shards through the disk cache), default 64 MiB buffer:
//             the set fits, so it is loaded whole and shuffled like `memory`
//   streamed  the same shards through a shuffle buffer of BENCH_STREAM_KB (default 512 KiB,
//             about a fifth of the training images): the path of data larger than the buffer
// Accuracy on the imported test/ folder. Env: BENCH_PER_CLASS (300), BENCH_TEST_PER_CLASS (100),
// BENCH_EPOCHS (8), BENCH_SEED (7), BENCH_VARIANTS (memory,sharded,streamed), BENCH_SHARD_KB (the
// server's 4 MiB). Last line JSON.
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { ZipWriter as JSZip } from '../tests/support/zip-writer';
import { startPercept } from '../server/app/startup';
import { loadConfig } from '../server/config/config';
import { provideDatabase } from '../server/db/database';
import { createLogger } from '../server/logging/logger';
import { BenchUser, log, round } from './support/client';
import { balancedSubset, FASHION_CLASSES, loadFashionMnist, type IdxSet } from './support/fashion-mnist';
import { initBackend } from '../server/ml/backend';
import { buildModel } from '../server/ml/build';
import { InMemoryImageDataset, type Dataset } from '../server/ml/dataset';
import { evaluate } from '../server/ml/evaluate';
import { generateCandidates } from '../server/ml/generate';
import { DEFAULT_RECIPE } from '../server/ml/recipe';
import { train } from '../server/ml/train';
import { batchSizeFor } from '../server/training/train-model.handler';
import { RunnerDatasets, type RunnerData } from '../server/runners/data/runner-data';
import { labelledImages } from '../server/datasets/image.queries';

const PER_CLASS = Number(process.env.BENCH_PER_CLASS ?? 300);
const TEST_PER_CLASS = Number(process.env.BENCH_TEST_PER_CLASS ?? 100);
const EPOCHS = Number(process.env.BENCH_EPOCHS ?? 8);
const SEED = Number(process.env.BENCH_SEED ?? 7);
const STREAM_KB = Number(process.env.BENCH_STREAM_KB ?? 512);
const VARIANTS = (process.env.BENCH_VARIANTS ?? 'memory,sharded,streamed').split(',');
/** Smaller shards than the server's 4 MiB, so that the import cuts several (the set is 3.1 MB). */
const SHARD_KB = Number(process.env.BENCH_SHARD_KB ?? 0);

async function png(set: IdxSet, i: number): Promise<Buffer> {
  return sharp(Buffer.from(set.images.subarray(i * 784, (i + 1) * 784)), {
    raw: { width: 28, height: 28, channels: 1 },
  })
    .png()
    .toBuffer();
}

interface Parts {
  train: Dataset;
  validation: Dataset;
  test: Dataset;
}

async function main(): Promise<void> {
  await initBackend();
  const data = loadFashionMnist();
  const zip = new JSZip();
  // Class folder after class folder, as a zip usually holds them.
  for (const [set, idx, folder] of [
    [data.train, balancedSubset(data.train, PER_CLASS), 'train'],
    [data.test, balancedSubset(data.test, TEST_PER_CLASS), 'test'],
  ] as const) {
    const byClass = [...idx].sort((a, b) => set.labels[a]! - set.labels[b]! || a - b);
    for (const i of byClass) zip.file(`${folder}/${FASHION_CLASSES[set.labels[i]!]}/${i}.png`, await png(set, i));
  }
  // Percept in this process (no runners: the bench trains here), on an embedded PostgreSQL.
  const dir = mkdtempSync(join(tmpdir(), 'percept-bench-order-'));
  const pg = await provideDatabase(process.env.DATABASE_URL ?? null, dir);
  const config = loadConfig({
    PORT: '0',
    PERCEPT_HOST: '127.0.0.1',
    PERCEPT_DATA_DIR: join(dir, 'server'),
    PERCEPT_LOCAL_RUNNERS: '0',
    PERCEPT_SIGNUP: 'open',
    PERCEPT_TICK_MS: '200',
    DATABASE_URL: pg.url,
    ...(SHARD_KB ? { PERCEPT_SHARD_BYTES: String(SHARD_KB << 10) } : {}),
  });
  const percept = await startPercept(config, createLogger('warn'));
  const srv = { percept, graphqlUrl: `${percept.url}/graphql` };
  const cache = join(dir, 'shard-cache');
  try {
    const user = await BenchUser.signUp(srv.graphqlUrl);
    const modelId = await user.createModel('fashion', await png(data.train, 0));
    await user.importZip(modelId, await zip.generateAsync({ type: 'nodebuffer' }));
    // The last shard may hold a handful of images: the others show how well the classes mix.
    const [shards]: { n: number; minClasses: number }[] = await srv.percept.db.query(
      `WITH s AS (SELECT count(DISTINCT "classId") AS c, count(*) AS size FROM images WHERE "modelId" = $1 GROUP BY "shardKey")
       SELECT count(*)::int AS n, min(c) FILTER (WHERE size = (SELECT max(size) FROM s))::int AS "minClasses" FROM s`,
      [modelId],
    );
    log(`${shards!.n} shards, each full one with at least ${shards!.minClasses} of the 10 classes`);
    const runnerData: RunnerData = {
      datasetIndex: (m, s) => srv.percept.services.runnerData.datasetIndex(m, s),
      loosePixels: (m, ids, s) => srv.percept.services.runnerData.loosePixels(m, ids, s),
      store: { get: (k) => srv.percept.blobs.get(k), put: (k, d) => srv.percept.blobs.put(k, d) },
    };
    const [m] = await srv.percept.db.query(
      `SELECT "inputHeight" AS h, "inputWidth" AS w, "inputChannels" AS c FROM models WHERE id = $1`,
      [modelId],
    );
    const shape: [number, number, number] = [m.h, m.w, m.c];
    log(`model input ${shape.join('×')}`);
    const sharded = async (bufferBytes: number): Promise<Parts> => {
      const d = await new RunnerDatasets(runnerData, { cacheDir: cache, cacheBytes: 1 << 30, bufferBytes }).open(
        modelId,
      );
      return { train: d.images(0), validation: d.images(1), test: d.images(2) };
    };
    const memory = async (): Promise<Parts> => {
      // main's pack: every labelled image by id, the splits cut from it in that order.
      const rows = await labelledImages(srv.percept.db, modelId);
      const part = async (split: string) => {
        const mine = rows.filter((r) => r.split === split);
        const pixels = await Promise.all(mine.map(async (r) => (await srv.percept.blobs.get(r.blobKey!))!));
        return new InMemoryImageDataset(
          shape,
          pixels,
          mine.map((r) => r.index),
        );
      };
      return { train: await part('TRAIN'), validation: await part('VALIDATION'), test: await part('TEST') };
    };

    const results: Record<string, unknown>[] = [];
    for (const variant of VARIANTS) {
      const parts =
        variant === 'memory'
          ? await memory()
          : variant === 'sharded'
            ? await sharded(64 << 20)
            : await sharded(STREAM_KB << 10);
      const [arch] = generateCandidates({ inputShape: shape, classes: 10, count: 1 });
      const model = buildModel(arch!, { seed: SEED });
      const started = Date.now();
      const r = DEFAULT_RECIPE;
      const result = await train(model, parts.train, {
        epochs: EPOCHS,
        batchSize: batchSizeFor(parts.train.size),
        seed: SEED,
        learningRate: r.learningRate,
        schedule: { epochs: EPOCHS, warmupEpochs: r.warmupEpochs },
        weightDecay: r.weightDecay,
        labelSmoothing: r.labelSmoothing,
        validation: parts.validation,
      });
      const seconds = (Date.now() - started) / 1000;
      const test = await evaluate(model, parts.test);
      model.dispose();
      const line = {
        variant,
        trainImages: parts.train.size,
        testImages: parts.test.size,
        epochs: result.epochs,
        testAccuracy: round(test.accuracy, 4),
        bestValAccuracy: round(result.bestValAccuracy ?? 0, 4),
        lastLoss: round(result.history.at(-1)!.loss, 4),
        seconds: round(seconds),
      };
      log(JSON.stringify(line));
      results.push(line);
    }
    console.log(
      JSON.stringify({
        bench: 'sample-order',
        perClass: PER_CLASS,
        epochs: EPOCHS,
        seed: SEED,
        shards: shards!.n,
        minClassesPerShard: shards!.minClasses,
        results,
      }),
    );
  } finally {
    await percept.stop();
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
