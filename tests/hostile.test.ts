// The hostile input corpus (tests/support/hostile-corpus.ts) sent to one real server the way a user
// would: each refused with a clear code and reason, or skipped file by file, and nothing left behind.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { uploadDataset } from './support/datasets';
import { CREATE_MODEL, createModel, png, signUp } from './support/fixtures';
import { errorCode, gql, gqlUpload, type GraphQLResponse } from './support/graphql';
import {
  CONTROL_NAME,
  HOSTILE_ENV,
  POLYGLOT_MARKER,
  hostileArchives,
  hostileDocuments,
  hostileManifest,
  markSymlinks,
  mixedZipEntries,
  pixelBombPng,
  privateUrls,
  truncatedJpeg,
} from './support/hostile-corpus';
import { startTestServer, type TestServer } from './support/server';
import { waitForTask } from './support/training';
import { buildZip } from './support/zip';

let srv: TestServer;
let token: string;
let modelId: string;
/** A loopback listener standing in for an internal service: no hostile URL may ever reach it. */
let trap: Server;
let trapPort: number;
let trapHits = 0;

before(async () => {
  trap = createServer((_req, res) => res.end('internal secret'));
  trap.on('connection', () => trapHits++);
  await new Promise<void>((r) => trap.listen(0, '127.0.0.1', r));
  trapPort = (trap.address() as AddressInfo).port;
  srv = await startTestServer(HOSTILE_ENV);
  token = (await signUp(srv.graphqlUrl)).token;
  modelId = (await createModel(srv.graphqlUrl, token, 'hostile', await png(16, 12))).id;
  // classify refuses an untrained model before it reads the image: a served candidate row (no real
  // network; every hostile image is refused before inference) lets the image checks run.
  const [candidate] = await srv.percept.db.query(
    `INSERT INTO candidates ("modelId", name, family, architecture, "artifactKey")
     VALUES ($1, 'stand-in', 'stand-in', '{}', 'models/none/artifact') RETURNING id`,
    [modelId],
  );
  await srv.percept.db.query('UPDATE models SET "activeCandidateId" = $2 WHERE id = $1', [modelId, candidate.id]);
});
after(async () => {
  await srv.stop();
  await new Promise((r) => trap.close(r));
});

