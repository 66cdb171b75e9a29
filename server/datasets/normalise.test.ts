import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import sharp from 'sharp';
import { SkipReason } from './import-report';
import {
  GREY_TOLERANCE,
  ImageRejected,
  encodePng,
  isGrey,
  normaliseImage,
  sniffFormat,
  thumbnailPng,
} from './normalise';

const solid = (w: number, h: number, channels: 3 | 4, colour: sharp.Color) =>
  sharp({ create: { width: w, height: h, channels, background: colour } });

const rejection = async (p: Promise<unknown>): Promise<SkipReason> => {
  try {
    await p;
  } catch (e) {
    if (e instanceof ImageRejected) return e.reason;
    throw e;
  }
  assert.fail('expected a rejection');
};

describe('normaliseImage', () => {
  test('stretches to the input shape (fit: fill) as raw HWC bytes, grey or colour', async () => {
    const wide = await solid(60, 20, 3, { r: 255, g: 0, b: 0 }).png().toBuffer();
    const rgb = await normaliseImage(wide, { width: 8, height: 8, channels: 3 }, 1e6);
    assert.equal(rgb.length, 8 * 8 * 3);
    assert.deepEqual([...rgb.subarray(0, 3)], [255, 0, 0], 'no letterbox bars: every pixel is the picture');
    const grey = await normaliseImage(wide, { width: 5, height: 7, channels: 1 }, 1e6);
    assert.equal(grey.length, 5 * 7);
    const fromGrey = await normaliseImage(
      await solid(9, 9, 3, { r: 90, g: 90, b: 90 }).greyscale().toColourspace('b-w').png().toBuffer(),
      { width: 4, height: 4, channels: 3 },
      1e6,
    );
    assert.equal(fromGrey.length, 4 * 4 * 3);
  });

  test('alpha is flattened onto white', async () => {
    const clear = await solid(10, 10, 4, { r: 0, g: 0, b: 0, alpha: 0 }).png().toBuffer();
    const out = await normaliseImage(clear, { width: 2, height: 2, channels: 3 }, 1e6);
    assert.ok(out.every((v) => v === 255));
  });

  test('reasons: not an image, unsupported, corrupt, too many pixels', async () => {
    const shape = { width: 4, height: 4, channels: 3 };
    assert.equal(await rejection(normaliseImage(Buffer.from('hello, world'), shape, 1e6)), SkipReason.NOT_AN_IMAGE);
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>');
    assert.equal(await rejection(normaliseImage(svg, shape, 1e6)), SkipReason.UNSUPPORTED_FORMAT);
    const bmp = Buffer.concat([Buffer.from('BM'), Buffer.alloc(60)]);
    assert.equal(await rejection(normaliseImage(bmp, shape, 1e6)), SkipReason.UNSUPPORTED_FORMAT);
    const png = await solid(64, 64, 3, { r: 1, g: 2, b: 3 }).png().toBuffer();
    assert.equal(await rejection(normaliseImage(png.subarray(0, 80), shape, 1e6)), SkipReason.CORRUPT);
    const jpeg = await solid(64, 64, 3, { r: 1, g: 2, b: 3 }).jpeg().toBuffer();
    assert.equal(await rejection(normaliseImage(jpeg.subarray(0, jpeg.length >> 1), shape, 1e6)), SkipReason.CORRUPT);
    assert.equal(await rejection(normaliseImage(png, shape, 64 * 64 - 1)), SkipReason.TOO_LARGE);
  });

  test('sniffs the formats Percept supports', async () => {
    for (const format of ['png', 'jpeg', 'webp', 'gif', 'tiff', 'avif'] as const) {
      const data = await solid(8, 8, 3, { r: 9, g: 9, b: 9 }).toFormat(format).toBuffer();
      assert.equal(sniffFormat(data), format);
    }
  });
});

test('thumbnails are PNGs of the normalised pixels, at most 128 px', async () => {
  const pixels = Buffer.from(Array.from({ length: 6 * 4 * 3 }, (_, i) => (i * 7) % 256));
  const png = encodePng(pixels, { width: 6, height: 4, channels: 3 });
  const back = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  assert.deepEqual([back.info.width, back.info.height, back.info.channels], [6, 4, 3]);
  assert.deepEqual(back.data, pixels, 'the PNG encoder round-trips');
  const grey = await sharp(encodePng(Buffer.alloc(9, 77), { width: 3, height: 3, channels: 1 })).metadata();
  assert.equal(grey.channels, 1);
  const big = await thumbnailPng(Buffer.alloc(256 * 200 * 3, 50), { width: 256, height: 200, channels: 3 });
  const meta = await sharp(big).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height], ['png', 128, 100]);
});

describe('isGrey', () => {
  test('grey pictures saved as RGB are grey, JPEG rounding included; colour and tints are not', async () => {
    const shape = { width: 20, height: 20, channels: 3 };
    // A grey gradient saved as an RGB PNG (what sharp writes from one raw channel) and as a JPEG.
    const ramp = Buffer.from(Array.from({ length: 400 }, (_, i) => i % 256));
    const greyPng = await sharp(ramp, { raw: { width: 20, height: 20, channels: 1 } })
      .png()
      .toBuffer();
    assert.equal((await sharp(greyPng).metadata()).channels, 3, 'stored as RGB');
    const rgbRamp = Buffer.from(Array.from(ramp, (v) => [v, v, v]).flat());
    const greyJpeg = await sharp(rgbRamp, { raw: { width: 20, height: 20, channels: 3 } })
      .jpeg({ quality: 75 })
      .toBuffer();
    assert.equal(isGrey(await normaliseImage(greyPng, shape, 1e6), 3), true);
    assert.equal(isGrey(await normaliseImage(greyJpeg, shape, 1e6), 3), true);
    assert.equal(
      isGrey(await normaliseImage(await solid(20, 20, 3, '#c81e3c').png().toBuffer(), shape, 1e6), 3),
      false,
    );
    // One coloured pixel is enough.
    const dot = Buffer.from(rgbRamp);
    dot[3 * 57] = Math.min(255, dot[3 * 57]! + 3 * GREY_TOLERANCE);
    assert.equal(isGrey(dot, 3), false);
    assert.equal(isGrey(Buffer.from([GREY_TOLERANCE, 0, GREY_TOLERANCE]), 3), true, 'within the tolerance');
    assert.equal(isGrey(ramp, 1), true, 'one channel is grey');
  });
});
