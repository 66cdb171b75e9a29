// Fashion-MNIST end to end through the public GraphQL API, as a user would: the IDX files of
// Debian's dataset-fashion-mnist become the zip a user uploads (class folders of PNGs, train/ and
// test/ kept), then: create a model from one sample image, upload, train with a wall-time budget
// (waiting on the subscription), classify the test images with classifyBatch, and score.
//   --minutes N  training budget (default 30)     --quick  a few thousand images, a few minutes
// Published figures (the dataset's README): 2-conv TensorFlow tutorial network 0.916, small CNNs
// 0.92–0.93, Google AutoML Vision 0.939 after 24 compute hours. The last line is one JSON object.
import 'reflect-metadata';
import { ZipWriter as JSZip } from '../tests/support/zip-writer';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { gqlUpload } from '../tests/support/graphql';
import { BenchUser, log, round } from './support/client';
import { balancedSubset, FASHION_CLASSES, loadFashionMnist, type IdxSet } from './support/fashion-mnist';
import { startBenchServer } from './support/server';

const PUBLISHED = { tensorflowTutorial2Conv: 0.916, smallCnns: '0.92–0.93', googleAutoMlVision24h: 0.939 };

async function png(set: IdxSet, i: number): Promise<Buffer> {
  return sharp(Buffer.from(set.images.subarray(i * 784, (i + 1) * 784)), {
    raw: { width: 28, height: 28, channels: 1 },
  })
    .png()
    .toBuffer();
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { minutes: { type: 'string' }, quick: { type: 'boolean' } } });
  const quick = values.quick ?? false;
  const minutes = Number(values.minutes ?? (quick ? 3 : 30));
  const data = loadFashionMnist();
  const trainIdx = balancedSubset(data.train, quick ? 300 : Infinity);
  const testIdx = balancedSubset(data.test, quick ? 100 : Infinity);

  log(`building the uploads: ${trainIdx.length} training and ${testIdx.length} test PNGs`);
  // Two zips, train/ and test/, as a user with split folders might upload them.
  const uploads: Buffer[] = [];
  for (const [set, idx, folder] of [
    [data.train, trainIdx, 'train'],
    [data.test, testIdx, 'test'],
  ] as const) {
    const zip = new JSZip();
    for (const i of idx) zip.file(`fashion/${folder}/${FASHION_CLASSES[set.labels[i]!]}/${i}.png`, await png(set, i));
    uploads.push(await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }));
  }
  // What classifyBatch gets: the test images without their labels in the path.
  const batch = new JSZip();
  for (const i of testIdx) batch.file(`${i}.png`, await png(data.test, i));
  const batchZip = await batch.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });

  const server = await startBenchServer({ PERCEPT_MAX_ZIP_ENTRIES: '200000' });
  try {
    const user = await BenchUser.signUp(server.graphqlUrl);
    const modelId = await user.createModel('Fashion-MNIST', await png(data.train, 0));
    // Aim above anything reachable, so training uses the whole budget and promotes the best.
    await user.call('mutation($m: ID!) { updateModel(id: $m, input: { targetAccuracy: 0.999 }) { id } }', {
      m: modelId,
    });
    const t0 = performance.now();
    let importedImages = 0;
    for (const zip of uploads) {
      const task = await user.importZip(modelId, zip);
      const r = task.result as { imported: number; skipped: number };
      importedImages += r.imported;
      log(`imported ${r.imported} images (${r.skipped} skipped)`);
    }
    const importSeconds = (performance.now() - t0) / 1000;
    log(`imported ${importedImages} images in ${round(importSeconds)} s`);
    if (importedImages !== trainIdx.length + testIdx.length)
      throw new Error(`only ${importedImages} images were imported`);

    const trainStart = performance.now();
    const { trainModel } = await user.call(
      'mutation($m: ID!, $i: TrainModelInput) { trainModel(modelId: $m, input: $i) { id } }',
      { m: modelId, i: { candidates: quick ? 2 : 3, maxEpochs: 60, roundEpochs: quick ? 1 : 2, maxMinutes: minutes } },
    );
    let lastLine = '';
    await user.waitForTask(trainModel.id, (t) => {
      const line = `training: ${t.status} ${JSON.stringify(t.progress ?? {})}`;
      if (line !== lastLine) log((lastLine = line));
    });
    const trainMinutes = (performance.now() - trainStart) / 60_000;
    const run = (
      await user.call(
        `query($m: ID!) { trainingRun(modelId: $m) { candidates { name status epochsDone bestValAccuracy testAccuracy prunedReason history { imagesPerSecond } } } }`,
        { m: modelId },
      )
    ).trainingRun as {
      candidates: {
        name: string;
        status: string;
        epochsDone: number;
        bestValAccuracy: number | null;
        prunedReason: string | null;
        history: { imagesPerSecond: number }[];
      }[];
    };
    for (const c of run.candidates)
      log(
        `  ${c.status.padEnd(9)} ${c.name}: ${c.epochsDone} epochs, best validation ${c.bestValAccuracy}${c.prunedReason ? ` (${c.prunedReason})` : ''}`,
      );
    const rates = run.candidates.flatMap((c) => c.history.map((h) => h.imagesPerSecond));
    const trainImagesPerSec = rates.length ? rates.reduce((a, b) => a + b, 0) / rates.length : 0;

    const task = await classifyBatch(user, modelId, batchZip);
    const results = task.result.results as { name: string; predictions?: { className: string }[] }[];
    const right = new Array<number>(10).fill(0);
    const total = new Array<number>(10).fill(0);
    for (const r of results) {
      const truth = data.test.labels[Number(r.name.replace(/\.png$/, ''))]!;
      total[truth]!++;
      if (r.predictions?.[0]?.className === FASHION_CLASSES[truth]) right[truth]!++;
    }
    const testAccuracy = right.reduce((a, b) => a + b, 0) / results.length;
    const perClassAccuracy = Object.fromEntries(
      FASHION_CLASSES.map((c, i) => [c, round(right[i]! / Math.max(1, total[i]!), 4)]),
    );
    const backend = await runnersBackend(user);
    log(`test accuracy ${round(testAccuracy, 4)} on ${results.length} images; published: ${JSON.stringify(PUBLISHED)}`);
    console.log(
      JSON.stringify({
        bench: 'fashion',
        mode: quick ? 'quick' : 'full',
        testAccuracy: round(testAccuracy, 4),
        perClassAccuracy,
        trainMinutes: round(trainMinutes, 2),
        trainImagesPerSec: round(trainImagesPerSec),
        backend,
        budgetMinutes: minutes,
        trainImages: trainIdx.length,
        testImages: results.length,
        published: PUBLISHED,
      }),
    );
  } finally {
    await server.stop();
  }
}

/** classifyBatch with the zip as a multipart upload, waited for through the subscription. */
async function classifyBatch(user: BenchUser, modelId: string, zip: Buffer) {
  const res = await gqlUpload(
    user.graphqlUrl,
    'mutation($m: ID!, $a: Upload!) { classifyBatch(modelId: $m, archive: $a, topK: 1) { id } }',
    { m: modelId, a: null },
    { a: { data: zip, filename: 'test.zip', type: 'application/zip' } },
    user.token,
  );
  if (!res.data) throw new Error(JSON.stringify(res.errors));
  return user.waitForTask(res.data.classifyBatch.id);
}

/** The backend the runners reported (only admins see runners; the bench's user is the first account). */
async function runnersBackend(user: BenchUser): Promise<string> {
  const { runners } = await user.call<{ runners: { backend: string | null }[] }>('{ runners { backend } }');
  return [...new Set(runners.map((r) => r.backend).filter(Boolean))].join(',') || 'unknown';
}

void main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
