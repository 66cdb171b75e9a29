// Hostile inputs for tests/hostile.test.ts, and for scripts/make-hostile-corpus.mjs, which writes
// them to tests/fixtures/hostile/. Everything is generated (no binary committed by hand), small, and
// aimed at the limits the hostile test server sets (HOSTILE_ENV): a real attacker's files are larger,
// but cross the same checks.
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { buildZip, type ZipInput } from './zip';

/** Limits the hostile test server runs with; the corpus is built to cross them. */
export const HOSTILE_ENV = {
  PERCEPT_MAX_ZIP_ENTRIES: '100',
  PERCEPT_MAX_ZIP_RATIO: '200',
  PERCEPT_MAX_IMAGE_PIXELS: '50000000',
  PERCEPT_MAX_REQUEST_BYTES: String(1 << 20),
};

/** A small valid PNG whose pixels differ for every `n`. */
export function goodPng(n: number): Promise<Buffer> {
  return sharp({ create: { width: 12, height: 10, channels: 3, background: { r: (n * 53) % 256, g: n % 256, b: 90 } } })
    .png()
    .toBuffer();
}

function pngChunk(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body, crc32(head.subarray(4))) >>> 0, 0);
  return Buffer.concat([head, body, crc]);
}

/** A decompression bomb: a few hundred bytes whose header declares 30,000 × 30,000 RGB pixels. */
export function pixelBombPng(side = 30_000): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  // One row of zeros is enough to be a plausible start of the image data.
  const rows = Buffer.alloc(1 + side * 3);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(rows, { level: 9 })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A JPEG cut off halfway through its scan data. */
