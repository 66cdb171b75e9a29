/**
 * Where images, features and model artifacts live. Keys are slash-separated paths that start with
 * their owner (`models/<modelId>/…`), so everything of a model goes with one `deletePrefix`.
 * The ML library's `ArtifactStore` is the `put`/`get` half of this interface.
 */
export interface BlobStore {
  put(key: string, data: Buffer, contentType?: string): Promise<void>;
  /** Many small blobs at once (an import writes two per image): one statement in PostgreSQL. */
  putMany(blobs: readonly { key: string; data: Buffer; contentType?: string }[]): Promise<void>;
  get(key: string): Promise<Buffer | null>;
  delete(key: string): Promise<void>;
  deleteMany(keys: readonly string[]): Promise<void>;
  /** Returns how many blobs were deleted. */
  deletePrefix(prefix: string): Promise<number>;
  /** Counts blobs under a prefix (used to prove nothing is left behind). */
  count(prefix: string): Promise<number>;
}

export function assertKey(key: string): void {
  if (!/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(key) || key.split('/').some((p) => p === '..' || p === '.')) {
    throw new Error(`invalid blob key: ${JSON.stringify(key)}`);
  }
}
