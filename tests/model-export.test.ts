import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { unzipSync, zipSync } from 'fflate';
import sharp from 'sharp';
import { createModel, png, signUp } from './support/fixtures';
import { errorCode, gql, gqlUpload } from './support/graphql';
import { startTestServer, type TestServer } from './support/server';
import { syntheticZip, trainedModel, TRAIN, waitForTask } from './support/training';
import { buildZip } from './support/zip';

// exportModel → a verified zip; the zip runs outside Percept (examples/classify-node.mjs) and
// comes back in through importModel answering as the original does.
const EXPORT = `mutation($m: ID!) { exportModel(modelId: $m) {
  url bytes sha256 createdAt verification { images top1Agreement maxProbabilityDifference } } }`;
const IMPORT = `mutation($f: Upload!, $n: String!) { importModel(file: $f, name: $n) {
  id name status inputWidth inputHeight inputChannels expandable } }`;
const CLASSIFY_ALL = `mutation($m: ID!, $i: ImageInput!) {
  classify(modelId: $m, image: $i, topK: 10) { predictions { className classIndex probability } } }`;
const ROOT = join(__dirname, '..', '..');

let srv: TestServer;
let owner: Awaited<ReturnType<typeof signUp>>;
let other: Awaited<ReturnType<typeof signUp>>;
let modelId: string;
let heldOut: { className: string; png: Buffer }[];
let exported: { url: string; bytes: number; sha256: string; verification: Record<string, number> };
let zip: Buffer;
let work: string;

