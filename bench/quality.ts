// Quality at default settings: for each data set, Percept trained through the public GraphQL API
// as a new user would (upload a zip with train/ and test/ folders, "Start training" with nothing
// but a time budget), beside baselines trained in the same run on the very same images
// (bench/quality_baselines.py: scikit-learn LogisticRegression and RBF SVC on pixels, a 2-conv
// PyTorch CNN with a one-cycle schedule, one thread). Percept is scored here, from classifyBatch's
// answers on the test images against their known labels, not from a figure the server reports.
// Its train/ images are split into training and validation by Percept; baselines fit on all of them.
//
//   fashion-50         Fashion-MNIST, 50 training images per class; 500 test images per class     3 min
//   fashion-500        500 per class; the same 500 test images per class                           5 min
//   fashion-500-rgb64  fashion-500 upsampled to 64×64, 3 channels, JPEG quality 90                 10 min
//   fashion-6000       6,000 per class (all of the training set); all 10,000 test images          12 min
//   shapes             drawn shapes (bench/support/shapes.ts), 5 classes, 32×32 RGB, 50 training
//                      and 200 test images per class                                             2 min
//   digits16           scikit-learn's bundled digits (1,797 real handwritten digits, 8×8) upsampled
//                      to 16×16 grey; a fixed quarter of each class for testing                  4 min
//   fashion-full       with --full: all of Fashion-MNIST (the same images as fashion-6000, whose
//                      baselines it reuses), a 30-minute budget                                    30 min
//
// Flags: --full; --smoke (tiny subsets, 1-minute budgets: tests the bench, measures nothing);
// --only a,b (data sets by name); --minutes N (every budget) or --minutes-scale X; --baselines
// logreg,svc,torchCnn or none; --baselines-only (no Percept). Env: BENCH_PYTHON, BENCH_VERBOSE.
// Data sets run one after another, Percept first, then the baselines: never two at once.
// Progress goes to stderr; stdout gets a table and, as its last line, one JSON object:
// {"bench":"quality","datasets":[{"name","trainImages","budgetMinutes","percept","baselines":
// {"logreg","svc","torchCnn"},"gapToBest",...}],"worstGapToBest"}, gapToBest = best baseline −
// Percept (positive: Percept behind); worstGapToBest is null when Percept failed on any data set.
import 'reflect-metadata';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { ZipWriter as JSZip } from '../tests/support/zip-writer';
import sharp from 'sharp';
import { BenchUser, log, round } from './support/client';
import { balancedSubset, FASHION_CLASSES, gatherImages, loadFashionMnist, type IdxSet } from './support/fashion-mnist';
import { writeNpyUint8 } from './support/npy';
import { startBenchServer, type BenchServer } from './support/server';
import { DIGIT_CLASSES, DIGIT_SIZE, digitSplits } from './support/digits';
import { SHAPE_CLASSES, SHAPE_SIZE, shapeImages } from './support/shapes';

const BASELINES = ['logreg', 'svc', 'torchCnn'] as const;
type BaselineName = (typeof BASELINES)[number];

interface Split {
  /** Image files as uploaded, in the order of `labels`. */
  files: Buffer[];
  /** The files' decoded pixels, count × height × width × channels (what the baselines get). */
  pixels: Uint8Array;
  labels: number[];
}

interface Dataset {
  classes: readonly string[];
  shape: [number, number, number];
  format: 'png' | 'jpeg';
  train: Split;
  test: Split;
}

interface Spec {
  name: string;
  budgetMinutes: number;
  build(): Promise<Dataset>;
}

interface BaselineResult {
  accuracy?: number;
  trainSeconds?: number;
  predictSeconds?: number;
  epochs?: number;
  error?: string;
}

interface PerceptResult {
  /** How many networks answer: more than 1 when the run serves an ensemble. */
  networks: number;
  accuracy: number;
  trainMinutes: number;
  importSeconds: number;
}

