import sharp from 'sharp';
import { BadUserInputError } from '../errors';

export const SUPPORTED_FORMATS = ['png', 'jpeg', 'webp', 'gif', 'tiff', 'heif', 'avif'] as const;

export interface ImageInfo {
  width: number;
  height: number;
  /** 1 for greyscale, 3 for colour: alpha is not an input of the network. */
  channels: 1 | 3;
  format: string;
}

/**
 * Reads an image's header and decodes it fully once, so a corrupt body is caught here rather than
 * during training. sharp's pixel limit refuses decompression bombs before any pixel is allocated.
 */
export async function probeImage(data: Buffer, maxPixels: number, what = 'file'): Promise<ImageInfo> {
  let meta: sharp.Metadata;
  try {
    meta = await sharp(data, { limitInputPixels: false }).metadata();
  } catch {
    throw new BadUserInputError(`The ${what} is not an image Percept can read (PNG, JPEG, WebP, GIF, TIFF or AVIF).`, {
      reason: 'NOT_AN_IMAGE',
    });
  }
  const format = meta.format ?? 'unknown';
  if (!(SUPPORTED_FORMATS as readonly string[]).includes(format)) {
    throw new BadUserInputError(`The ${what} is a ${format} image; use PNG, JPEG, WebP, GIF, TIFF or AVIF.`, {
      reason: 'UNSUPPORTED_FORMAT',
    });
  }
  const { width, height } = meta;
  if (!width || !height) throw new BadUserInputError(`The ${what} has no size.`, { reason: 'CORRUPT' });
  if (width * height > maxPixels) {
    throw new BadUserInputError(
      `The ${what} is ${width}×${height} = ${width * height} pixels; the limit is ${maxPixels}.`,
      { reason: 'TOO_MANY_PIXELS' },
    );
  }
  try {
    await sharp(data, { limitInputPixels: maxPixels }).raw().toBuffer();
  } catch (e) {
    throw new BadUserInputError(`The ${what} is corrupt: ${(e as Error).message}`, { reason: 'CORRUPT' });
  }
  const grey = meta.space === 'b-w' || (meta.channels ?? 3) <= 2;
  return { width, height, channels: grey ? 1 : 3, format };
}