before(async () => {
  srv = await startTestServer({ PERCEPT_LOCAL_RUNNERS: '1' });
  await signUp(srv.graphqlUrl); // the admin
  owner = await signUp(srv.graphqlUrl);
  other = await signUp(srv.graphqlUrl);
  const data = await syntheticZip({ classes: 3, perClass: 14, side: 12, heldOutPerClass: 2 });
  heldOut = data.heldOut;
  modelId = await trainedModel(srv.graphqlUrl, owner.token, { name: 'shapes', side: 12, data, maxEpochs: 2 });
  work = mkdtempSync(join(tmpdir(), 'percept-export-'));
});
after(async () => {
  await srv?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function classifyAll(id: string, image: Buffer, token = owner.token) {
  const res = await gql(srv.graphqlUrl, CLASSIFY_ALL, { m: id, i: { base64: image.toString('base64') } }, token);
  assert.ok(res.data, JSON.stringify(res.errors));
  return res.data.classify.predictions as { className: string; classIndex: number; probability: number }[];
}

function importZip(data: Buffer, name = 'moved', token = owner.token) {
  return gqlUpload(srv.graphqlUrl, IMPORT, { f: null, n: name }, { f: { data, filename: 'model.zip' } }, token);
}

async function modelCount(token = owner.token): Promise<number> {
  return (await gql(srv.graphqlUrl, '{ models { totalCount } }', {}, token)).data!.models.totalCount;
}

describe('exportModel', () => {
  test('offers a zip only after its reload agreed with the served network on the held-out images', async () => {
    const res = await gql(srv.graphqlUrl, EXPORT, { m: modelId }, owner.token);
    assert.ok(res.data, JSON.stringify(res.errors));
    exported = res.data.exportModel;
    const { images, top1Agreement, maxProbabilityDifference } = exported.verification;
    assert.ok(images > 0, 'checked on held-out images');
    assert.ok(images <= 200);
    assert.equal(top1Agreement, 1);
    assert.ok(maxProbabilityDifference < 1e-4, `difference ${maxProbabilityDifference}`);

    // The signed URL works without a token, and gives the bytes the figures describe.
    const download = await fetch(`${srv.url}${exported.url}`);
    assert.equal(download.status, 200);
    assert.equal(download.headers.get('content-type'), 'application/zip');
    zip = Buffer.from(await download.arrayBuffer());
    assert.equal(zip.length, exported.bytes);
    assert.equal(createHash('sha256').update(zip).digest('hex'), exported.sha256);

    const files = unzipSync(zip);
    assert.deepEqual(
      Object.keys(files).sort(),
      ['README.md', 'group1-shard1of1.bin', 'labels.json', 'model.json', 'preprocessing.json'].sort(),
    );
    const text = (name: string) => Buffer.from(files[name]!).toString('utf8');
    assert.deepEqual(JSON.parse(text('labels.json')).sort(), [...new Set(heldOut.map((h) => h.className))].sort());
    const pre = JSON.parse(text('preprocessing.json'));
    assert.deepEqual(pre.input, { width: 12, height: 12, channels: 1 });
    assert.equal(pre.resize.fit, 'fill');
    assert.equal(pre.colour, 'b-w');
    assert.deepEqual(pre.scale, { divideBy: 255 });
    assert.match(text('README.md'), /tf\.loadLayersModel/);
    const modelJson = JSON.parse(text('model.json'));
    assert.deepEqual(modelJson.weightsManifest[0].paths, ['group1-shard1of1.bin']);
    assert.equal(modelJson.userDefinedMetadata, undefined, 'no Percept ids leak into the export');
  });

  test('the download needs a valid signature, or the owner’s token', async () => {
    const url = new URL(exported.url, srv.url);
    const tampered = new URL(url);
    tampered.searchParams.set('sig', 'x'.repeat(32));
    assert.equal((await fetch(tampered)).status, 401);
    const expired = new URL(url);
    expired.searchParams.set('exp', '1000');
    assert.equal((await fetch(expired)).status, 401);
    const bare = `${srv.url}${url.pathname}`;
    assert.equal((await fetch(bare, { headers: { authorization: `Bearer ${other.token}` } })).status, 404);
    assert.equal((await fetch(bare, { headers: { authorization: `Bearer ${owner.token}` } })).status, 200);
  });

  test("another user's model is NOT_FOUND; a model without a network is BAD_USER_INPUT", async () => {
    assert.equal(errorCode(await gql(srv.graphqlUrl, EXPORT, { m: modelId }, other.token)), 'NOT_FOUND');
    const fresh = (await createModel(srv.graphqlUrl, owner.token, 'empty', await png(12, 12, 1))).id;
    assert.equal(errorCode(await gql(srv.graphqlUrl, EXPORT, { m: fresh }, owner.token)), 'BAD_USER_INPUT');
  });

  test('examples/classify-node.mjs, with only TensorFlow.js (core, layers, cpu) and sharp, answers as the server does', async () => {
    const dir = join(work, 'unzipped');
    for (const [name, data] of Object.entries(unzipSync(zip))) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), data);
    }
    // Plus a colour image of another size with transparency: resizing, flattening and grey as Percept does.
    const odd = await sharp({
      create: { width: 31, height: 17, channels: 4, background: { r: 200, g: 40, b: 90, alpha: 0.5 } },
    })
      .composite([{ input: heldOut[0]!.png, left: 3, top: 2 }])
      .png()
      .toBuffer();
    for (const [i, image] of [...heldOut, { className: '?', png: odd }].entries()) {
      const file = join(work, `held-out-${i}.png`);
      writeFileSync(file, image.png);
      const { stdout } = await promisify(execFile)(process.execPath, [
        join(ROOT, 'examples', 'classify-node.mjs'),
        dir,
        file,
      ]);
      const local = JSON.parse(stdout.trim().split('\n').at(-1)!);
      const [served] = await classifyAll(modelId, image.png);
      assert.equal(local.label, served!.className, `image ${i}`);
      assert.ok(Math.abs(local.probability - served!.probability) < 1e-4);
    }
  });
});

