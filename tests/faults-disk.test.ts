// Fault injection: the blob store's disk fills up in the middle of an import. A 1 MiB tmpfs is
// mounted over the file blob store (needs root, as in CI); the import must fail with a clear
// reason and leave nothing half-written: every image row has its blob, no blob lacks its row.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { distinctPng, uploadDataset } from './support/datasets';
import { createModel, signUp } from './support/fixtures';
import { startTestServer, type TestServer } from './support/server';
import { waitForTask } from './support/training';
import { buildZip, type ZipInput } from './support/zip';

// Mounting needs root (CI runs as root); elsewhere the test says why it is skipped.
const NO_ROOT = process.getuid?.() !== 0 ? 'needs root to mount a 1 MiB tmpfs' : false;

let srv: TestServer;
let mounted = '';
let dataDir = '';
before(async () => {
  if (NO_ROOT) return;
  dataDir = mkdtempSync(join(tmpdir(), 'percept-disk-'));
  mounted = join(dataDir, 'blobs');
  mkdirSync(mounted);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mounted]);
  srv = await startTestServer({
    PERCEPT_BLOB_STORE: 'filesystem',
    PERCEPT_DATA_DIR: dataDir,
    PERCEPT_TASK_MAX_ATTEMPTS: '1',
  });
});
after(async () => {
  if (NO_ROOT) return;
  await srv?.stop();
  if (mounted) execFileSync('umount', [mounted]);
  rmSync(dataDir, { recursive: true, force: true });
});

test(
  'a full disk during import fails the task with the reason and leaves every row with its blob',
  { skip: NO_ROOT },
  async () => {
    const user = await signUp(srv.graphqlUrl);
    // 64×64 RGB: 12 KiB of pixels each, so 300 images need about 3.5 MiB on a 1 MiB disk.
    const model = await createModel(srv.graphqlUrl, user.token, 'full', await distinctPng(1, 64, 64));
    const entries: ZipInput[] = [];
    for (let i = 0; i < 300; i++) entries.push({ name: `c${i % 2}/${i}.png`, data: await distinctPng(i + 10, 64, 64) });
    const res = await uploadDataset(srv, user.token, model.id, buildZip(entries));
    assert.ok(res.data, JSON.stringify(res.errors));
    await assert.rejects(
      waitForTask(srv.graphqlUrl, user.token, res.data.importDataset.id),
      /FAILED: .*(no space|ENOSPC|full)/i,
    );

    const rows: { blobKey: string }[] = await srv.percept.db.query(
      `SELECT "blobKey" FROM images WHERE "modelId" = $1`,
      [model.id],
    );
    const dir = join(mounted, 'models', model.id, 'images');
    const files = (() => {
      try {
        return readdirSync(dir);
      } catch {
        return [];
      }
    })();
    assert.deepEqual(
      files.filter((f) => !f.endsWith('.tmp')).sort(),
      rows.map((r) => r.blobKey.split('/').at(-1)!).sort(),
      'the blobs on disk are exactly those of the image rows',
    );
    assert.deepEqual(
      files.filter((f) => f.endsWith('.tmp')),
      [],
      'no partial blob file is left',
    );
    assert.deepEqual(readdirSync(join(dataDir, 'uploads')), [], 'the upload is gone');
  },
);
