import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ShardCache } from './shard-cache';

const key = (n: number) => `models/00000000-0000-4000-8000-000000000000/shards/${String(n).padStart(20, '0')}-10`;

test('the shard cache is shared by runners of one machine, capped, and refills what it lost', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'percept-shard-cache-test-'));
  try {
    const fetched: string[] = [];
    const fetch = (k: string) => async () => {
      fetched.push(k);
      return Buffer.alloc(1000, k.length);
    };
    const one = new ShardCache(dir, 2500);
    const two = new ShardCache(dir, 2500);
    await one.get(key(1), fetch(key(1)));
    // A second runner finds the first one's copy on disk.
    assert.equal((await two.get(key(1), fetch(key(1)))).length, 1000);
    assert.deepEqual(fetched, [key(1)]);
    // Used just now, so key 2 is the least recently used when key 3 passes the cap.
    await one.get(key(2), fetch(key(2)));
    await new Promise((r) => setTimeout(r, 20));
    await two.get(key(1), fetch(key(1)));
    await one.get(key(3), fetch(key(3)));
    const files = (await readdir(dir)).sort();
    assert.equal(files.length, 2);
    assert.ok(!files.some((f) => f.includes(String(2).padStart(20, '0'))), `key 2 evicted: ${files.join(', ')}`);
    // The disk cache lost (a wiped temporary directory): shards are fetched again.
    await rm(dir, { recursive: true, force: true });
    await two.get(key(1), fetch(key(1)));
    assert.equal(fetched.filter((k) => k === key(1)).length, 2);
    await assert.rejects(
      one.get(key(9), async () => null),
      /missing on the server/,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