describe('importModel', () => {
  test('an exported model comes back ready, giving the original’s answers', async () => {
    const res = await importZip(zip, 'moved');
    assert.ok(res.data, JSON.stringify(res.errors));
    const model = res.data.importModel;
    assert.equal(model.status, 'READY');
    assert.deepEqual([model.inputWidth, model.inputHeight, model.inputChannels], [12, 12, 1]);
    for (const image of heldOut) {
      const original = await classifyAll(modelId, image.png);
      const moved = await classifyAll(model.id, image.png);
      assert.deepEqual(
        moved.map((p) => p.className),
        original.map((p) => p.className),
      );
      moved.forEach((p, k) => assert.ok(Math.abs(p.probability - original[k]!.probability) < 1e-5));
    }
    // And it exports again (verified on noise images: an imported model has no held-out images).
    const again = await gql(srv.graphqlUrl, EXPORT, { m: model.id }, owner.token);
    assert.ok(again.data, JSON.stringify(again.errors));
    assert.equal(again.data.exportModel.verification.top1Agreement, 1);
  });

  test('refuses what is not a usable export, writing nothing', async () => {
    const files = unzipSync(zip);
    const before = await modelCount();
    const blobs = await srv.percept.blobs.count('models/');
    /** The export with its preprocessing's input shape replaced. */
    const withInput = (input: { width: number; height: number; channels: number }) =>
      Buffer.from(
        zipSync({
          ...files,
          'preprocessing.json': Buffer.from(
            JSON.stringify({ ...JSON.parse(Buffer.from(files['preprocessing.json']!).toString()), input }),
          ),
        }),
      );
    const refusals: [string, Buffer, string][] = [
      ['not a zip', Buffer.from('not a zip'), 'NOT_A_ZIP'],
      ['unsafe path', buildZip([{ name: '../model.json', data: Buffer.from('{}') }]), 'UNSAFE_PATH'],
      [
        'a lying zip bomb',
        buildZip([{ name: 'model.json', data: Buffer.alloc(2 << 20), declaredSize: 1 << 30 }]),
        'ENTRY_TOO_LARGE',
      ],
      ['an unknown file', Buffer.from(zipSync({ ...files, 'run.sh': Buffer.from('rm -rf /') })), 'INVALID_EXPORT'],
      [
        'labels that do not fit the network',
        Buffer.from(zipSync({ ...files, 'labels.json': Buffer.from('["a","b","c","d"]') })),
        'INVALID_EXPORT',
      ],
      [
        'truncated weights',
        Buffer.from(zipSync({ ...files, 'group1-shard1of1.bin': files['group1-shard1of1.bin']!.subarray(8) })),
        'INVALID_EXPORT',
      ],
      ['an input larger than Percept takes', withInput({ width: 5000, height: 12, channels: 1 }), 'INVALID_EXPORT'],
      ['an input shape the network does not take', withInput({ width: 16, height: 12, channels: 1 }), 'INVALID_EXPORT'],
    ];
    for (const [what, data, reason] of refusals) {
      const res = await importZip(data);
      assert.equal(errorCode(res), 'BAD_USER_INPUT', what);
      assert.equal(res.errors![0]!.extensions!.reason, reason, `${what}: ${res.errors![0]!.message}`);
    }
    assert.equal(await modelCount(), before);
    assert.equal(await srv.percept.blobs.count('models/'), blobs);
  });
});

