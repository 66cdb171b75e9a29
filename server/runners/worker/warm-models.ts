import type { ArtifactStore } from '../../ml/io';
import { ImageClassifier, type ClassScore } from '../../ml/infer';

/** Models a worker keeps loaded for classification: each is loaded once, the least used go first. */
export class WarmModels {
  private readonly loaded = new Map<string, Promise<ImageClassifier>>();

  constructor(
    private readonly store: ArtifactStore,
    private readonly max = 4,
  ) {}

  async classify(artifactKey: string, images: Uint8Array[], topK: number): Promise<ClassScore[][]> {
    let entry = this.loaded.get(artifactKey);
    if (entry) {
      this.loaded.delete(artifactKey);
    } else {
      entry = ImageClassifier.load(this.store, artifactKey);
      entry.catch(() => this.loaded.delete(artifactKey));
    }
    this.loaded.set(artifactKey, entry);
    while (this.loaded.size > this.max) {
      const [oldest, evicted] = this.loaded.entries().next().value!;
      this.loaded.delete(oldest);
      void evicted.then((c) => c.dispose()).catch(() => {});
    }
    return (await entry).classify(images, topK);
  }
}
