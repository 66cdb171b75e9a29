import type { ClassScore } from '../ml/infer';
import type { LocalPool } from '../runners/local-pool';
import type { BlobStore } from '../storage/blob-store';
import type { Inference } from './classify.service';

/**
 * Classification runs on the warm local runners (each keeps recently used networks loaded). With
 * no local runner up — an API server that leaves ML to remote runners — it runs in this process,
 * which then loads TensorFlow.js on first use.
 */
export class PooledInference implements Inference {
  private inProcess: Promise<{ classify: Inference['classify'] }> | null = null;

  constructor(
    private readonly pool: () => LocalPool | null,
    private readonly blobs: BlobStore,
  ) {}

  async classify(artifactKey: string, images: Uint8Array[], topK: number): Promise<ClassScore[][]> {
    const viaPool = await this.pool()?.call<ClassScore[][]>('classify', [artifactKey, images, topK]);
    if (viaPool) return viaPool;
    this.inProcess ??= (async () => {
      const { initBackend } = await import('../ml/backend.js');
      const { WarmModels } = await import('../runners/worker/warm-models.js');
      await initBackend();
      return new WarmModels(this.blobs);
    })();
    return (await this.inProcess).classify(artifactKey, images, topK);
  }
}
