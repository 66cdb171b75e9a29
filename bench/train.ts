// Training throughput of the generator's best 28x28x1 / 10-class network (Fashion-MNIST
// size) on synthetic data, per backend, in one process so the figures are comparable:
//   wasm        tfjs-backend-wasm with Percept's kernels (server/ml/kernels), their fused
//               multiply-add (relaxed SIMD) build where the engine has it
//   wasm-plain  the same kernels built without relaxed SIMD (a multiply then an add)
//   replica     server/ml/train.ts over a synthetic epoch, alone and with a replica computing
//               half of each batch in a worker thread (server/ml/replica.ts): the pace of one
//               candidate's round on two cores against one
//   wasm-stock  wasm with only the kernels it lacks added, its own (slow) ones elsewhere
//   cpu         tfjs-backend-cpu (few images: it manages ~2 images/s)
//   pytorch     the same network in PyTorch, one thread (bench/train_torch.py), if installed
// plus batch inference on wasm. The training step is the one server/ml/train.ts runs:
// optimizer.minimize over model.apply(training) and the categorical cross-entropy, Adam.
// Env: BENCH_BATCH (64), BENCH_BATCHES (30), BENCH_CPU_IMAGES (16), BENCH_PYTHON (python3),
// BENCH_INPUT (28x28x1; e.g. 64x64x3 for the generator's batch-norm network on colour images).
// The last line of output is one JSON object.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import * as tf from '../server/ml/tf';
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import { generateCandidates } from '../server/ml/generate';
import { buildModel } from '../server/ml/build';
import { crossEntropy, train } from '../server/ml/train';
import { InMemoryImageDataset } from '../server/ml/dataset';
import { GradientReplica } from '../server/ml/replica';
import type { Architecture } from '../server/ml/architecture';
import { nativeKernels, registerWasmTrainingKernels } from '../server/ml/kernels/index';
import { nativeKernelsBuild, setRelaxedSimdAllowed } from '../server/ml/kernels/native';

const BATCH = Number(process.env.BENCH_BATCH ?? 64);
const BATCHES = Number(process.env.BENCH_BATCHES ?? 30);
const CPU_IMAGES = Number(process.env.BENCH_CPU_IMAGES ?? 16);
const INPUT = parseInput(process.env.BENCH_INPUT ?? '28x28x1');
const CLASSES = 10;

function parseInput(text: string): [number, number, number] {
  const dims = text.split('x').map(Number);
  if (dims.length !== 3 || !dims.every((d) => Number.isInteger(d) && d > 0)) {
    throw new Error(`BENCH_INPUT must be HxWxC, e.g. 64x64x3; got ${text}`);
  }
  return dims as [number, number, number];
}

function log(line: string): void {
  process.stderr.write(line + '\n');
}

/**
 * images/s of `batches` timed training steps (after `warmup` untimed ones), from the median
 * step time: other processes share this machine's two cores, and the median shrugs off their
 * bursts where a total would not. train_torch.py measures PyTorch the same way.
 */
