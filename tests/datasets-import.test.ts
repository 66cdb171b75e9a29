// The IMPORT_DATASET handler against real PostgreSQL and a real blob store, with a real
// TaskContext (tests/support/datasets.ts); the API side is in datasets.test.ts.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { NfcClassNames1796240079808 } from '../server/db/migrations/1796240079808-NfcClassNames';
import { assignSplit } from '../server/datasets/split';
import { PermanentTaskError } from '../server/tasks/task-types';
import { distinctPng, enqueueImport, runHandler } from './support/datasets';
import { createModel, png, signUp } from './support/fixtures';
import { startTestServer, type TestServer } from './support/server';
import { buildZip, type ZipInput } from './support/zip';

let srv: TestServer;
before(async () => (srv = await startTestServer({ PERCEPT_MAX_IMAGE_PIXELS: '40000' })));
after(() => srv.stop());

const q = async <T = Record<string, any>>(sql: string, params: unknown[] = []): Promise<T[]> =>
  srv.percept.db.query(sql, params);
const count = async (sql: string, params: unknown[] = []) => (await q<{ n: number }>(sql, params))[0]!.n;

async function newModel(sample?: Buffer) {
  const u = await signUp(srv.graphqlUrl);
  const m = await createModel(srv.graphqlUrl, u.token, 'data', sample ?? (await png(16, 12, 3)));
  return { ...m, ownerId: u.user.id, token: u.token };
}

async function importZip(model: { id: string; ownerId: string }, entries: ZipInput[]) {
  const { task } = await enqueueImport(srv, model, buildZip(entries));
  return runHandler(srv, task);
}

