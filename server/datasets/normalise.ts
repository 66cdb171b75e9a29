import sharp from 'sharp';
import { crc32, deflateSync } from 'node:zlib';
import { SkipReason } from './import-report';

// libvips's operation cache pays off when the same image is processed again; Percept decodes each
// image once, so the cache only costs: about a quarter of the CPU time of a 28×28 import
// (bench/import.ts) and up to 50 MB of memory. Process-wide, as sharp's settings are.
sharp.cache(false);

/** The network's input: every stored image is exactly height × width × channels bytes. */
export interface InputShape {
  width: number;
  height: number;
  channels: number;
}

/** An image Percept will not use, with the reason reported to the user. */
export class ImageRejected extends Error {
  constructor(
    readonly reason: SkipReason,
    message: string,
  ) {
    super(message);
    this.name = 'ImageRejected';
  }
}

export const SUPPORTED = ['png', 'jpeg', 'webp', 'gif', 'tiff', 'avif'] as const;

/**
 * The format from the first bytes, so that only formats Percept supports reach a decoder (sharp
 * would also render SVG and others), and "not an image" can be told from "corrupt".
 */
export function sniffFormat(b: Buffer): string | null {
  const at = (i: number, ...bytes: number[]) => bytes.every((x, k) => b[i + k] === x);
  if (at(0, 0x89, 0x50, 0x4e, 0x47)) return 'png';
  if (at(0, 0xff, 0xd8, 0xff)) return 'jpeg';
  if (at(0, 0x47, 0x49, 0x46, 0x38)) return 'gif';
  if (at(0, 0x52, 0x49, 0x46, 0x46) && at(8, 0x57, 0x45, 0x42, 0x50)) return 'webp';
  if (at(0, 0x49, 0x49, 0x2a, 0x00) || at(0, 0x4d, 0x4d, 0x00, 0x2a)) return 'tiff';
  if (at(4, 0x66, 0x74, 0x79, 0x70)) {
    const brand = b.toString('latin1', 8, 12);
    return brand === 'avif' || brand === 'avis' ? 'avif' : 'heic';
  }
  if (at(0, 0x42, 0x4d)) return 'bmp';
  if (at(0, 0x25, 0x50, 0x44, 0x46)) return 'pdf';
  if (at(0, 0x00, 0x00, 0x01, 0x00)) return 'ico';
  const head = b.toString('utf8', 0, 256).trimStart().toLowerCase();
  if (head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg'))) return 'svg';
  return null;
}

/**
 * Decodes and normalises an image to the model's input shape, once, as raw HWC bytes.
 *
 * Resizing uses `fit: 'fill'` (stretch): the whole picture is kept (`cover` would crop away what
 * sits near the edges) and no bars are added (`contain`'s letterbox bars would correlate with a
 * class's usual aspect ratio and leak the label). The distortion is the same at training and
 * classification time, which both go through this function. Alpha is flattened onto white, as
 * a transparent image looks on a page; EXIF orientation is applied, as a viewer shows it.
 */
export async function normaliseImage(data: Buffer, shape: InputShape, maxPixels: number): Promise<Buffer> {
  const format = sniffFormat(data);
  if (format === null) throw new ImageRejected(SkipReason.NOT_AN_IMAGE, 'not an image');
  if (!(SUPPORTED as readonly string[]).includes(format)) {
    throw new ImageRejected(
      SkipReason.UNSUPPORTED_FORMAT,
      `${format.toUpperCase()} is not supported (PNG, JPEG, WebP, GIF, TIFF or AVIF)`,
    );
  }
  let img = sharp(data, { limitInputPixels: maxPixels, failOn: 'error', sequentialRead: true, autoOrient: true })
    .resize(shape.width, shape.height, { fit: 'fill' })
    .flatten({ background: '#ffffff' });
  img = shape.channels === 1 ? img.toColourspace('b-w') : img.toColourspace('srgb');
  let out: { data: Buffer; info: sharp.OutputInfo };
  try {
    out = await img.raw().toBuffer({ resolveWithObject: true });
  } catch (e) {
    const message = (e as Error).message;
    if (/pixel limit/i.test(message)) {
      throw new ImageRejected(SkipReason.TOO_LARGE, `more than ${maxPixels} pixels`);
    }
    throw new ImageRejected(SkipReason.CORRUPT, `a ${format.toUpperCase()} that cannot be decoded: ${message}`);
  }
  const expected = shape.width * shape.height * shape.channels;
  if (out.data.length !== expected) {
    throw new Error(`normalised to ${out.data.length} bytes, expected ${expected} (${JSON.stringify(out.info)})`);
  }
  return out.data;
}

/**
 * How far apart an image's channels may be and it still count as grey: JPEG's colour conversion
 * and chroma subsampling round grey pictures saved as RGB to within a level or two.
 */
export const GREY_TOLERANCE = 2;

/** Whether normalised HWC pixels hold no colour: one channel, or three within GREY_TOLERANCE. */
export function isGrey(pixels: Uint8Array, channels: number): boolean {
  if (channels === 1) return true;
  if (channels !== 3) return false;
  for (let i = 0; i + 2 < pixels.length; i += 3) {
    const r = pixels[i]!;
    const g = pixels[i + 1]!;
    const b = pixels[i + 2]!;
    if (Math.abs(r - g) > GREY_TOLERANCE || Math.abs(g - b) > GREY_TOLERANCE || Math.abs(r - b) > GREY_TOLERANCE)
      return false;
  }
  return true;
}

/** Thumbnails are at most this many pixels on their longest side. */
export const THUMB_SIDE = 128;

/**
 * A PNG of what the network sees (the normalised pixels), scaled down when larger than a
 * thumbnail. Small inputs — the common case — are encoded here directly: a sharp call costs as
 * much as the decode itself for a 28×28 image, while this costs a few microseconds.
 */
export async function thumbnailPng(pixels: Buffer, shape: InputShape): Promise<Buffer> {
  if (!thumbnailIsStored(shape)) return encodePng(pixels, shape);
  return sharp(pixels, { raw: { width: shape.width, height: shape.height, channels: shape.channels as 1 | 3 } })
    .resize(THUMB_SIDE, THUMB_SIDE, { fit: 'inside' })
    .png()
    .toBuffer();
}

/**
 * Whether an import stores a thumbnail beside the pixels. An input no larger than a thumbnail is
 * its own thumbnail, PNG-encoded when it is asked for: storing it twice cost an import of 28×28
 * images about 15% of its speed (bench/import.ts) and a second blob per image.
 */
export function thumbnailIsStored(shape: InputShape): boolean {
  return Math.max(shape.width, shape.height) > THUMB_SIDE;
}

/** An 8-bit greyscale or RGB PNG of raw HWC pixels (PNG spec: IHDR, one IDAT, IEND). */
export function encodePng(pixels: Buffer, shape: InputShape): Buffer {
  const { width, height, channels } = shape;
  if (channels !== 1 && channels !== 3) throw new Error(`cannot encode ${channels} channels`);
  const stride = width * channels;
  const rows = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) pixels.copy(rows, y * (stride + 1) + 1, y * stride, (y + 1) * stride);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = channels === 1 ? 0 : 2;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows, { level: 3 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body, crc32(head.subarray(4))) >>> 0, 0);
  return Buffer.concat([head, body, crc]);
}
