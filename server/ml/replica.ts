// Data-parallel training on one machine: a copy of the network in a worker thread (its own
// TensorFlow.js engine and wasm heap, so its own core) computes the gradients of part of each
// batch while the caller computes the rest; train() averages the two and takes one optimizer step.
// A runner process trains one network on one core otherwise, which leaves cores idle whenever a
// run has fewer candidates than the machine has cores (a lone survivor, the refit).
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Architecture } from './architecture';
import type { BackendName } from './backend';

/** One step's share of a batch, and the weights it is computed at. */
export interface ReplicaStep {
  /** Every weight of the model (trainable and not), in `model.weights` order. */
  weights: Float32Array[];
  /** The images of the replica's share, NHWC floats as the training step sees them. */
  xs: Float32Array;
  count: number;
  labels: Int32Array;
  /** A seed per dropout layer, in layer order. */
  dropoutSeeds: number[];
  labelSmoothing: number;
}

export interface ReplicaResult {
  /** Gradients of the mean loss over the share, one per trainable weight, in order. */
  grads: Float32Array[];
  /** Mean loss over the share, and how many of its images were classified right. */
  loss: number;
  correct: number;
}

export interface ReplicaInit {
  architecture: Architecture;
  seed: number;
  backend: BackendName;
}

type FromWorker = { ready: true } | { result: ReplicaResult } | { error: string };

/** A worker thread holding a copy of the network; one step at a time. */
export class GradientReplica {
  private pending: { resolve: (r: ReplicaResult) => void; reject: (e: Error) => void } | null = null;
  private failure: Error | null = null;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (m: FromWorker) => {
      const p = this.pending;
      this.pending = null;
      if ('result' in m) p?.resolve(m.result);
      else if ('error' in m) p?.reject(new Error(`training replica: ${m.error}`));
    });
    const fail = (err: Error) => {
      this.failure = err;
      this.pending?.reject(err);
      this.pending = null;
    };
    worker.on('error', (err) => fail(new Error(`training replica failed: ${err.message}`)));
    worker.on('exit', (code) => fail(new Error(`training replica exited (code ${code})`)));
  }

  /** Starts the worker and builds its network; resolves once it can take steps. */
  static async start(init: ReplicaInit): Promise<GradientReplica> {
    const worker = new Worker(path.join(__dirname, 'replica-worker.js'), { workerData: init });
    await new Promise<void>((resolve, reject) => {
      const onMessage = (m: FromWorker) => {
        cleanup();
        if ('ready' in m) resolve();
        else reject(new Error(`training replica did not start: ${'error' in m ? m.error : 'unexpected message'}`));
      };
      const onError = (err: Error) => {
        cleanup();
        reject(new Error(`training replica did not start: ${err.message}`));
      };
      // A worker that dies before it says anything would otherwise leave the round waiting forever.
      const onExit = (code: number) => {
        cleanup();
        reject(new Error(`training replica exited (code ${code}) before it started`));
      };
      const cleanup = () => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
    });
    return new GradientReplica(worker);
  }

  /** The gradients of `step`'s share; the arrays in `step` are transferred (unusable after). */
  gradients(step: ReplicaStep): Promise<ReplicaResult> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.pending) return Promise.reject(new Error('training replica: one step at a time'));
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.postMessage(
        step,
        [...step.weights, step.xs, step.labels].map((a) => a.buffer as ArrayBuffer),
      );
    });
  }

  async dispose(): Promise<void> {
    this.failure ??= new Error('training replica was disposed');
    this.worker.removeAllListeners('exit');
    this.worker.removeAllListeners('error');
    this.worker.on('error', () => {});
    await this.worker.terminate();
  }
}