const count = async (table: string) =>
  (await srv.percept.db.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n as number;
async function snapshot() {
  let uploads = 0;
  try {
    uploads = readdirSync(join(srv.config.dataDir, 'uploads')).length;
  } catch {
    // no upload folder yet
  }
  return {
    images: await count('images'),
    classes: await count('model_classes'),
    blobs: await count('blobs'),
    shards: (await srv.percept.db.query(`SELECT count(*)::int AS n FROM blobs WHERE key LIKE 'models/%/shards/%'`))[0]
      .n as number,
    models: await count('models'),
    tasks: await count('tasks'),
    uploads,
  };
}

function refusal(res: GraphQLResponse, code: string, reason: string | undefined, what: string) {
  assert.equal(res.data?.[Object.keys(res.data ?? {})[0] ?? ''] ?? null, null, `${what}: no data`);
  assert.equal(errorCode(res), code, `${what}: ${JSON.stringify(res.errors)}`);
  if (reason) assert.equal(res.errors![0]!.extensions!.reason, reason, `${what}: ${res.errors![0]!.message}`);
  assert.ok(res.errors![0]!.message.length > 10, `${what}: a message a person can act on`);
}

describe('whole archives are refused at upload, leaving nothing behind', () => {
  test('zip slip, absolute and drive paths, NUL names, bombs by ratio and entry count, a PNG+zip polyglot', async () => {
    const start = await snapshot();
    for (const a of await hostileArchives()) {
      refusal(await uploadDataset(srv, token, modelId, a.data, 'data.zip'), 'BAD_USER_INPUT', a.reason, a.name);
    }
    // The same polyglot named as a picture is neither a zip nor a manifest.
    const polyglot = (await hostileArchives()).find((a) => a.file === 'polyglot-png-zip.zip')!;
    refusal(
      await uploadDataset(srv, token, modelId, polyglot.data, 'photo.png'),
      'BAD_USER_INPUT',
      'UNKNOWN_FORMAT',
      'png',
    );
    assert.deepEqual(await snapshot(), start, 'no task, image, class, blob or upload file');
  });
});

describe('per-file problems inside an otherwise valid zip', () => {
  test('nested zips, symlinks, a pixel bomb and a truncated JPEG are skipped with their reason; the rest imports', async () => {
    const mixed = await mixedZipEntries();
    const start = await snapshot();
    const zip = markSymlinks(buildZip(mixed.entries), mixed.symlinks);
    const queued = await uploadDataset(srv, token, modelId, zip);
    const taskId = queued.data?.importDataset.id;
    assert.ok(taskId, JSON.stringify(queued.errors));
    await waitForTask(srv.graphqlUrl, token, taskId, 'SUCCEEDED', 30_000);
    const report = (
      await gql(
        srv.graphqlUrl,
        'query($t: ID!) { importReport(taskId: $t) { imported skippedFiles { path reason detail } } }',
        { t: taskId },
        token,
      )
    ).data!.importReport as { imported: number; skippedFiles: { path: string; reason: string; detail: string }[] };
    assert.deepEqual(
      Object.fromEntries(report.skippedFiles.map((s) => [s.path, s.reason])),
      mixed.skipped,
      JSON.stringify(report.skippedFiles),
    );
    assert.equal(report.imported, mixed.imported.length);

    const rows: { originalName: string }[] = await srv.percept.db.query(
      'SELECT "originalName" FROM images WHERE "modelId" = $1',
      [modelId],
    );
    assert.deepEqual(rows.map((r) => r.originalName).sort(), [...mixed.imported].sort());
    assert.ok(
      rows.some((r) => r.originalName === CONTROL_NAME),
      'control characters are kept as data, never as a path',
    );
    // Images are stored as decoded pixels: the polyglot's script does not survive.
    const carrying = await srv.percept.db.query(
      `SELECT count(*)::int AS n FROM blobs WHERE position($1::bytea in data) > 0`,
      [Buffer.from(POLYGLOT_MARKER)],
    );
    assert.equal(carrying[0].n, 0);

    const end = await snapshot();
    assert.equal(end.images - start.images, mixed.imported.length);
    assert.equal(end.classes - start.classes, 2, 'cat and dog; no class for the over-long folder name');
    assert.equal(
      end.blobs - end.shards - (start.blobs - start.shards),
      mixed.imported.length,
      'one pixel blob per image (16×12 stores no thumbnail)',
    );
    assert.equal(end.shards - start.shards, 1, "and one training shard holding the import's images");
    assert.equal(end.models, start.models);
    assert.equal(end.uploads, 0, 'the upload is deleted');
  });
});

describe('hostile images as a sample image and to classify', () => {
  test('createModel refuses a pixel bomb, a truncated JPEG and a zip with their reasons', async () => {
    const start = await snapshot();
    const cases: [string, Buffer, string][] = [
      ['30,000×30,000 PNG header', pixelBombPng(), 'TOO_MANY_PIXELS'],
      ['truncated JPEG', await truncatedJpeg(), 'CORRUPT'],
      ['a zip', buildZip([{ name: 'cat/1.png', data: await png(8, 8) }]), 'NOT_AN_IMAGE'],
    ];
    for (const [what, data, reason] of cases) {
      const res = await gqlUpload(
        srv.graphqlUrl,
        CREATE_MODEL,
        { input: { name: 'evil', sampleImage: null } },
        { 'input.sampleImage': { data, filename: 'sample.png', type: 'image/png' } },
        token,
      );
      refusal(res, 'BAD_USER_INPUT', reason, what);
    }
    assert.deepEqual(await snapshot(), start);
  });

  test('classify (base64) refuses a pixel bomb, a truncated JPEG, a zip and an SVG with their reasons', async () => {
    const start = await snapshot();
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    const cases: [string, Buffer, string][] = [
      ['30,000×30,000 PNG header', pixelBombPng(), 'TOO_LARGE'],
      ['truncated JPEG', await truncatedJpeg(), 'CORRUPT'],
      ['a zip', buildZip([{ name: 'cat/1.png', data: await png(8, 8) }]), 'NOT_AN_IMAGE'],
      ['an SVG with a script', svg, 'UNSUPPORTED_FORMAT'],
    ];
    const CLASSIFY =
      'mutation($m: ID!, $i: ImageInput!) { classify(modelId: $m, image: $i, keep: true) { candidateId } }';
    for (const [what, data, reason] of cases) {
      const res = await gql(srv.graphqlUrl, CLASSIFY, { m: modelId, i: { base64: data.toString('base64') } }, token);
      refusal(res, 'BAD_USER_INPUT', reason, what);
    }
    assert.deepEqual(await snapshot(), start, 'keep: true kept nothing');
  });
});

describe('URLs to private and loopback addresses are never requested', () => {
  test('classify by URL refuses file:// and private addresses before connecting', async () => {
    const CLASSIFY = 'mutation($m: ID!, $i: ImageInput!) { classify(modelId: $m, image: $i) { candidateId } }';
    const hits = trapHits;
    for (const url of privateUrls(trapPort)) {
      const res = await gql(srv.graphqlUrl, CLASSIFY, { m: modelId, i: { url } }, token);
      refusal(res, 'BAD_USER_INPUT', 'PRIVATE_ADDRESS', url);
    }
    const file = await gql(srv.graphqlUrl, CLASSIFY, { m: modelId, i: { url: 'file:///etc/passwd' } }, token);
    refusal(file, 'BAD_USER_INPUT', 'INVALID_URL', 'file://');
    assert.equal(trapHits, hits, 'the loopback listener saw no connection');
  });

  test('a manifest of only file:// lines is refused at upload', async () => {
    const start = await snapshot();
    const res = await uploadDataset(
      srv,
      token,
      modelId,
      Buffer.from('url,label\nfile:///etc/passwd,cat\n'),
      'list.csv',
    );
    refusal(res, 'BAD_USER_INPUT', 'BAD_MANIFEST', 'file:// manifest');
    assert.match(res.errors![0]!.message, /only http and https/);
    assert.deepEqual(await snapshot(), start);
  });

  test('a manifest of private URLs is refused at upload, connecting to none of them', async () => {
    const own = await createModel(srv.graphqlUrl, token, 'manifest', await png(16, 12));
    const hits = trapHits;
    const res = await uploadDataset(srv, token, own.id, Buffer.from(hostileManifest(trapPort)), 'list.csv');
    refusal(res, 'BAD_USER_INPUT', 'BAD_MANIFEST', 'manifest');
    assert.match(res.errors![0]!.message, /no usable url,label line/);
    assert.equal(trapHits, hits, 'the loopback listener saw no connection');
    assert.equal((await snapshot()).uploads, 0);
  });

  // Literal private and loopback addresses in a manifest are skipped at import: server/datasets/manifest.test.ts.
});

describe('hostile GraphQL documents', () => {
  test('too deep, too costly, an alias flood and oversized variables are refused before running', async () => {
    for (const d of hostileDocuments()) {
      const res = await fetch(srv.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(d.body),
      });
      const json = (await res.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] };
      assert.equal(res.status, d.status, `${d.name}: ${JSON.stringify(json.errors)}`);
      assert.ok(
        json.errors?.some((e) => e.extensions?.code === d.code),
        `${d.name}: expected ${d.code}, got ${JSON.stringify(json.errors?.map((e) => e.extensions?.code))}`,
      );
      assert.equal(json.data, undefined, `${d.name}: nothing ran`);
    }
  });
});
