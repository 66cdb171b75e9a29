/** Mirrors the server (server/models/model.service.ts): larger inputs are scaled to this longest side. */
export const MAX_INPUT_SIDE = 256;

export interface ImageHeader {
  format: 'png' | 'jpeg' | 'gif' | 'webp' | 'tiff' | 'heif';
  width: number;
  height: number;
  /** 1 for greyscale, 3 for colour, as the server counts them (alpha dropped, palettes are colour). */
  channels: 1 | 3;
}

export interface InputShape {
  width: number;
  height: number;
  channels: 1 | 3;
}

export function inputShape(header: ImageHeader): InputShape {
  const scale = Math.min(1, MAX_INPUT_SIDE / Math.max(header.width, header.height));
  return {
    width: Math.max(1, Math.round(header.width * scale)),
    height: Math.max(1, Math.round(header.height * scale)),
    channels: header.channels,
  };
}

/**
 * Reads size and colour from the file's header, not from the browser's decoding: the browser applies
 * EXIF rotation and flattens palettes and grey to RGBA, while the server reads the stored header.
 */
export function readImageHeader(bytes: Uint8Array): ImageHeader | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ascii = (at: number, length: number) => String.fromCharCode(...bytes.subarray(at, at + length));
  try {
    if (ascii(1, 3) === 'PNG' && ascii(12, 4) === 'IHDR') {
      const colourType = view.getUint8(25);
      // Colour types 0 and 4 are grey and grey + alpha.
      const channels = colourType === 0 || colourType === 4 ? 1 : 3;
      return { format: 'png', width: view.getUint32(16), height: view.getUint32(20), channels };
    }
    if (view.getUint16(0) === 0xffd8) return readJpeg(view);
    if (ascii(0, 4) === 'GIF8') {
      return { format: 'gif', width: view.getUint16(6, true), height: view.getUint16(8, true), channels: 3 };
    }
    if (ascii(0, 4) === 'RIFF' && ascii(8, 4) === 'WEBP') return readWebp(view, ascii(12, 4));
    if (ascii(0, 4) === 'II*\0' || ascii(0, 4) === 'MM\0*') return readTiff(view, ascii(0, 2) === 'II');
    if (ascii(4, 4) === 'ftyp') return readHeif(bytes, view);
  } catch {
    // A header cut short reads past the end: not an image we can describe.
  }
  return null;
}

function readJpeg(view: DataView): ImageHeader | null {
  let at = 2;
  while (at + 9 < view.byteLength) {
    if (view.getUint8(at) !== 0xff) return null;
    const marker = view.getUint8(at + 1);
    if (marker === 0xff) {
      at++;
      continue;
    }
    // Start-of-frame markers (C0–CF except DHT C4, JPG C8, DAC CC) carry the size and component count.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      const channels = view.getUint8(at + 9) === 1 ? 1 : 3;
      return { format: 'jpeg', height: view.getUint16(at + 5), width: view.getUint16(at + 7), channels };
    }
    const standalone = marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8);
    at += standalone ? 2 : 2 + view.getUint16(at + 2);
  }
  return null;
}

function readWebp(view: DataView, chunk: string): ImageHeader | null {
  const u24 = (at: number) => view.getUint16(at, true) | (view.getUint8(at + 2) << 16);
  if (chunk === 'VP8X') return { format: 'webp', width: u24(24) + 1, height: u24(27) + 1, channels: 3 };
  if (chunk === 'VP8 ') {
    const width = view.getUint16(26, true) & 0x3fff;
    return { format: 'webp', width, height: view.getUint16(28, true) & 0x3fff, channels: 3 };
  }
  if (chunk === 'VP8L') {
    const bits = view.getUint32(21, true);
    return { format: 'webp', width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1, channels: 3 };
  }
  return null;
}

function readTiff(view: DataView, little: boolean): ImageHeader | null {
  const ifd = view.getUint32(4, little);
  const count = view.getUint16(ifd, little);
  const tags = new Map<number, number>();
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + i * 12;
    const type = view.getUint16(entry + 2, little);
    const value = type === 3 ? view.getUint16(entry + 8, little) : view.getUint32(entry + 8, little);
    tags.set(view.getUint16(entry, little), value);
  }
  const width = tags.get(256);
  const height = tags.get(257);
  if (!width || !height) return null;
  // SamplesPerPixel defaults to 1; one or two samples (grey, grey + alpha) is greyscale.
  return { format: 'tiff', width, height, channels: (tags.get(277) ?? 1) <= 2 ? 1 : 3 };
}

function readHeif(bytes: Uint8Array, view: DataView): ImageHeader | null {
  // The first image spatial extents ('ispe') property belongs to the primary image.
  const limit = Math.min(bytes.length - 16, 1 << 16);
  for (let at = 8; at < limit; at++) {
    if (bytes[at] === 0x69 && bytes[at + 1] === 0x73 && bytes[at + 2] === 0x70 && bytes[at + 3] === 0x65) {
      return { format: 'heif', width: view.getUint32(at + 8), height: view.getUint32(at + 12), channels: 3 };
    }
  }
  return null;
}