interface Row {
  name: string;
  trainImages: number;
  testImages: number;
  budgetMinutes: number;
  percept: PerceptResult | null;
  perceptError?: string;
  baselines: Partial<Record<BaselineName, BaselineResult>>;
  baselinesReusedFrom?: string;
}

// ---------------------------------------------------------------------------------------------
// Data sets

let fashion: { train: IdxSet; test: IdxSet } | null = null;
const fashionData = () => (fashion ??= loadFashionMnist());

async function fashionPng(pixels: Uint8Array): Promise<Buffer> {
  return sharp(Buffer.from(pixels), { raw: { width: 28, height: 28, channels: 1 } })
    .png()
    .toBuffer();
}

async function fashionSplit(set: IdxSet, perClass: number): Promise<Split> {
  const { pixels, labels } = gatherImages(set, balancedSubset(set, perClass));
  const files: Buffer[] = [];
  for (let n = 0; n < labels.length; n++) files.push(await fashionPng(pixels.subarray(n * 784, (n + 1) * 784)));
  return { files, pixels, labels };
}

async function fashionSet(trainPerClass: number, testPerClass: number): Promise<Dataset> {
  const { train, test } = fashionData();
  return {
    classes: FASHION_CLASSES,
    shape: [28, 28, 1],
    format: 'png',
    train: await fashionSplit(train, trainPerClass),
    test: await fashionSplit(test, testPerClass),
  };
}

/** Upsampled (sharp's default Lanczos), grey copied to three channels, JPEG quality 90; decoded back. */
async function toRgbJpeg(split: Split, size: number): Promise<Split> {
  const files: Buffer[] = [];
  const pixels = new Uint8Array(split.labels.length * size * size * 3);
  for (let n = 0; n < split.labels.length; n++) {
    const grey = split.pixels.subarray(n * 784, (n + 1) * 784);
    const rgb = Buffer.alloc(784 * 3);
    for (let p = 0; p < 784; p++) rgb[3 * p] = rgb[3 * p + 1] = rgb[3 * p + 2] = grey[p]!;
    const jpeg = await sharp(rgb, { raw: { width: 28, height: 28, channels: 3 } })
      .resize(size, size)
      .jpeg({ quality: 90 })
      .toBuffer();
    const decoded = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
    if (decoded.info.channels !== 3 || decoded.info.width !== size)
      throw new Error(`the JPEG decoded as ${decoded.info.width}×${decoded.info.height}×${decoded.info.channels}`);
    files.push(jpeg);
    pixels.set(decoded.data, n * size * size * 3);
  }
  return { files, pixels, labels: split.labels };
}

async function shapesSet(trainPerClass: number, testPerClass: number): Promise<Dataset> {
  return {
    classes: SHAPE_CLASSES,
    shape: [SHAPE_SIZE, SHAPE_SIZE, 3],
    format: 'png',
    train: await shapeImages(trainPerClass, 1),
    test: await shapeImages(testPerClass, 2),
  };
}

async function digitsSet(): Promise<Dataset> {
  const { train, test } = await digitSplits(findPython().python);
  return { classes: DIGIT_CLASSES, shape: [DIGIT_SIZE, DIGIT_SIZE, 1], format: 'png', train, test };
}

function specs(smoke: boolean, full: boolean): Spec[] {
  // [train per class, test per class] at full size, and for --smoke.
  const n = (real: [number, number], tiny: [number, number]) => (smoke ? tiny : real);
  const list: Spec[] = [
    { name: 'fashion-50', budgetMinutes: 3, build: () => fashionSet(...n([50, 500], [10, 20])) },
    { name: 'fashion-500', budgetMinutes: 5, build: () => fashionSet(...n([500, 500], [20, 20])) },
    {
      name: 'fashion-500-rgb64',
      // 64×64×3 costs 6× the compute of 28×28×1 per image: PyTorch's one-thread CNN takes about
      // 10 minutes here, and Percept gets the same.
      budgetMinutes: 10,
      build: async () => {
        const grey = await fashionSet(...n([500, 500], [10, 20]));
        return {
          ...grey,
          shape: [64, 64, 3],
          format: 'jpeg',
          train: await toRgbJpeg(grey.train, 64),
          test: await toRgbJpeg(grey.test, 64),
        };
      },
    },
    { name: 'fashion-6000', budgetMinutes: 12, build: () => fashionSet(...n([6000, 1000], [30, 20])) },
    { name: 'shapes', budgetMinutes: 2, build: () => shapesSet(...n([50, 200], [10, 20])) },
    { name: 'digits16', budgetMinutes: 4, build: digitsSet },
  ];
  if (full)
    list.push({
      name: 'fashion-full',
      budgetMinutes: 30,
      build: () => fashionSet(...n([Infinity, Infinity], [30, 20])),
    });
  return list;
}

