import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Shards on a runner's local disk, by key. A shard key names its content (server/storage/keys.ts),
 * so a cached file is never stale; files are written under a temporary name and renamed, so
 * several runners of one machine share the directory safely. Beyond `maxBytes` the least recently
 * used files go. A cache that cannot write (disk full, read-only) still serves what it fetched.
 */
export class ShardCache {
  private used = -1;

  constructor(
    readonly dir: string,
    readonly maxBytes: number,
  ) {}

  async get(key: string, fetch: () => Promise<Buffer | null>): Promise<Uint8Array> {
    const path = join(this.dir, fileName(key));
    if (this.maxBytes > 0) {
      const cached = await readFile(path).catch(() => null);
      if (cached) {
        const now = new Date();
        await utimes(path, now, now).catch(() => {});
        return cached;
      }
    }
    const data = await fetch();
    if (!data) throw new Error(`shard ${key} is missing on the server`);
    if (this.maxBytes > 0 && data.length <= this.maxBytes) await this.keep(path, data).catch(() => {});
    return data;
  }

  private async keep(path: string, data: Buffer): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await writeFile(tmp, data);
      await rename(tmp, path);
    } catch (e) {
      await unlink(tmp).catch(() => {});
      throw e;
    }
    // Counting the directory costs a stat per file: done on the first write, then estimated
    // until the estimate passes the cap.
    if (this.used < 0) this.used = await this.measure();
    else this.used += data.length;
    if (this.used > this.maxBytes) this.used = await this.evict(path);
  }

  private async files(): Promise<{ path: string; size: number; mtime: number }[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const out = [];
    for (const name of names) {
      if (name.endsWith('.tmp')) continue;
      const s = await stat(join(this.dir, name)).catch(() => null);
      if (s?.isFile()) out.push({ path: join(this.dir, name), size: s.size, mtime: s.mtimeMs });
    }
    return out;
  }

  private async measure(): Promise<number> {
    return (await this.files()).reduce((a, f) => a + f.size, 0);
  }

  /** Deletes the least recently used files until the rest fit, `keep` last of all. */
  private async evict(keep: string): Promise<number> {
    const files = (await this.files()).sort((a, b) => a.mtime - b.mtime);
    let total = files.reduce((a, f) => a + f.size, 0);
    for (const f of files) {
      if (total <= this.maxBytes) break;
      if (f.path === keep) continue;
      await unlink(f.path).catch(() => {});
      total -= f.size;
    }
    return total;
  }
}

/** A file name for a blob key: `models/<id>/shards/<hash>-<n>` → `models_<id>_shards_<hash>-<n>`. */
function fileName(key: string): string {
  return key.replace(/[^A-Za-z0-9-]/g, '_');
}
