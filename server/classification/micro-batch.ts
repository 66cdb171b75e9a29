import type { ClassScore } from '../ml/infer';
import type { Inference } from './classify.service';

interface Waiting {
  image: Uint8Array;
  topK: number;
  resolve(scores: ClassScore[]): void;
  reject(e: unknown): void;
}

/**
 * Concurrent classify requests for the same network go to a runner as one batch, so the per-call
 * costs (an IPC round trip, tensor setup, a predict call) are paid once per batch; bench/classify.ts
 * measures one image at a time against batches of 64. A request waits at most `windowMs` for
 * company; a lone request goes at once when nothing is in flight.
 */
export class MicroBatcher implements Inference {
  private readonly queues = new Map<string, Waiting[]>();
  private readonly inFlight = new Map<string, number>();

  constructor(
    private readonly inner: Inference,
    private readonly maxBatch = 64,
    private readonly windowMs = 2,
  ) {}

  async classify(artifactKey: string, images: Uint8Array[], topK: number): Promise<ClassScore[][]> {
    if (images.length !== 1) return this.inner.classify(artifactKey, images, topK);
    return [
      await new Promise<ClassScore[]>((resolve, reject) => {
        const queue = this.queues.get(artifactKey) ?? [];
        queue.push({ image: images[0]!, topK, resolve, reject });
        this.queues.set(artifactKey, queue);
        if (queue.length >= this.maxBatch || !this.inFlight.get(artifactKey)) this.flush(artifactKey);
        else if (queue.length === 1) setTimeout(() => this.flush(artifactKey), this.windowMs);
      }),
    ];
  }

  private flush(artifactKey: string): void {
    const queue = this.queues.get(artifactKey);
    if (!queue?.length) return;
    this.queues.delete(artifactKey);
    const topK = Math.max(...queue.map((w) => w.topK));
    this.inFlight.set(artifactKey, (this.inFlight.get(artifactKey) ?? 0) + 1);
    this.inner
      .classify(
        artifactKey,
        queue.map((w) => w.image),
        topK,
      )
      .then(
        (results) => queue.forEach((w, i) => w.resolve(results[i]!.slice(0, w.topK))),
        (e: unknown) => queue.forEach((w) => w.reject(e)),
      )
      .finally(() => {
        this.inFlight.set(artifactKey, this.inFlight.get(artifactKey)! - 1);
        // What queued meanwhile goes next, without waiting out a window.
        if (this.queues.get(artifactKey)?.length) this.flush(artifactKey);
      });
  }
}