/** Same pixels and labels, same baselines: fashion-full reuses fashion-6000's. */
function dataKey(d: Dataset): string {
  const h = createHash('sha256');
  h.update(JSON.stringify(d.shape));
  for (const s of [d.train, d.test]) {
    h.update(s.pixels);
    h.update(Uint8Array.from(s.labels));
  }
  return h.digest('hex');
}

// ---------------------------------------------------------------------------------------------
// Percept, through the public API

async function zipOf(entries: [string, Buffer][]): Promise<Buffer> {
  const zip = new JSZip();
  for (const [name, data] of entries) zip.file(name, data);
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}

async function runPercept(user: BenchUser, name: string, d: Dataset, minutes: number): Promise<PerceptResult> {
  const ext = d.format === 'jpeg' ? 'jpg' : 'png';
  const modelId = await user.createModel(`quality ${name}`, d.train.files[0]!, `sample.${ext}`, `image/${d.format}`);
  const t0 = performance.now();
  // Two zips, train/ then test/, as a user with split folders might upload them.
  for (const [folder, split] of [
    ['train', d.train],
    ['test', d.test],
  ] as const) {
    const zip = await zipOf(
      split.files.map((f, i) => [`${name}/${folder}/${d.classes[split.labels[i]!]}/${i}.${ext}`, f]),
    );
    const r = (await user.importZip(modelId, zip)).result as { imported: number; skipped: number };
    if (r.imported !== split.labels.length || r.skipped)
      throw new Error(`${folder}/: ${r.imported} of ${split.labels.length} images imported, ${r.skipped} skipped`);
  }
  const importSeconds = (performance.now() - t0) / 1000;
  log(`  imported ${d.train.labels.length} + ${d.test.labels.length} images in ${round(importSeconds)} s`);

  // Defaults: nothing but the time budget.
  const started = performance.now();
  const { trainModel } = await user.call<{ trainModel: { id: string } }>(
    'mutation($m: ID!, $i: TrainModelInput) { trainModel(modelId: $m, input: $i) { id } }',
    { m: modelId, i: { maxMinutes: minutes } },
  );
  let lastStatus = '';
  let lastLog = 0;
  await user.waitForTask(trainModel.id, (t) => {
    const now = performance.now();
    if (t.status === lastStatus && now - lastLog < 30_000) return;
    lastStatus = t.status;
    lastLog = now;
    const minutesIn = round((now - started) / 60_000, 1);
    log(`  training ${t.status} at ${minutesIn} min: ${JSON.stringify(t.progress ?? {}).slice(0, 240)}`);
  });
  const trainMinutes = (performance.now() - started) / 60_000;
  const networks = await logCandidates(user, modelId);

  const batch = await zipOf(d.test.files.map((f, i) => [`${i}.${ext}`, f]));
  const task = await user.classifyBatch(modelId, batch);
  const results = task.result.results as { name: string; predictions?: { className: string }[] }[];
  if (results.length !== d.test.labels.length)
    log(`  warning: ${results.length} answers for ${d.test.labels.length} test images (missing ones count as wrong)`);
  let right = 0;
  for (const r of results) {
    const truth = d.test.labels[Number(r.name.replace(/\.\w+$/, ''))];
    if (truth !== undefined && r.predictions?.[0]?.className === d.classes[truth]) right++;
  }
  return { accuracy: right / d.test.labels.length, trainMinutes, importSeconds, networks };
}

