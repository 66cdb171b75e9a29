import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ZipWriter } from '../../tests/support/zip-writer';
import { buildZip, type ZipInput } from '../../tests/support/zip';
import { ArchiveError, listZip } from './zip-archive';
import { readZipEntries, type ZipEntryData } from './zip-read';

const dir = mkdtempSync(join(tmpdir(), 'percept-zip-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = (data: Buffer) => {
  const path = join(dir, `${++n}.zip`);
  writeFileSync(path, data);
  return path;
};
const limits = { zipEntries: 10, zipTotalBytes: 10 << 20, zipEntryBytes: 4 << 20, zipRatio: 50 };
const problem = async (entries: ZipInput[] | Buffer, l = limits) => {
  try {
    await listZip(file(Buffer.isBuffer(entries) ? entries : buildZip(entries)), l);
  } catch (e) {
    if (e instanceof ArchiveError) return e.problem;
    throw e;
  }
  return 'accepted';
};

describe('listZip refuses whole-archive problems from the central directory', () => {
  test('a readable archive is listed with sizes', async () => {
    const entries = await listZip(
      file(buildZip([{ name: 'a/' }, { name: 'a/x.png', data: Buffer.alloc(100, 1) }])),
      limits,
    );
    assert.deepEqual(
      entries.map((e) => [e.name, e.directory, e.size]),
      [
        ['a/', true, 0],
        ['a/x.png', false, 100],
      ],
    );
  });

  test('zip slip: ".." and absolute paths', async () => {
    assert.equal(await problem([{ name: '../x.png', data: Buffer.from('x') }]), 'UNSAFE_PATH');
    assert.equal(await problem([{ name: 'a/../../x.png', data: Buffer.from('x') }]), 'UNSAFE_PATH');
    assert.equal(await problem([{ name: '/etc/x.png', data: Buffer.from('x') }]), 'UNSAFE_PATH');
    assert.equal(await problem([{ name: 'C:/x.png', data: Buffer.from('x') }]), 'UNSAFE_PATH');
    assert.equal(await problem([{ name: 'a\\..\\..\\x.png', data: Buffer.from('x') }]), 'UNSAFE_PATH');
  });

  test('zip bombs: entry count, total size, entry size, compression ratio', async () => {
    const many = Array.from({ length: 11 }, (_, i) => ({ name: `c/${i}.png`, data: Buffer.from([i]) }));
    assert.equal(await problem(many), 'TOO_MANY_ENTRIES');
    const big = (name: string) => ({ name, data: Buffer.alloc(3 << 20, 1), method: 'store' as const });
    assert.equal(await problem([big('c/1'), big('c/2'), big('c/3'), big('c/4')]), 'TOO_LARGE');
    assert.equal(await problem([{ name: 'c/1', data: Buffer.alloc(5 << 20) }]), 'ENTRY_TOO_LARGE');
    assert.equal(await problem([{ name: 'c/1', data: Buffer.alloc(2 << 20) }]), 'COMPRESSION_RATIO');
    const lying = [{ name: 'c/1', data: Buffer.alloc(1000), declaredSize: 5 << 30 }];
    assert.equal(await problem(lying), 'ENTRY_TOO_LARGE');
  });

  test('not a zip, and a truncated one', async () => {
    assert.equal(await problem(Buffer.from('just some text, not an archive')), 'NOT_A_ZIP');
    const zip = buildZip([{ name: 'c/x.png', data: Buffer.alloc(1000, 7) }]);
    assert.equal(await problem(zip.subarray(0, zip.length - 30)), 'NOT_A_ZIP');
  });
});

test('readZipEntries reads wanted entries and reports damaged and lying ones', async () => {
  const zip = buildZip([
    { name: 'c/a', data: Buffer.from('alpha'.repeat(100)) },
    { name: 'c/b', data: Buffer.from('bravo') },
    { name: 'c/c', data: Buffer.from('charlie'.repeat(50)), method: 'store' },
    { name: 'c/d', data: Buffer.alloc(5000, 1), declaredSize: 100 },
    { name: 'c/e', data: Buffer.alloc(5000, 2), declaredSize: 6000 },
  ]);
  // Flip a stored byte of the third entry: only its CRC can tell.
  const at = zip.indexOf(Buffer.from('charlie'));
  zip[at] = 'C'.charCodeAt(0);
  const path = file(zip);
  const seen: ZipEntryData[] = [];
  const entries = await listZip(path, limits);
  await readZipEntries(
    path,
    entries,
    (i) => i !== 1,
    async (e) => void seen.push(e),
  );
  assert.deepEqual(
    seen.map((e) => [e.info.name, e.data?.toString('latin1', 0, 5) ?? null]),
    [
      ['c/a', 'alpha'],
      ['c/c', null],
      ['c/d', null],
      ['c/e', null],
    ],
  );
  assert.match(seen[1]!.error!, /CRC/);
  assert.match(seen[2]!.error!, /cannot be unpacked/, 'more bytes than declared are never inflated');
  assert.match(seen[3]!.error!, /unpacks to 5000 bytes, not the 6000/);

  // In a given order (an import interleaves class folders).
  const ordered: string[] = [];
  await readZipEntries(
    path,
    entries,
    (i) => i !== 1,
    async (e) => void ordered.push(e.info.name),
    undefined,
    [4, 1, 0],
  );
  assert.deepEqual(ordered, ['c/e', 'c/a']);
});

describe('entry count past 65,535 without zip64', () => {
  const many = Array.from({ length: 66_000 }, (_, i) => ({
    name: `c/${i}.png`,
    data: Buffer.from('x'),
    method: 'store' as const,
  }));

  test('is refused instead of read in part (writers without zip64, JSZip among them, make such archives)', async () => {
    const path = file(buildZip(many, { zip64: false }));
    await assert.rejects(
      listZip(path, { ...limits, zipEntries: 1_000_000 }),
      (e: unknown) => e instanceof ArchiveError && e.problem === 'TOO_MANY_ENTRIES' && /zip64/.test(e.message),
    );
  });

  test('with zip64 records (the test and benchmark writer adds them) every entry is listed', async () => {
    const zip = new ZipWriter();
    for (const e of many) zip.file(e.name, e.data);
    const entries = await listZip(file(await zip.generateAsync({ type: 'nodebuffer' })), {
      ...limits,
      zipEntries: 1_000_000,
    });
    assert.equal(entries.length, many.length);
  });
});
