import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { ImagePixels } from './image-pixels';
import { fetchImagePixels, fetchUrl, isPrivateAddress, UrlFetchError, type UrlFetchProblem } from './url-fetch';
import type { BlobStore } from '../storage/blob-store';

let server: Server;
let base: string;
let png: Buffer;
const open = new Set<import('node:net').Socket>();

before(async () => {
  png = await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 0, g: 128, b: 255 } } })
    .png()
    .toBuffer();
  server = createServer((req, res) => {
    const url = req.url ?? '/';
    if (url === '/cat.png') return void res.writeHead(200, { 'content-type': 'image/png' }).end(png);
    if (url === '/redirect') return void res.writeHead(302, { location: '/cat.png' }).end();
    if (url === '/loop') return void res.writeHead(302, { location: '/loop' }).end();
    if (url === '/to-localhost') {
      return void res.writeHead(302, { location: `http://localhost:${port()}/cat.png` }).end();
    }
    if (url === '/big') return void res.writeHead(200, { 'content-length': String(10_000) }).end(Buffer.alloc(10_000));
    if (url === '/big-chunked') {
      res.writeHead(200);
      for (let i = 0; i < 10; i++) res.write(Buffer.alloc(1000));
      return void res.end();
    }
    if (url === '/slow') return; // never answers
    if (url === '/text') return void res.writeHead(200).end('not an image');
    res.writeHead(404).end();
  });
  server.on('connection', (s) => (open.add(s), s.on('close', () => open.delete(s))));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${port()}`;
});
after(async () => {
  open.forEach((s) => s.destroy());
  await new Promise((resolve) => server.close(resolve));
});
const port = () => (server.address() as AddressInfo).port;

const allowed = { allowPrivate: true, maxBytes: 5000, timeoutMs: 2000 };
const refused = { ...allowed, allowPrivate: false };
const problem = async (p: Promise<unknown>): Promise<UrlFetchProblem> => {
  try {
    await p;
  } catch (e) {
    if (e instanceof UrlFetchError) return e.problem;
    throw e;
  }
  assert.fail('expected the fetch to fail');
};

describe('fetchUrl', () => {
  test('fetches from a local server when private addresses are allowed, following redirects', async () => {
    const { data, contentType } = await fetchUrl(`${base}/cat.png`, allowed);
    assert.deepEqual(data, png);
    assert.equal(contentType, 'image/png');
    assert.deepEqual((await fetchUrl(`${base}/redirect`, allowed)).data, png);
    assert.equal(await problem(fetchUrl(`${base}/loop`, allowed)), 'HTTP_STATUS');
    assert.equal(await problem(fetchUrl(`${base}/missing`, allowed)), 'HTTP_STATUS');
  });

  test('refuses loopback and private addresses by default, by literal, by name and after a redirect', async () => {
    assert.equal(await problem(fetchUrl(`${base}/cat.png`, refused)), 'PRIVATE_ADDRESS');
    assert.equal(await problem(fetchUrl(`http://localhost:${port()}/cat.png`, refused)), 'PRIVATE_ADDRESS');
    assert.equal(await problem(fetchUrl(`http://[::1]:${port()}/cat.png`, refused)), 'PRIVATE_ADDRESS');
    assert.equal(await problem(fetchUrl(`http://2130706433:${port()}/cat.png`, refused)), 'PRIVATE_ADDRESS');
    assert.equal(await problem(fetchUrl(`http://[::ffff:127.0.0.1]:${port()}/x`, refused)), 'PRIVATE_ADDRESS');
    // The first hop is allowed here only to reach the redirect; the guard must catch the second.
    const viaRedirect = fetchUrl(`${base}/to-localhost`, { ...allowed, allowPrivate: false });
    assert.equal(await problem(viaRedirect), 'PRIVATE_ADDRESS');
    for (const a of ['10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '0.0.0.0', 'fd00::1', 'fe80::1']) {
      assert.ok(isPrivateAddress(a), a);
    }
    assert.ok(!isPrivateAddress('93.184.216.34') && !isPrivateAddress('2606:4700::1111'));
  });

  test('only http and https', async () => {
    assert.equal(await problem(fetchUrl('file:///etc/passwd', allowed)), 'INVALID_URL');
    assert.equal(await problem(fetchUrl('ftp://127.0.0.1/x.png', allowed)), 'INVALID_URL');
    assert.equal(await problem(fetchUrl('not a url', allowed)), 'INVALID_URL');
  });

  test('size and time limits', async () => {
    assert.equal(await problem(fetchUrl(`${base}/big`, allowed)), 'TOO_LARGE');
    assert.equal(await problem(fetchUrl(`${base}/big-chunked`, allowed)), 'TOO_LARGE');
    const started = Date.now();
    assert.equal(await problem(fetchUrl(`${base}/slow`, { ...allowed, timeoutMs: 300 })), 'TIMEOUT');
    assert.ok(Date.now() - started < 2000);
  });
});

test('fetchImagePixels normalises to the input shape and applies the pixel limit', async () => {
  const pixels = await fetchImagePixels(
    `${base}/cat.png`,
    { width: 4, height: 4, channels: 3 },
    {
      ...allowed,
      maxPixels: 1e6,
    },
  );
  assert.equal(pixels.length, 48);
  await assert.rejects(
    fetchImagePixels(`${base}/cat.png`, { width: 4, height: 4, channels: 3 }, { ...allowed, maxPixels: 100 }),
    /pixels/,
  );
  await assert.rejects(
    fetchImagePixels(`${base}/text`, { width: 4, height: 4, channels: 3 }, { ...allowed, maxPixels: 1e6 }),
    /not an image/,
  );
});

test('ImagePixels reads stored pixels, or fetches URL images and keeps nothing', async () => {
  const stored = new Map([['models/m/images/a', Buffer.alloc(48, 5)]]);
  const puts: string[] = [];
  const blobs = {
    get: async (key: string) => stored.get(key) ?? null,
    put: async (key: string) => void puts.push(key),
    putMany: async (b: { key: string }[]) => void puts.push(...b.map((x) => x.key)),
  } as unknown as BlobStore;
  const shape = { width: 4, height: 4, channels: 3 };
  const pixels = new ImagePixels(blobs, { allowPrivateUrls: true, maxPixels: 1e6 });
  assert.deepEqual(await pixels.read({ id: 'a', blobKey: 'models/m/images/a', url: null }, shape), Buffer.alloc(48, 5));
  const fetched = await pixels.read({ id: 'b', blobKey: null, url: `${base}/cat.png` }, shape);
  assert.equal(fetched.length, 48);
  assert.deepEqual(puts, [], 'a URL image is never stored');
  const guarded = new ImagePixels(blobs, { allowPrivateUrls: false, maxPixels: 1e6 });
  await assert.rejects(guarded.read({ id: 'b', blobKey: null, url: `${base}/cat.png` }, shape), /private/);
  await assert.rejects(pixels.read({ id: 'c', blobKey: 'models/m/images/missing', url: null }, shape), /missing/);
});