/**
 * What the run tried, for the log (the figures that count are computed from classifyBatch); returns
 * how many networks the model serves (0 when that could not be read).
 */
async function logCandidates(user: BenchUser, modelId: string): Promise<number> {
  try {
    const { trainingRun, modelEvaluation } = await user.call<{
      modelEvaluation: { networks: string[] } | null;
      trainingRun: {
        selection: string | null;
        candidates: {
          name: string;
          status: string;
          epochsDone: number;
          bestValAccuracy: number | null;
          prunedReason: string | null;
          history: { epoch: number; seconds: number; imagesPerSecond: number; valAccuracy: number | null }[];
        }[];
      } | null;
    }>(
      `query($m: ID!) { modelEvaluation(modelId: $m) { networks }
        trainingRun(modelId: $m) { selection candidates { name status epochsDone bestValAccuracy
        prunedReason history { epoch seconds imagesPerSecond valAccuracy } } } }`,
      { m: modelId },
    );
    for (const c of trainingRun?.candidates ?? []) {
      log(`    ${c.status.padEnd(9)} ${c.name}: ${c.epochsDone} epochs, best validation ${c.bestValAccuracy}`);
      // Each epoch's training seconds, images/s and validation accuracy: where the budget went.
      const epochs = c.history.map(
        (h) => `${h.epoch}:${round(h.seconds)}s/${Math.round(h.imagesPerSecond)}/${h.valAccuracy ?? '-'}`,
      );
      if (epochs.length) log(`      ${epochs.join(' ')}`);
      if (c.prunedReason) log(`      ${c.prunedReason}`);
    }
    if (trainingRun?.selection) log(`    ${trainingRun.selection}`);
    return modelEvaluation?.networks.length ?? 0;
  } catch (e) {
    log(`  (could not list the candidates: ${e instanceof Error ? e.message : String(e)})`);
    return 0;
  }
}

// ---------------------------------------------------------------------------------------------
// Baselines, in Python

/** Debian's python3-sklearn and python3-torch live in /usr/bin/python3, which a pyenv python3 may shadow. */
function findPython(): { python: string; torch: boolean } {
  const notes: string[] = [];
  let withoutTorch: string | null = null;
  for (const python of [process.env.BENCH_PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => !!p)) {
    const sk = spawnSync(python, ['-c', 'import numpy, sklearn'], { encoding: 'utf8' });
    if (sk.status !== 0) {
      notes.push(`${python}: ${sk.error ? sk.error.message : 'no numpy/sklearn'}`);
      continue;
    }
    if (spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0) return { python, torch: true };
    withoutTorch ??= python;
    notes.push(`${python}: no torch`);
  }
  if (withoutTorch) return { python: withoutTorch, torch: false };
  throw new Error(
    `no Python with numpy and scikit-learn (${notes.join('; ')}).\n` +
      `Install Debian's packages (sudo apt-get install python3-sklearn python3-torch) or set BENCH_PYTHON.`,
  );
}

