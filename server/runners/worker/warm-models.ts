import type * as tf from '../../ml/tf';
import { parseNetworkKey } from '../network-key';
import { ImageClassifier, MultiHeadClassifier, type ClassScore } from '../../ml/infer';
import { loadModel, type ArtifactStore } from '../../ml/io';

interface Entry {
  model: Promise<tf.LayersModel>;
  /** Calls using it now: an entry in use is never disposed. */
  users: number;
}

/**
 * Models a worker keeps loaded for classification: each is loaded once, the least recently used
 * go first. A network is a plain model or a base with heads (see runners/network-key.ts); parts are kept
 * one by one, so a new head set reuses the loaded base and the heads it shares with the old one.
 */
export class WarmModels {
  private readonly loaded = new Map<string, Entry>();

  constructor(
    private readonly store: ArtifactStore,
    private readonly max = 16,
  ) {}

  async classify(network: string, images: Uint8Array[], topK: number): Promise<ClassScore[][]> {
    const target = parseNetworkKey(network);
    const keys =
      'artifactKey' in target ? [target.artifactKey] : [target.heads.base, ...target.heads.heads.map((h) => h.key)];
    const entries = keys.map((key) => this.acquire(key));
    try {
      const [first, ...heads] = await Promise.all(entries.map((e) => e.model));
      if ('artifactKey' in target) return await new ImageClassifier(first!).classify(images, topK);
      const classifier = new MultiHeadClassifier(
        first!,
        heads.map((model, i) => ({ model, classIds: target.heads.heads[i]!.classIds })),
      );
      return await classifier.classify(images, topK);
    } finally {
      for (const e of entries) e.users--;
      this.evict();
    }
  }

  private acquire(key: string): Entry {
    let entry = this.loaded.get(key);
    if (entry) {
      this.loaded.delete(key); // re-inserted below as the most recently used
    } else {
      const fresh: Entry = { model: loadModel(this.store, key), users: 0 };
      fresh.model.catch(() => {
        if (this.loaded.get(key) === fresh) this.loaded.delete(key);
      });
      entry = fresh;
    }
    entry.users++;
    this.loaded.set(key, entry);
    return entry;
  }

  private evict(): void {
    for (const [key, entry] of this.loaded) {
      if (this.loaded.size <= this.max) return;
      if (entry.users > 0) continue;
      this.loaded.delete(key);
      void entry.model.then((m) => m.dispose()).catch(() => {});
    }
  }
}
