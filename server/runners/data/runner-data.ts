import type { DatasetSnapshot } from '../../datasets/image.queries';
import type { ArtifactStore } from '../../ml/io';
import { decodePack, type DatasetPack } from './pack';

/**
 * What a worker needs from its server besides the assignment: datasets and blobs (checkpoints,
 * models). Local runners get them over IPC, remote runners over HTTP; handlers see only this.
 */
export interface RunnerData {
  /** The model's labelled images; only those of `snapshot`, when the task carries one. */
  datasetPack(modelId: string, snapshot?: DatasetSnapshot | null): Promise<Uint8Array>;
  store: ArtifactStore;
}

/** Keeps the last few datasets in the worker, so the rounds of a training run fetch theirs once. */
export class DatasetCache {
  private readonly entries = new Map<string, Promise<DatasetPack>>();

  constructor(
    private readonly data: RunnerData,
    private readonly max = 2,
  ) {}

  get(modelId: string, version: string, snapshot?: DatasetSnapshot | null): Promise<DatasetPack> {
    const key = `${modelId}@${version}`;
    let entry = this.entries.get(key);
    if (!entry) {
      // Without a snapshot (tasks queued before snapshots existed) the pack may be newer than `version`.
      entry = this.data.datasetPack(modelId, snapshot ?? null).then(decodePack);
      entry.catch(() => this.entries.delete(key));
      this.entries.set(key, entry);
      while (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
    }
    return entry;
  }
}