describe('an expandable model', () => {
  test('exports its base and active head with heads.json, runs outside Percept, and imports as a served head set', async () => {
    const res = await gqlUpload(
      srv.graphqlUrl,
      'mutation($input: CreateModelInput!) { createModel(input: $input) { id } }',
      { input: { name: 'expandable', sampleImage: null, expandable: true } },
      { 'input.sampleImage': { data: await png(12, 12, 1), filename: 'sample.png', type: 'image/png' } },
      owner.token,
    );
    const id = res.data!.createModel.id as string;
    const data = await syntheticZip({ classes: 3, perClass: 14, side: 12, heldOutPerClass: 2 });
    const upload = await gqlUpload(
      srv.graphqlUrl,
      'mutation($m: ID!, $f: Upload!) { importDataset(modelId: $m, file: $f) { id } }',
      { m: id, f: null },
      { f: { data: data.zip, filename: 'data.zip', type: 'application/zip' } },
      owner.token,
    );
    await waitForTask(srv.graphqlUrl, owner.token, upload.data!.importDataset.id);
    const trained = await gql(srv.graphqlUrl, TRAIN, { id, input: { candidates: 1, maxEpochs: 2 } }, owner.token);
    await waitForTask(srv.graphqlUrl, owner.token, trained.data!.trainModel.id, 'SUCCEEDED', 180_000);

    const out = await gql(srv.graphqlUrl, EXPORT, { m: id }, owner.token);
    assert.ok(out.data, JSON.stringify(out.errors));
    assert.equal(out.data.exportModel.verification.top1Agreement, 1);
    const expZip = Buffer.from(await (await fetch(`${srv.url}${out.data.exportModel.url}`)).arrayBuffer());
    const files = unzipSync(expZip);
    assert.ok(files['base/model.json'] && files['heads/1/model.json'], Object.keys(files).join(', '));
    const plan = JSON.parse(Buffer.from(files['heads.json']!).toString());
    assert.equal(plan.base, 'base/model.json');
    assert.deepEqual(plan.heads[0].classIds.slice().sort(), [0, 1, 2]);
    assert.equal(JSON.parse(Buffer.from(files['preprocessing.json']!).toString()).network, 'heads');

    const dir = join(work, 'expandable');
    for (const [name, bytes] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), bytes);
    }
    const moved = await importZip(expZip, 'expandable, moved');
    assert.ok(moved.data, JSON.stringify(moved.errors));
    assert.equal(moved.data.importModel.expandable, true);
    for (const [i, image] of data.heldOut.entries()) {
      const file = join(work, `expandable-${i}.png`);
      writeFileSync(file, image.png);
      const { stdout } = await promisify(execFile)(process.execPath, [
        join(ROOT, 'examples', 'classify-node.mjs'),
        dir,
        file,
      ]);
      const local = JSON.parse(stdout.trim().split('\n').at(-1)!);
      const original = await classifyAll(id, image.png);
      const imported = await classifyAll(moved.data.importModel.id, image.png);
      assert.equal(local.label, original[0]!.className, `image ${i}, outside Percept`);
      assert.deepEqual(
        imported.map((p) => p.className),
        original.map((p) => p.className),
      );
      imported.forEach((p, k) => assert.ok(Math.abs(p.probability - original[k]!.probability) < 1e-5));
    }
  });
});

describe('an export that does not answer as the served network', () => {
  test('fails with EXPORT_UNVERIFIED and the figures, and replaces nothing', async () => {
    // The runner keeps the served network loaded; the stored weights change under it (every sign
    // flipped), so the zip, built from storage, no longer matches what answers classify.
    await classifyAll(modelId, heldOut[0]!.png);
    const [{ artifactKey }] = await srv.percept.db.query(
      `SELECT c."artifactKey" FROM candidates c JOIN models m ON m."activeCandidateId" = c.id WHERE m.id = $1`,
      [modelId],
    );
    const key = `${artifactKey}/weights.bin`;
    const weights = (await srv.percept.blobs.get(key))!;
    const flipped = Buffer.from(weights);
    for (let i = 3; i < flipped.length; i += 4) flipped[i]! ^= 0x80;
    await srv.percept.blobs.put(key, flipped);
    const exportsBefore = await srv.percept.blobs.count(`models/${modelId}/exports/`);
    try {
      const res = await gql(srv.graphqlUrl, EXPORT, { m: modelId }, owner.token);
      assert.equal(errorCode(res), 'EXPORT_UNVERIFIED');
      const figures = res.errors![0]!.extensions!;
      assert.ok((figures.images as number) > 0);
      assert.ok((figures.maxProbabilityDifference as number) >= 1e-4, JSON.stringify(figures));
      assert.match(res.errors![0]!.message, /disagrees with the served network/);
      assert.equal(await srv.percept.blobs.count(`models/${modelId}/exports/`), exportsBefore);
      assert.equal((await fetch(`${srv.url}${exported.url}`)).status, 200, 'the last good export stays');
    } finally {
      await srv.percept.blobs.put(key, weights);
    }
  });
});