export async function truncatedJpeg(): Promise<Buffer> {
  const noise = Buffer.alloc(64 * 64 * 3);
  for (let i = 0; i < noise.length; i++) noise[i] = (i * 7919) % 251;
  const jpeg = await sharp(noise, { raw: { width: 64, height: 64, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
  return jpeg.subarray(0, Math.floor(jpeg.length / 2));
}

/**
 * A polyglot: a valid PNG that is also a valid zip (the zip is appended and its offsets shifted, so
 * zip readers find it from the end of the file while image decoders read the PNG from the start).
 */
export function pngZipPolyglot(pngBytes: Buffer, entries: ZipInput[]): Buffer {
  const zip = buildZip(entries);
  const shift = pngBytes.length;
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = zip.readUInt16LE(end + 10);
  const cdOffset = zip.readUInt32LE(end + 16);
  let at = cdOffset;
  for (let i = 0; i < count; i++) {
    zip.writeUInt32LE(zip.readUInt32LE(at + 42) + shift, at + 42);
    at += 46 + zip.readUInt16LE(at + 28) + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  zip.writeUInt32LE(cdOffset + shift, end + 16);
  return Buffer.concat([pngBytes, zip]);
}

/** Marks entries of a buildZip archive as Unix symlinks (S_IFLNK in the external attributes). */
export function markSymlinks(zip: Buffer, names: string[]): Buffer {
  const out = Buffer.from(zip);
  const end = out.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  let at = out.readUInt32LE(end + 16);
  for (let i = 0; i < out.readUInt16LE(end + 10); i++) {
    const nameLength = out.readUInt16LE(at + 28);
    const name = out.toString('utf8', at + 46, at + 46 + nameLength);
    if (names.includes(name)) out.writeUInt32LE(0xa1ff0000, at + 38); // lrwxrwxrwx
    at += 46 + nameLength + out.readUInt16LE(at + 30) + out.readUInt16LE(at + 32);
  }
  return out;
}

/** Sets the entry count the end-of-central-directory record declares (a lying entry-count bomb). */
export function claimEntries(zip: Buffer, count: number): Buffer {
  const out = Buffer.from(zip);
  const end = out.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  out.writeUInt16LE(count, end + 8);
  out.writeUInt16LE(count, end + 10);
  return out;
}

/** The JavaScript a polyglot carries: it must never come back out of Percept. */
export const POLYGLOT_MARKER = 'percept-polyglot-payload';

export const CONTROL_NAME = 'cat/bell\x07esc\x1b[31mred\rcr\ttab.png';
export const LONG_FILE = `cat/${'f'.repeat(320)}.png`;
export const LONG_CLASS = `${'c'.repeat(300)}/1.png`;

/** Per-file problems inside an otherwise valid zip: each file skipped with its reason, or imported. */
export async function mixedZipEntries(): Promise<{
  entries: ZipInput[];
  symlinks: string[];
  skipped: Record<string, string>;
  imported: string[];
}> {
  const nested = buildZip([{ name: 'inner/1.png', data: await goodPng(90) }]);
  const polyglot = Buffer.concat([await goodPng(91), Buffer.from(`<script>/*${POLYGLOT_MARKER}*/</script>`)]);
  const entries: ZipInput[] = [
    { name: 'cat/good1.png', data: await goodPng(1) },
    { name: 'cat/good2.png', data: await goodPng(2) },
    { name: 'dog/good3.png', data: await goodPng(3) },
    { name: 'cat/nested.zip', data: nested },
    { name: 'cat/link.png', data: Buffer.from('/etc/passwd') },
    { name: 'dog/bomb.png', data: pixelBombPng() },
    { name: 'dog/truncated.jpg', data: await truncatedJpeg() },
    { name: 'dog/polyglot.png', data: polyglot },
    { name: CONTROL_NAME, data: await goodPng(4) },
    { name: LONG_FILE, data: await goodPng(5) },
    { name: LONG_CLASS, data: await goodPng(6) },
  ];
  return {
    entries,
    symlinks: ['cat/link.png'],
    skipped: {
      'cat/nested.zip': 'NOT_AN_IMAGE',
      'cat/link.png': 'NOT_AN_IMAGE',
      'dog/bomb.png': 'TOO_LARGE',
      'dog/truncated.jpg': 'CORRUPT',
      [LONG_CLASS]: 'OUTSIDE_CLASS_FOLDER',
    },
    imported: ['cat/good1.png', 'cat/good2.png', 'dog/good3.png', 'dog/polyglot.png', CONTROL_NAME, LONG_FILE],
  };
}

export interface HostileArchive {
  name: string;
  file: string;
  data: Buffer;
  /** extensions.reason of the BAD_USER_INPUT refusal. */
  reason: string;
}

/** Whole archives importDataset must refuse at upload (BAD_USER_INPUT with this reason). */
export async function hostileArchives(): Promise<HostileArchive[]> {
  const ok = await goodPng(100);
  const many = Array.from({ length: 101 }, (_, i): ZipInput => ({ name: `c/${i}.png`, data: Buffer.from([i]) }));
  return [
    {
      name: 'zip slip ../x.png',
      file: 'slip-relative.zip',
      data: buildZip([{ name: '../x.png', data: ok }]),
      reason: 'UNSAFE_PATH',
    },
    {
      name: 'zip slip cat/../../x.png',
      file: 'slip-nested.zip',
      data: buildZip([{ name: 'cat/../../x.png', data: ok }]),
      reason: 'UNSAFE_PATH',
    },
    {
      name: 'absolute path',
      file: 'slip-absolute.zip',
      data: buildZip([{ name: '/tmp/cat/x.png', data: ok }]),
      reason: 'UNSAFE_PATH',
    },
    {
      name: 'windows drive path',
      file: 'slip-drive.zip',
      data: buildZip([{ name: 'C:\\cat\\x.png', data: ok }]),
      reason: 'UNSAFE_PATH',
    },
    {
      name: 'NUL in a name',
      file: 'nul-name.zip',
      data: buildZip([{ name: 'cat/x\0.png', data: ok }]),
      reason: 'UNSAFE_PATH',
    },
    {
      name: 'zip bomb: compression ratio',
      file: 'bomb-ratio.zip',
      data: buildZip([{ name: 'cat/zeros.png', data: Buffer.alloc(4 << 20) }]),
      reason: 'COMPRESSION_RATIO',
    },
    { name: 'zip bomb: entry count', file: 'bomb-entries.zip', data: buildZip(many), reason: 'TOO_MANY_ENTRIES' },
    {
      name: 'zip bomb: a tiny zip claiming 65,535 entries',
      file: 'bomb-claimed-entries.zip',
      data: claimEntries(buildZip([{ name: 'cat/1.png', data: ok }]), 65_535),
      reason: 'TOO_MANY_ENTRIES',
    },
    {
      name: 'polyglot: a PNG that is also a zip with a zip-slip entry',
      file: 'polyglot-png-zip.zip',
      data: pngZipPolyglot(ok, [{ name: '../evil.png', data: ok }]),
      reason: 'UNSAFE_PATH',
    },
  ];
}

/** Manifest lines whose URL must never be requested by default. `port` is a local trap listener. */
export function hostileManifest(port: number): string {
  return [
    'url,label',
    'file:///etc/passwd,cat',
    'http://169.254.169.254/latest/meta-data/,cat',
    'http://10.0.0.1/x.png,cat',
    'http://[::1]/x.png,cat',
    `http://localhost:${port}/x.png,cat`,
    `http://127.0.0.1:${port}/x.png,cat`,
    '',
  ].join('\n');
}

/** URLs classify-by-URL must refuse as PRIVATE_ADDRESS, before connecting. */
export function privateUrls(port: number): string[] {
  return [
    'http://169.254.169.254/latest/meta-data/',
    'http://10.0.0.1/x.png',
    'http://[::1]/x.png',
    `http://localhost:${port}/x.png`,
    `http://127.0.0.1:${port}/x.png`,
    `http://[::ffff:127.0.0.1]:${port}/x.png`,
  ];
}

/** GraphQL documents over the default limits (depth 12, cost 5,000, aliases 30, 1 MiB bodies). */
export function hostileDocuments(): { name: string; body: unknown; status: number; code: string }[] {
  const deep = `{ me { ${'a { '.repeat(20)}id${' }'.repeat(20)} } }`;
  const costly = `{ ${Array.from({ length: 10 }, (_, i) => `m${i}: models(first: 100) { items { id name status createdAt updatedAt inputWidth inputHeight } }`).join(' ')} }`;
  const aliases = `{ ${Array.from({ length: 500 }, (_, i) => `a${i}: me { id }`).join(' ')} }`;
  return [
    { name: 'too deep', body: { query: deep }, status: 400, code: 'QUERY_TOO_DEEP' },
    { name: 'too costly', body: { query: costly }, status: 400, code: 'QUERY_TOO_COSTLY' },
    { name: 'alias flood of one field', body: { query: aliases }, status: 400, code: 'TOO_MANY_ALIASES' },
    {
      name: 'oversized variables',
      body: { query: '{ me { id } }', variables: { pad: 'x'.repeat(2 << 20) } },
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
    },
  ];
}

/** Writes the corpus as files (scripts/make-hostile-corpus.mjs). Returns the names written. */
export async function corpusFiles(): Promise<Record<string, Buffer>> {
  const files: Record<string, Buffer> = {};
  for (const a of await hostileArchives()) files[a.file] = a.data;
  const mixed = await mixedZipEntries();
  files['mixed-per-file.zip'] = markSymlinks(buildZip(mixed.entries), mixed.symlinks);
  files['nested.zip'] = buildZip([
    { name: 'cat/inner.zip', data: buildZip([{ name: 'x/1.png', data: await goodPng(7) }]) },
  ]);
  files['pixel-bomb-30000x30000.png'] = pixelBombPng();
  files['truncated.jpg'] = await truncatedJpeg();
  files['polyglot-png-zip.png'] = pngZipPolyglot(await goodPng(8), [{ name: '../evil.png', data: await goodPng(9) }]);
  files['ssrf-manifest.csv'] = Buffer.from(hostileManifest(9));
  for (const d of hostileDocuments()) {
    const slug = d.name.replace(/[^a-z]+/g, '-');
    if (d.status === 413)
      files[`graphql-${slug}.json`] = Buffer.from(
        JSON.stringify({ ...(d.body as object), variables: { pad: '<2 MiB of x, made by the test>' } }),
      );
    else files[`graphql-${slug}.json`] = Buffer.from(JSON.stringify(d.body));
  }
  return files;
}