describe('importing a zip', () => {
  test('class folders become classes; images are stored as raw pixels of the input shape plus a thumbnail', async () => {
    const model = await newModel(); // 16×12 RGB
    const jpeg = await sharp(await distinctPng(9, 40, 30))
      .jpeg()
      .toBuffer();
    const cat1 = await distinctPng(1);
    const run = await importZip(model, [
      { name: 'cat/1.png', data: cat1 },
      { name: 'cat/2.png', data: await distinctPng(2) },
      { name: 'cat/notes.txt', data: Buffer.from('these are cats') },
      { name: 'cat/logo.svg', data: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>') },
      { name: 'dog/a.jpg', data: jpeg },
      { name: 'dog/broken.png', data: (await distinctPng(3, 64, 64)).subarray(0, 90) },
      { name: 'dog/huge.png', data: await distinctPng(4, 250, 200) }, // over the 40,000-pixel limit
      { name: 'dog/copy-of-cat.png', data: cat1 },
      { name: 'dog/.DS_Store', data: Buffer.from([0, 1, 2]) },
      { name: 'bird/' },
      { name: 'stray.png', data: await distinctPng(5) },
    ]);
    const r = run.result;
    assert.deepEqual(r.classes, [
      { name: 'cat', imported: 2 },
      { name: 'dog', imported: 1 },
    ]);
    assert.equal(r.imported, 3);
    assert.equal(r.filesSeen, 10, 'every file, not the directory entry');
    const reasons = Object.fromEntries(r.skippedFiles.map((s: { path: string; reason: string }) => [s.path, s.reason]));
    assert.deepEqual(reasons, {
      'cat/notes.txt': 'NOT_AN_IMAGE',
      'cat/logo.svg': 'UNSUPPORTED_FORMAT',
      'dog/broken.png': 'CORRUPT',
      'dog/huge.png': 'TOO_LARGE',
      'dog/copy-of-cat.png': 'DUPLICATE',
      'dog/.DS_Store': 'SYSTEM_FILE',
      'bird/': 'EMPTY_CLASS_FOLDER',
      'stray.png': 'OUTSIDE_CLASS_FOLDER',
    });

    const classes = await q('SELECT name, index FROM model_classes WHERE "modelId" = $1 ORDER BY index', [model.id]);
    assert.deepEqual(classes, [
      { name: 'cat', index: 0 },
      { name: 'dog', index: 1 },
    ]);
    const images = await q<{ id: string; blobKey: string; source: string; originalName: string }>(
      'SELECT id, "blobKey", source, "originalName" FROM images WHERE "modelId" = $1 ORDER BY "originalName"',
      [model.id],
    );
    assert.deepEqual(
      images.map((i) => i.originalName),
      ['cat/1.png', 'cat/2.png', 'dog/a.jpg'],
    );
    for (const image of images) {
      assert.equal(image.source, 'UPLOAD');
      const pixels = await srv.percept.blobs.get(image.blobKey);
      assert.equal(pixels?.length, 16 * 12 * 3, 'exactly h × w × c bytes');
      const thumb = await srv.percept.blobs.get(`models/${model.id}/thumbs/${image.id}`);
      assert.equal(thumb, null, 'an input this small is its own thumbnail, made when asked for');
    }
    assert.equal(await srv.percept.blobs.count(`models/${model.id}/images/`), 3);
    assert.equal(existsSync(run.uploadPath), false, 'the upload is deleted when the import ends');
  });

  test('inputs larger than a thumbnail get one stored, at most 128 px', async () => {
    const model = await newModel(await png(200, 150, 3));
    await importZip(model, [
      { name: 'a/1.png', data: await distinctPng(31, 200, 150) },
      { name: 'b/1.png', data: await distinctPng(32, 100, 100) },
    ]);
    const images = await q('SELECT id, "blobKey" FROM images WHERE "modelId" = $1', [model.id]);
    for (const image of images) {
      assert.equal((await srv.percept.blobs.get(image.blobKey))?.length, 200 * 150 * 3);
      const meta = await sharp((await srv.percept.blobs.get(`models/${model.id}/thumbs/${image.id}`))!).metadata();
      assert.deepEqual([meta.format, meta.width, meta.height], ['png', 128, 96]);
    }
  });

  test('greyscale models store one byte per pixel', async () => {
    const model = await newModel(await png(8, 8, 1));
    await importZip(model, [
      { name: 'a/1.png', data: await distinctPng(11) },
      { name: 'b/1.png', data: await distinctPng(12) },
    ]);
    const [image] = await q('SELECT "blobKey" FROM images WHERE "modelId" = $1 LIMIT 1', [model.id]);
    assert.equal((await srv.percept.blobs.get(image.blobKey))?.length, 64);
  });

  test('each image records whether it holds colour: grey pictures saved as RGB PNG or JPEG do not', async () => {
    const model = await newModel(); // RGB
    const ramp = Buffer.from(Array.from({ length: 16 * 12 }, (_, i) => (i * 7) % 256));
    const raw = { raw: { width: 16, height: 12, channels: 1 as const } };
    const rgb = Buffer.from(Array.from(ramp, (v) => [v, v, v]).flat());
    await importZip(model, [
      { name: 'a/grey.png', data: await sharp(ramp, raw).png().toBuffer() },
      {
        name: 'a/grey.jpg',
        data: await sharp(rgb, { raw: { ...raw.raw, channels: 3 } })
          .jpeg()
          .toBuffer(),
      },
      { name: 'b/colour.png', data: await distinctPng(41) },
    ]);
    const rows = await q<{ originalName: string; grey: boolean }>(
      'SELECT "originalName", grey FROM images WHERE "modelId" = $1 ORDER BY "originalName"',
      [model.id],
    );
    assert.deepEqual(
      rows.map((r) => `${r.originalName}:${r.grey}`),
      ['a/grey.jpg:true', 'a/grey.png:true', 'b/colour.png:false'],
    );
  });

  test('a second upload extends the classes at the next index and skips files already in the model', async () => {
    const model = await newModel();
    await importZip(model, [
      { name: 'set/cat/1.png', data: await distinctPng(21) },
      { name: 'set/dog/1.png', data: await distinctPng(22) },
    ]);
    const second = await importZip(model, [
      { name: 'dog/2.png', data: await distinctPng(23) },
      { name: 'fish/1.png', data: await distinctPng(24) },
      { name: 'fish/old.png', data: await distinctPng(21) },
    ]);
    assert.deepEqual(second.result.classes, [
      { name: 'dog', imported: 1 },
      { name: 'fish', imported: 1 },
    ]);
    assert.equal(second.result.skippedFiles[0].reason, 'DUPLICATE');
    assert.match(second.result.skippedFiles[0].detail, /already in this model/);
    const classes = await q('SELECT name, index FROM model_classes WHERE "modelId" = $1 ORDER BY index', [model.id]);
    assert.deepEqual(
      classes.map((c) => `${c.index}:${c.name}`),
      ['0:cat', '1:dog', '2:fish'],
    );
  });

  test('safe to run twice: a retry after a crash neither duplicates images nor leaves stray blobs', async () => {
    const model = await newModel();
    const entries = await Promise.all(
      Array.from({ length: 24 }, async (_, i) => ({ name: `c${i % 3}/${i}.png`, data: await distinctPng(100 + i) })),
    );
    const { task, uploadPath } = await enqueueImport(srv, model, buildZip(entries));
    const keep = `${uploadPath}.keep`;
    copyFileSync(uploadPath, keep);
    const first = await runHandler(srv, task);
    assert.equal(first.result.imported, 24);
    const blobs = await srv.percept.blobs.count(`models/${model.id}/`);

    // A crash after the blobs of some images were written but before their rows were.
    await q(`DELETE FROM images WHERE id IN (SELECT id FROM images WHERE "modelId" = $1 LIMIT 10)`, [model.id]);
    copyFileSync(keep, uploadPath);
    const retry = await runHandler(srv, task);
    assert.equal(retry.result.imported, 24, 'the images of the earlier attempt count as imported, not as duplicates');
    assert.equal(retry.result.skipped, 0);
    assert.equal(await count('SELECT count(*)::int AS n FROM images WHERE "modelId" = $1', [model.id]), 24);
    assert.equal(await srv.percept.blobs.count(`models/${model.id}/`), blobs, 'the same blob keys, rewritten');
  });

  test('the split is seeded by the model and honours train/ and test/ folders', async () => {
    const model = await newModel();
    const entries: ZipInput[] = [];
    for (let i = 0; i < 40; i++) {
      entries.push({
        name: `${i < 30 ? 'train' : 'test'}/${i % 2 ? 'odd' : 'even'}/${i}.png`,
        data: await distinctPng(200 + i),
      });
    }
    await importZip(model, entries);
    const [{ splitSeed }] = await q('SELECT "splitSeed" FROM models WHERE id = $1', [model.id]);
    const rows = await q<{ checksum: string; split: string; originalName: string }>(
      'SELECT checksum, split, "originalName" FROM images WHERE "modelId" = $1',
      [model.id],
    );
    assert.equal(rows.length, 40);
    for (const row of rows) {
      const folder = row.originalName.startsWith('test/') ? 'TEST' : 'TRAIN';
      if (folder === 'TEST') assert.equal(row.split, 'TEST', row.originalName);
      else assert.ok(row.split === 'TRAIN' || row.split === 'VALIDATION', row.originalName);
      assert.equal(
        row.split,
        assignSplit(splitSeed, row.checksum, folder as never),
        'reproducible from seed and checksum',
      );
    }
  });

  test('a zip with a single class imports (training refuses it later)', async () => {
    const model = await newModel();
    const run = await importZip(model, [{ name: 'only/1.png', data: await distinctPng(300) }]);
    assert.deepEqual(run.result.classes, [{ name: 'only', imported: 1 }]);
  });

  test('a zip whose images all fail fails for good and leaves no rows, classes or blobs', async () => {
    const model = await newModel();
    const broken = (await distinctPng(400, 64, 64)).subarray(0, 70);
    const { task, uploadPath } = await enqueueImport(
      srv,
      model,
      buildZip([
        { name: 'cat/1.png', data: broken },
        { name: 'cat/2.txt', data: Buffer.from('text') },
      ]),
    );
    await assert.rejects(runHandler(srv, task), (e: Error) => {
      assert.ok(e instanceof PermanentTaskError);
      assert.match(e.message, /No image could be imported from data\.zip: 1 corrupt, 1 not an image/);
      return true;
    });
    assert.equal(await count('SELECT count(*)::int AS n FROM images WHERE "modelId" = $1', [model.id]), 0);
    assert.equal(await count('SELECT count(*)::int AS n FROM model_classes WHERE "modelId" = $1', [model.id]), 0);
    assert.equal(await srv.percept.blobs.count(`models/${model.id}/images/`), 0);
    assert.equal(existsSync(uploadPath), false);
  });

  test('reports progress and stops when cancelled, keeping the upload for a retry', async () => {
    const model = await newModel();
    const entries = await Promise.all(
      Array.from({ length: 300 }, async (_, i) => ({
        name: `k${i % 2}/${i}.png`,
        data: await distinctPng(500 + i, 64, 48),
      })),
    );
    const { task, uploadPath } = await enqueueImport(srv, model, buildZip(entries));
    const cancel = new AbortController();
    const run = runHandler(srv, task, { signal: cancel.signal, concurrency: 2 });
    // Cancel as soon as the first rows land, as an admin would mid-import.
    const poll = setInterval(() => {
      void count('SELECT count(*)::int AS n FROM images WHERE "modelId" = $1', [model.id]).then((n) => {
        if (n > 0) cancel.abort(new Error('cancelled by the test'));
      });
    }, 10);
    after(() => clearInterval(poll));
    await assert.rejects(run, /cancelled by the test/);
    clearInterval(poll);
    assert.ok(existsSync(uploadPath), 'a cancelled or interrupted attempt keeps its file');
    const partial = await count('SELECT count(*)::int AS n FROM images WHERE "modelId" = $1', [model.id]);
    assert.ok(partial < 300, `stopped early (${partial} imported)`);
    const done = await runHandler(srv, task);
    assert.equal(done.result.imported, 300, 'a retry finishes the job');
    assert.ok(done.progress.length >= 1);
    const last = done.progress.at(-1)!;
    assert.equal(last.phase, 'done');
    assert.equal(last.imported, 300);
  });
});

describe('class names in Unicode NFC', () => {
  const nfd = 'cafe\u0301';
  const nfc = 'caf\u00e9';
  const classes = async (modelId: string) =>
    q(
      `SELECT c.name, count(i.id)::int AS images FROM model_classes c LEFT JOIN images i ON i."classId" = c.id
       WHERE c."modelId" = $1 GROUP BY c.name ORDER BY c.name`,
      [modelId],
    );

  test('café/ zipped decomposed (macOS) and composed is one class, in this import and the next', async () => {
    const model = await newModel();
    const run = await importZip(model, [
      { name: `${nfd}/1.png`, data: await distinctPng(1) },
      { name: `${nfc}/2.png`, data: await distinctPng(2) },
      { name: 'tea/3.png', data: await distinctPng(3) },
    ]);
    assert.deepEqual(run.result.classes, [
      { name: nfc, imported: 2 },
      { name: 'tea', imported: 1 },
    ]);
    await importZip(model, [{ name: `${nfd}/4.png`, data: await distinctPng(4) }]);
    assert.deepEqual(await classes(model.id), [
      { name: nfc, images: 3 },
      { name: 'tea', images: 1 },
    ]);
  });

  test('the migration merges classes stored before, keeping the id and index of the first', async () => {
    const model = await newModel();
    await importZip(model, [
      { name: `${nfd}/1.png`, data: await distinctPng(1) },
      { name: 'tea/2.png', data: await distinctPng(2) },
      { name: 'tea/3.png', data: await distinctPng(3) },
    ]);
    // As an older Percept stored them: the decomposed class first, a composed one made by a later import.
    await q(`UPDATE model_classes SET name = $2 WHERE "modelId" = $1 AND name = $3`, [model.id, nfd, nfc]);
    const [old] = await q<{ id: string }>(`SELECT id FROM model_classes WHERE "modelId" = $1 AND name = $2`, [
      model.id,
      nfd,
    ]);
    const [added] = await q<{ id: string }>(
      `INSERT INTO model_classes ("modelId", name, index) VALUES ($1, $2, 2) RETURNING id`,
      [model.id, nfc],
    );
    await q(
      `UPDATE images SET "classId" = $1 WHERE id = (SELECT i.id FROM images i JOIN model_classes c ON c.id = i."classId"
       WHERE c."modelId" = $2 AND c.name = 'tea' LIMIT 1)`,
      [added!.id, model.id],
    );
    assert.equal((await classes(model.id)).length, 3, 'two café classes before the migration');

    const runner = srv.percept.db.createQueryRunner();
    try {
      await new NfcClassNames1796240079808().up(runner);
    } finally {
      await runner.release();
    }
    assert.deepEqual(await classes(model.id), [
      { name: nfc, images: 2 },
      { name: 'tea', images: 1 },
    ]);
    const rows = await q(`SELECT id, index FROM model_classes WHERE "modelId" = $1 AND name = $2`, [model.id, nfc]);
    assert.deepEqual(rows, [{ id: old!.id, index: 0 }]);
  });
});

describe('importing a manifest of URLs', () => {
  test('records url,label lines without pixels; bad and repeated lines are reported', async () => {
    const model = await newModel();
    const csv = [
      'url,label',
      'https://images.example.com/cats/1.jpg,cat',
      'https://images.example.com/dogs/1.jpg,dog',
      'https://images.example.com/cats/1.jpg,cat',
      'file:///etc/passwd,cat',
      'https://images.example.com/x.jpg,',
    ].join('\n');
    const { task } = await enqueueImport(srv, model, Buffer.from(csv), 'manifest');
    const run = await runHandler(srv, task);
    assert.equal(run.result.kind, 'manifest');
    assert.equal(run.result.imported, 2);
    assert.deepEqual(
      run.result.skippedFiles.map((s: { reason: string }) => s.reason),
      ['INVALID_URL', 'MISSING_LABEL', 'DUPLICATE'],
    );
    const rows = await q('SELECT source, url, "blobKey" FROM images WHERE "modelId" = $1 ORDER BY url', [model.id]);
    assert.deepEqual(rows, [
      { source: 'URL', url: 'https://images.example.com/cats/1.jpg', blobKey: null },
      { source: 'URL', url: 'https://images.example.com/dogs/1.jpg', blobKey: null },
    ]);
    assert.equal(await srv.percept.blobs.count(`models/${model.id}/images/`), 0, 'no pixels are stored');
  });

  test('a .tsv manifest is read as tab-separated', async () => {
    const model = await newModel();
    const tsv = ['url\tlabel', 'https://images.example.com/1.jpg\tcat', 'https://images.example.com/2.jpg\tdog'];
    const { task } = await enqueueImport(srv, model, Buffer.from(tsv.join('\n')), 'manifest', 'photos.tsv');
    const run = await runHandler(srv, task);
    assert.equal(run.result.imported, 2, JSON.stringify(run.result.skippedFiles));
    assert.deepEqual(run.result.classes, [
      { name: 'cat', imported: 1 },
      { name: 'dog', imported: 1 },
    ]);
  });
});
