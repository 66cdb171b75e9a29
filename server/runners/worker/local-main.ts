// Entry of a local runner: a child process forked by the server's pool, talking over IPC.
import { initBackend } from '../../ml/backend';
import type { Assignment, FromWorker, ToWorker } from '../protocol';
import { Worker } from './worker';

const send = (msg: FromWorker): Promise<void> =>
  new Promise((resolve, reject) => process.send!(msg, undefined, {}, (e) => (e ? reject(e) : resolve())));

const worker = new Worker({
  progress: (a: Assignment, progress) => send({ type: 'progress', taskId: a.taskId, progress }),
  done: (a: Assignment, result) => send({ type: 'done', taskId: a.taskId, result }),
  failed: (a: Assignment, error, permanent) => send({ type: 'failed', taskId: a.taskId, error, permanent }),
});

process.on('message', (msg: ToWorker) => {
  switch (msg.type) {
    case 'run':
      void worker.run(msg.assignment);
      break;
    case 'cancel':
      worker.cancel(msg.taskId);
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
