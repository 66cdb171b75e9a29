import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { assertKey, type BlobStore } from './blob-store';

/** Blobs as files under one directory: for a single server that prefers its disk to the database. */
export class FilesystemBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  async put(key: string, data: Buffer): Promise<void> {
    assertKey(key);
    const path = join(this.root, key);
    await mkdir(dirname(path), { recursive: true });
    // Write then rename, so a crash never leaves a truncated blob under the real key.
    const tmp = `${path}.${randomUUID()}.tmp`;
    try {
      await writeFile(tmp, data);
      await rename(tmp, path);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }

  async putMany(blobs: readonly { key: string; data: Buffer }[]): Promise<void> {
    for (const b of blobs) await this.put(b.key, b.data);
  }

  async get(key: string): Promise<Buffer | null> {
    assertKey(key);
    try {
      return await readFile(join(this.root, key));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  }

  async delete(key: string): Promise<void> {
    assertKey(key);
    await rm(join(this.root, key), { force: true });
  }

  async deleteMany(keys: readonly string[]): Promise<void> {
    for (const key of keys) await this.delete(key);
  }

  async deletePrefix(prefix: string): Promise<number> {
    const n = await this.count(prefix);
    const trimmed = prefix.replace(/\/$/, '');
    assertKey(trimmed);
    await rm(join(this.root, trimmed), { recursive: true, force: true });
    return n;
  }

  async count(prefix: string): Promise<number> {
    const trimmed = prefix.replace(/\/$/, '');
    assertKey(trimmed);
    try {
      const entries = await readdir(join(this.root, trimmed), { recursive: true, withFileTypes: true });
      return entries.filter((e) => e.isFile()).length;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw e;
    }
  }
}