async function runBaselines(
  python: string,
  d: Dataset,
  which: BaselineName[],
): Promise<Partial<Record<BaselineName, BaselineResult>>> {
  const dir = mkdtempSync(path.join(tmpdir(), 'percept-quality-'));
  try {
    for (const [part, split] of [
      ['train', d.train],
      ['test', d.test],
    ] as const) {
      writeNpyUint8(path.join(dir, `${part}_x.npy`), split.pixels, [split.labels.length, ...d.shape]);
      writeNpyUint8(path.join(dir, `${part}_y.npy`), Uint8Array.from(split.labels), [split.labels.length]);
    }
    const script = path.resolve(__dirname, '../../bench/quality_baselines.py');
    const child = spawn(python, [script, dir, '--only', which.join(',')], {
      // One BLAS thread, as PyTorch gets one: the machine is shared, and each side gets a core.
      env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', resolve);
    });
    const last = stdout.trim().split('\n').pop() ?? '';
    try {
      return JSON.parse(last) as Partial<Record<BaselineName, BaselineResult>>;
    } catch {
      const error = `quality_baselines.py exited with ${code}: ${last || '(no output)'}`;
      return Object.fromEntries(which.map((b) => [b, { error }]));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Report

const acc = (x: number | null | undefined) => (x == null ? null : round(x, 4));

function best(row: Row): number | null {
  const xs = BASELINES.map((b) => row.baselines[b]?.accuracy).filter((x): x is number => x != null);
  return xs.length ? Math.max(...xs) : null;
}

function gap(row: Row): number | null {
  const b = best(row);
  return b === null || !row.percept ? null : round(b - row.percept.accuracy, 4);
}

function table(rows: Row[]): string {
  const cell = (r: BaselineResult | undefined) =>
    r?.accuracy == null
      ? r?.error
        ? 'failed'
        : '–'
      : `${r.accuracy.toFixed(4)} (${round(r.trainSeconds ?? 0)} s${r.epochs ? `, ${r.epochs} ep` : ''})`;
  const header = ['data set', 'train', 'test', 'budget', 'Percept (min used)', 'logreg', 'svc', 'torchCnn', 'gap'];
  const lines = rows.map((r) => [
    r.name,
    String(r.trainImages),
    String(r.testImages),
    `${round(r.budgetMinutes, 2)} min`,
    r.percept
      ? `${r.percept.accuracy.toFixed(4)} (${round(r.percept.trainMinutes, 1)})`
      : r.perceptError
        ? 'failed'
        : '–',
    ...BASELINES.map((b) => cell(r.baselines[b]) + (r.baselinesReusedFrom && r.baselines[b] ? '*' : '')),
    gap(r) === null ? '–' : (gap(r)! >= 0 ? '+' : '') + gap(r)!.toFixed(4),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (l: string[]) => l.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const notes = [
    'Baselines: accuracy (training seconds, epochs). gap = best baseline − Percept (positive: Percept behind).',
    ...rows
      .filter((r) => r.baselinesReusedFrom)
      .map((r) => `* ${r.name}: baselines of ${r.baselinesReusedFrom} (same images)`),
    ...rows.filter((r) => r.perceptError).map((r) => `${r.name}: Percept failed: ${r.perceptError}`),
    ...rows.flatMap((r) =>
      BASELINES.filter((b) => r.baselines[b]?.error).map((b) => `${r.name}: ${b} failed: ${r.baselines[b]!.error}`),
    ),
  ];
  return [fmt(header), fmt(widths.map((w) => '-'.repeat(w))), ...lines.map(fmt), '', ...notes].join('\n');
}

function summary(rows: Row[]) {
  const gaps = rows.map(gap);
  const percepting = rows.some((r) => r.percept || r.perceptError);
  return {
    bench: 'quality',
    datasets: rows.map((r, i) => ({
      name: r.name,
      trainImages: r.trainImages,
      budgetMinutes: r.budgetMinutes,
      percept: acc(r.percept?.accuracy),
      baselines: Object.fromEntries(BASELINES.map((b) => [b, acc(r.baselines[b]?.accuracy)])),
      gapToBest: gaps[i],
      testImages: r.testImages,
      perceptTrainMinutes: r.percept ? round(r.percept.trainMinutes, 2) : null,
      ...(r.percept ? { perceptNetworks: r.percept.networks } : {}),
      baselineTrainSeconds: Object.fromEntries(
        BASELINES.map((b) => [
          b,
          r.baselines[b]?.trainSeconds == null ? null : round(r.baselines[b]!.trainSeconds!, 2),
        ]),
      ),
      ...(r.baselines.torchCnn?.epochs ? { torchCnnEpochs: r.baselines.torchCnn.epochs } : {}),
      ...(r.baselinesReusedFrom ? { baselinesReusedFrom: r.baselinesReusedFrom } : {}),
      ...(r.perceptError ? { perceptError: r.perceptError } : {}),
    })),
    worstGapToBest: percepting && gaps.every((g) => g !== null) && gaps.length ? Math.max(...(gaps as number[])) : null,
  };
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      full: { type: 'boolean' },
      smoke: { type: 'boolean' },
      only: { type: 'string' },
      minutes: { type: 'string' },
      'minutes-scale': { type: 'string' },
      baselines: { type: 'string' },
      'baselines-only': { type: 'boolean' },
    },
  });
  const smoke = values.smoke ?? false;
  let list = specs(smoke, values.full ?? false);
  if (values.only) {
    const names = values.only.split(',').map((s) => s.trim());
    const unknown = names.filter((n) => !specs(smoke, true).some((s) => s.name === n));
    if (unknown.length) throw new Error(`unknown data sets: ${unknown.join(', ')}`);
    list = specs(smoke, true).filter((s) => names.includes(s.name));
  }
  const scale = Number(values['minutes-scale'] ?? 1);
  const budget = (s: Spec) =>
    values.minutes !== undefined ? Number(values.minutes) : smoke ? 1 : round(s.budgetMinutes * scale, 2);
  const asked =
    values.baselines === 'none' ? [] : (values.baselines?.split(',').map((s) => s.trim()) ?? [...BASELINES]);
  const badBaseline = asked.filter((b) => !(BASELINES as readonly string[]).includes(b));
  if (badBaseline.length) throw new Error(`unknown baselines: ${badBaseline.join(', ')} (${BASELINES.join(', ')})`);
  let which = asked as BaselineName[];
  const python = which.length ? findPython() : null;
  if (python && !python.torch) {
    log(`warning: ${python.python} has no torch; torchCnn is left out`);
    which = which.filter((b) => b !== 'torchCnn');
  }
  if (python) log(`baselines: ${which.join(', ')} with ${python.python}`);
  if (smoke) log('--smoke: tiny subsets and 1-minute budgets, to test the bench; the figures mean nothing');

  const server: BenchServer | null = values['baselines-only'] ? null : await startBenchServer();
  const rows: Row[] = [];
  const done = new Map<string, Row>();
  try {
    const user = server ? await BenchUser.signUp(server.graphqlUrl) : null;
    for (const spec of list) {
      const minutes = budget(spec);
      log(`\n${spec.name}: building the data set`);
      const d = await spec.build();
      const row: Row = {
        name: spec.name,
        trainImages: d.train.labels.length,
        testImages: d.test.labels.length,
        budgetMinutes: minutes,
        percept: null,
        baselines: {},
      };
      rows.push(row);
      log(`${spec.name}: ${row.trainImages} training and ${row.testImages} test images, ${d.shape.join('×')}`);
      if (user) {
        log(`${spec.name}: Percept, ${minutes}-minute budget, default settings`);
        try {
          row.percept = await runPercept(user, spec.name, d, minutes);
          log(`${spec.name}: Percept test accuracy ${row.percept.accuracy.toFixed(4)}`);
        } catch (e) {
          row.perceptError = e instanceof Error ? e.message : String(e);
          log(`${spec.name}: Percept failed: ${row.perceptError}`);
        }
      }
      if (python && which.length) {
        const key = dataKey(d);
        const same = done.get(key);
        if (same) {
          row.baselines = same.baselines;
          row.baselinesReusedFrom = same.name;
          log(`${spec.name}: baselines of ${same.name} (the same images)`);
        } else {
          log(`${spec.name}: baselines`);
          row.baselines = await runBaselines(python.python, d, which);
          done.set(key, row);
        }
      }
    }
  } finally {
    await server?.stop();
  }
  const result = summary(rows);
  process.stdout.write(table(rows) + '\n');
  process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch((e: unknown) => {
  log(String((e as Error)?.stack ?? e));
  process.exitCode = 1;
});
