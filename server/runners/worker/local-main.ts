// Entry of a local runner: a child process forked by the server's pool, talking over IPC.
import { initBackend } from '../../ml/backend';
import { answer, RpcChannel, type Assignment, type FromWorker, type ToWorker } from '../protocol';
import type { RunnerData } from '../data/runner-data';
import { WarmModels } from './warm-models';
import { Worker } from './worker';

const send = (msg: FromWorker): Promise<void> =>
  new Promise((resolve, reject) => process.send!(msg, undefined, {}, (e) => (e ? reject(e) : resolve())));

const server = new RpcChannel((msg) => void send(msg));
const toBuffer = (u: Uint8Array | null) => (u ? Buffer.from(u.buffer, u.byteOffset, u.byteLength) : null);
const data: RunnerData = {
  datasetIndex: (modelId, snapshot) => server.call<Uint8Array>('datasetIndex', [modelId, snapshot ?? null]),
  loosePixels: (modelId, ids, snapshot) => server.call<Uint8Array>('loosePixels', [modelId, ids, snapshot ?? null]),
  store: {
    get: async (key) => toBuffer(await server.call<Uint8Array | null>('getBlob', [key])),
    put: async (key, bytes) => void (await server.call('putBlob', [key, bytes])),
  },
};
const warm = new WarmModels(data.store);

const worker = new Worker(
  {
    progress: (a: Assignment, progress) => send({ type: 'progress', taskId: a.taskId, progress }),
    done: (a: Assignment, result) => send({ type: 'done', taskId: a.taskId, result }),
    failed: (a: Assignment, error, permanent) => send({ type: 'failed', taskId: a.taskId, error, permanent }),
  },
  data,
);

const methods = {
  classify: (artifactKey: string, images: Uint8Array[], topK: number) => warm.classify(artifactKey, images, topK),
};

process.on('message', (msg: ToWorker) => {
  switch (msg.type) {
    case 'run':
      void worker.run(msg.assignment);
      break;
    case 'cancel':
      worker.cancel(msg.taskId);
      break;
    case 'request':
      void answer(msg, methods, (res) => void send(res));
      break;
    case 'response':
      server.settle(msg);
      break;
  }
});
// The server went away: a runner has no reason to outlive it.
process.on('disconnect', () => process.exit(0));

void initBackend().then(
  (info) => send({ type: 'ready', backend: info.backend, device: info.device }),
  (e: unknown) => {
    console.error('no TensorFlow.js backend could start:', e);
    process.exit(1);
  },
);