async function trainRate(arch: Architecture, batch: number, batches: number, warmup: number): Promise<number> {
  const before = tf.memory().numTensors;
  const model = buildModel(arch, { seed: 1 });
  const optimizer = tf.train.adam(1e-3);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const total = batches + warmup;
  const xs = tf.randomUniform([total * batch, ...INPUT], 0, 1, 'float32', 1);
  const labels = tf.randomUniform([total * batch], 0, CLASSES, 'int32', 2) as tf.Tensor1D;
  const times: number[] = [];
  let lastLoss = NaN;
  for (let i = 0; i < total; i++) {
    const started = performance.now();
    const x = xs.slice(i * batch, batch);
    const y = labels.slice(i * batch, batch);
    const loss = optimizer.minimize(
      () => crossEntropy(model.apply(x, { training: true }) as tf.Tensor, y, CLASSES),
      true,
      variables,
    )!;
    lastLoss = (await loss.data())[0]!;
    tf.dispose([x, y, loss]);
    if (i >= warmup) times.push(performance.now() - started);
  }
  if (!Number.isFinite(lastLoss)) throw new Error(`loss became ${lastLoss} on ${tf.getBackend()}`);
  tf.dispose([xs, labels]);
  optimizer.dispose();
  model.dispose();
  const leaked = tf.memory().numTensors - before;
  if (leaked > 0) log(`  warning: ${leaked} tensors leaked on ${tf.getBackend()}`);
  return batch / (median(times) / 1000);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

async function inferRate(arch: Architecture, images: number, batch: number): Promise<number> {
  const model = buildModel(arch, { seed: 1 });
  const xs = tf.randomUniform([images, ...INPUT], 0, 1, 'float32', 3);
  (model.predict(xs.slice(0, batch), { batchSize: batch }) as tf.Tensor).dispose();
  let best = Infinity;
  for (let rep = 0; rep < 3; rep++) {
    const t0 = performance.now();
    const out = model.predict(xs, { batchSize: batch }) as tf.Tensor;
    await out.data();
    best = Math.min(best, performance.now() - t0);
    out.dispose();
  }
  xs.dispose();
  model.dispose();
  return images / (best / 1000);
}

function pytorchRate(arch: Architecture): { rate: number | null; note: string } {
  const script = path.resolve(__dirname, '../../bench/train_torch.py');
  // Debian's python3-torch lives in /usr/bin/python3, which a pyenv/venv python3 may shadow.
  const candidates = [process.env.BENCH_PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => !!p);
  const notes: string[] = [];
  for (const python of candidates) {
    const probe = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' });
    if (probe.status !== 0) {
      notes.push(`${python}: ${probe.error ? probe.error.message : 'no torch'}`);
      continue;
    }
    const run = spawnSync(python, [script, String(BATCHES), String(BATCH), '3'], {
      input: JSON.stringify(arch),
      encoding: 'utf8',
      timeout: 600_000,
    });
    const last = run.stdout.trim().split('\n').pop() ?? '';
    try {
      const res = JSON.parse(last) as { imagesPerSec?: number; torch?: string; error?: string };
      if (res.imagesPerSec) return { rate: res.imagesPerSec, note: `${python}, torch ${res.torch}, 1 thread` };
      notes.push(`${python}: ${res.error ?? last}`);
    } catch {
      notes.push(`${python}: ${run.stderr.trim().split('\n').pop() ?? 'failed'}`);
    }
  }
  return { rate: null, note: `PyTorch not available (${notes.join('; ')})` };
}

/**
 * images/s of train() over one epoch of `images` synthetic images, without and with a replica,
 * alternated twice (best of each): the same loop a runner's round runs.
 */
async function loopRates(arch: Architecture, images: number): Promise<{ alone: number; replica: number }> {
  const size = INPUT[0] * INPUT[1] * INPUT[2];
  const pixels = new Uint8Array(images * size);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (Math.imul(i, 2654435761) >>> 24) & 255;
  const data = new InMemoryImageDataset(
    INPUT,
    pixels,
    Array.from({ length: images }, (_, i) => i % CLASSES),
  );
  const replica = await GradientReplica.start({ architecture: arch, seed: 1, backend: 'wasm' });
  const rates = { alone: 0, replica: 0 };
  try {
    for (let round = 0; round < 2; round++) {
      for (const withReplica of [false, true]) {
        const model = buildModel(arch, { seed: 1 });
        const started = performance.now();
        await train(model, data, { epochs: 1, batchSize: BATCH, seed: 2, replica: withReplica ? replica : undefined });
        const rate = images / ((performance.now() - started) / 1000);
        model.dispose();
        const key = withReplica ? 'replica' : 'alone';
        rates[key] = Math.max(rates[key], rate);
      }
    }
  } finally {
    await replica.dispose();
  }
  return rates;
}

const round = (x: number | null, digits = 1): number | null =>
  x === null ? null : Math.round(x * 10 ** digits) / 10 ** digits;

async function main(): Promise<void> {
  const arch = generateCandidates({ inputShape: INPUT, classes: CLASSES, expandable: false, count: 1 })[0]!;
  log(`network: ${arch.name} (${(arch.macs / 1e6).toFixed(2)}M MACs/image forward)`);
  log(`batch ${BATCH}, ${BATCHES} timed batches per wasm run, ${CPU_IMAGES} images on cpu`);

  wasm.setWasmPaths(
    path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep,
  );
  registerWasmTrainingKernels();
  if (!(await tf.setBackend('wasm'))) throw new Error('wasm backend failed to initialise');
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  const native = nativeKernels(tf.backend() as never) !== null;
  log(
    `wasm: SIMD ${simd ? 'yes' : 'no'}, threads ${threads ? wasm.getThreadsCount() : 'no (1)'}, ` +
      `Percept native kernels ${native ? `loaded (${nativeKernelsBuild()} build)` : 'NOT loaded (JS fallbacks)'}`,
  );

  // Two rounds of wasm then PyTorch, keeping each one's best: the machine is shared, and a
  // burst of someone else's work during one measurement should not decide the ratio.
  let wasmRate = 0;
  let plainRate = 0;
  let torch: { rate: number | null; note: string } = { rate: null, note: '' };
  for (let round = 0; round < 2; round++) {
    wasmRate = Math.max(wasmRate, await trainRate(arch, BATCH, BATCHES, 3));
    setRelaxedSimdAllowed(false);
    plainRate = Math.max(plainRate, await trainRate(arch, BATCH, BATCHES, 3));
    setRelaxedSimdAllowed(true);
    const t = pytorchRate(arch);
    if (t.rate !== null && (torch.rate === null || t.rate > torch.rate)) torch = t;
    else if (torch.rate === null) torch = t;
  }
  log(`wasm (Percept kernels):   ${wasmRate.toFixed(1)} images/s`);
  log(`wasm (plain build):       ${plainRate.toFixed(1)} images/s`);
  log(torch.rate === null ? torch.note : `pytorch:                  ${torch.rate.toFixed(1)} images/s (${torch.note})`);
  const loop = await loopRates(arch, BATCH * BATCHES);
  log(`train() alone:            ${loop.alone.toFixed(1)} images/s`);
  log(`train() with a replica:   ${loop.replica.toFixed(1)} images/s (${(loop.replica / loop.alone).toFixed(2)}×)`);
  const inferRateWasm = await inferRate(arch, 2048, 256);
  log(`wasm inference:           ${inferRateWasm.toFixed(0)} images/s (predict, batch 256)`);

  registerWasmTrainingKernels({ replaceBuiltins: false });
  const stockRate = await trainRate(arch, BATCH, Math.max(3, Math.round(BATCHES / 5)), 1);
  registerWasmTrainingKernels();
  log(`wasm (stock + missing):   ${stockRate.toFixed(1)} images/s`);

  await tf.setBackend('cpu');
  const cpuBatch = Math.min(BATCH, Math.max(1, Math.floor(CPU_IMAGES / 2)));
  const cpuRate = await trainRate(arch, cpuBatch, Math.max(1, Math.round(CPU_IMAGES / cpuBatch)), 1);
  log(`cpu:                      ${cpuRate.toFixed(2)} images/s (batch ${cpuBatch})`);

  const result = {
    bench: 'train',
    imagesPerSec: { wasm: round(wasmRate), wasmPlain: round(plainRate), cpu: round(cpuRate, 2) },
    kernelsBuild: nativeKernelsBuild(),
    ratioWasmToWasmPlain: round(wasmRate / plainRate, 3),
    pytorchImagesPerSec: round(torch.rate),
    ratioWasmToCpu: round(wasmRate / cpuRate),
    ratioWasmToPytorch: torch.rate === null ? null : round(wasmRate / torch.rate, 3),
    trainLoopImagesPerSec: { alone: round(loop.alone), replica: round(loop.replica) },
    ratioReplicaToAlone: round(loop.replica / loop.alone, 3),
    inferImagesPerSec: round(inferRateWasm, 0),
    wasmStockImagesPerSec: round(stockRate),
    ratioWasmToWasmStock: round(wasmRate / stockRate, 2),
    batchSize: BATCH,
    input: INPUT.join('x'),
    network: arch.name,
  };
  process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch((err: unknown) => {
  log(String((err as Error)?.stack ?? err));
  process.exitCode = 1;
});
