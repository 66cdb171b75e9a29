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

  test('the guard blocks every special-purpose range and every IPv4-embedding form; public addresses pass', async () => {
    // IANA's IPv4 and IPv6 Special-Purpose Address Registries, written out here rather than read
    // from url-fetch.ts: [range, first address, last address, a public neighbour or null].
    const table: [string, string, string, string | null][] = [
      ['0.0.0.0/8', '0.0.0.0', '0.255.255.255', '1.0.0.1'],
      ['10.0.0.0/8', '10.0.0.0', '10.255.255.255', '11.0.0.1'],
      ['100.64.0.0/10', '100.64.0.0', '100.127.255.255', '100.128.0.1'],
      ['127.0.0.0/8', '127.0.0.1', '127.255.255.255', '128.0.0.1'],
      ['169.254.0.0/16', '169.254.0.0', '169.254.255.255', '169.255.0.1'],
      ['172.16.0.0/12', '172.16.0.0', '172.31.255.255', '172.32.0.1'],
      ['192.0.0.0/24', '192.0.0.0', '192.0.0.255', '192.0.1.1'],
      ['192.0.2.0/24', '192.0.2.0', '192.0.2.255', '192.0.3.1'],
      ['192.31.196.0/24', '192.31.196.0', '192.31.196.255', '192.31.197.1'],
      ['192.52.193.0/24', '192.52.193.0', '192.52.193.255', '192.52.194.1'],
      ['192.88.99.0/24', '192.88.99.0', '192.88.99.255', '192.88.100.1'],
      ['192.168.0.0/16', '192.168.0.0', '192.168.255.255', '192.169.0.1'],
      ['192.175.48.0/24', '192.175.48.0', '192.175.48.255', '192.175.49.1'],
      ['198.18.0.0/15', '198.18.0.0', '198.19.255.255', '198.20.0.1'],
      ['198.51.100.0/24', '198.51.100.0', '198.51.100.255', '198.51.101.1'],
      ['203.0.113.0/24', '203.0.113.0', '203.0.113.255', '203.0.114.1'],
      ['224.0.0.0/4 multicast', '224.0.0.0', '239.255.255.255', '223.255.255.254'],
      ['240.0.0.0/4 and broadcast', '240.0.0.0', '255.255.255.255', null],
      ['::/128, ::1/128, ::/96 compatible', '::', '::ffff:ffff', '::1:0:0'],
      ['::ffff:0:0/96 mapped', '::ffff:0:0', '::ffff:ffff:ffff', '::1:0:0:0'],
      ['::ffff:0:0:0/96 translated', '::ffff:0:0:0', '::ffff:0:ffff:ffff', null],
      ['64:ff9b::/96 NAT64', '64:ff9b::', '64:ff9b::ffff:ffff', '64:ff9b::1:0:0'],
      ['64:ff9b:1::/48 NAT64 local', '64:ff9b:1::', '64:ff9b:1:ffff:ffff:ffff:ffff:ffff', '64:ff9b:2::1'],
      ['100::/64 discard', '100::', '100::ffff:ffff:ffff:ffff', null],
      ['100:0:0:1::/64 dummy', '100:0:0:1::', '100:0:0:1:ffff:ffff:ffff:ffff', '100:0:0:2::1'],
      ['2001::/23 IETF (Teredo 2001::/32 …)', '2001::', '2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff', '2001:200::1'],
      ['2001:db8::/32', '2001:db8::', '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', '2001:db9::1'],
      ['2002::/16 6to4', '2002::', '2002:ffff:ffff:ffff:ffff:ffff:ffff:ffff', '2003::1'],
      ['2620:4f:8000::/48', '2620:4f:8000::', '2620:4f:8000:ffff:ffff:ffff:ffff:ffff', '2620:4f:8001::1'],
      ['3fff::/20', '3fff::', '3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff', '3fff:1000::1'],
      ['5f00::/16 SRv6', '5f00::', '5f00:ffff:ffff:ffff:ffff:ffff:ffff:ffff', '5f01::1'],
      ['fc00::/7 unique local', 'fc00::', 'fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'fbff::1'],
      ['fe80::/10 link-local', 'fe80::', 'febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff', null],
      ['fec0::/10 site-local', 'fec0::', 'feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', null],
      ['ff00::/8 multicast', 'ff00::', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'e000::1'],
    ];
    const wrong: string[] = [];
    for (const [range, first, last, outside] of table) {
      if (!isPrivateAddress(first)) wrong.push(`${range}: ${first} passes`);
      if (!isPrivateAddress(last)) wrong.push(`${range}: ${last} passes`);
      if (outside && isPrivateAddress(outside)) wrong.push(`${range}: its neighbour ${outside} is blocked`);
    }
    // IPv4 inside IPv6, embedding a public address (8.8.8.8) or a loopback one: refused either way.
    for (const embedded of [
      '::ffff:8.8.8.8',
      '::8.8.8.8',
      '::ffff:0:808:808',
      '64:ff9b::8.8.8.8',
      '64:ff9b::7f00:1',
      '2002:808:808::1',
      '2002:7f00:1::1',
      '2001:0:4136:e378:8000:63bf:f7f7:f7fe', // Teredo
    ]) {
      if (!isPrivateAddress(embedded)) wrong.push(`${embedded} passes`);
    }
    for (const pub of ['8.8.8.8', '93.184.216.34', '1.1.1.1', '2606:4700:4700::1111', '2a00:1450:4001::1']) {
      if (isPrivateAddress(pub)) wrong.push(`public ${pub} is blocked`);
    }
    assert.deepEqual(wrong, []);
    // Spellings of loopback that URL parsing turns into an address: refused before any connection.
    for (const host of [
      '0x7f.1',
      '017700000001',
      '127.1',
      '[::ffff:7f00:1]',
      '[64:ff9b::7f00:1]',
      '[2002:7f00:1::1]',
    ]) {
      const fetched = fetchUrl(`http://${host}:${port()}/cat.png`, refused);
      assert.equal(await problem(fetched), 'PRIVATE_ADDRESS', host);
    }
  });

  test('a refusal names no resolved address, and says the same for a name that does not resolve', async () => {
    const message = async (url: string) => {
      try {
        await fetchUrl(url, refused);
      } catch (e) {
        return (e as Error).message;
      }
      assert.fail(url);
    };
    const local = await message(`http://localhost:${port()}/cat.png`);
    assert.doesNotMatch(local, /127\.0\.0\.1|::1|resolves/);
    const missing = await message('http://no-such-host.invalid/cat.png');
    assert.equal(missing.replace('no-such-host.invalid', 'HOST'), local.replace('localhost', 'HOST'));
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
  await assert.rejects(
    guarded.read({ id: 'b', blobKey: null, url: `${base}/cat.png` }, shape),
    /not an address Percept may fetch/,
  );
  await assert.rejects(pixels.read({ id: 'c', blobKey: 'models/m/images/missing', url: null }, shape), /missing/);
});
