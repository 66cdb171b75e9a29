import type { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import * as yauzl from 'yauzl';
import type { Limits } from '../config/config';

/*
 * Uploaded datasets are read with yauzl, not jszip (which Percept keeps for writing small zips):
 * jszip loads a whole archive into memory, so a 2 GiB upload would cost 2 GiB of heap or more.
 * yauzl reads the central directory, then streams one entry at a time from the file, and it
 * enforces each entry's declared uncompressed size while inflating — which is what makes the
 * zip-bomb checks below, done on declared sizes alone, trustworthy.
 */

export type ZipLimits = Pick<Limits, 'zipEntries' | 'zipTotalBytes' | 'zipEntryBytes' | 'zipRatio'>;

export type ArchiveProblem =
  | 'NOT_A_ZIP'
  | 'TOO_MANY_ENTRIES'
  | 'TOO_LARGE'
  | 'ENTRY_TOO_LARGE'
  | 'COMPRESSION_RATIO'
  | 'UNSAFE_PATH';

/** A problem with the archive as a whole: the import is refused and nothing is written. */
export class ArchiveError extends Error {
  constructor(
    readonly problem: ArchiveProblem,
    message: string,
    readonly entry?: string,
  ) {
    super(message);
    this.name = 'ArchiveError';
  }
}

export interface ZipEntryInfo {
  /** The name as stored (backslashes turned into slashes); check it with safeEntryPath. */
  name: string;
  directory: boolean;
  size: number;
  compressedSize: number;
  /** Encrypted, or compressed with a method other than store/deflate. */
  unreadable: boolean;
}

/** Entries this small cannot be bombs whatever their ratio (a kilobyte of zeros deflates 1000:1). */
const RATIO_MIN_BYTES = 1 << 20;

/** Lists an archive from its central directory, refusing bombs and unsafe paths. Reads no entry data. */
export async function listZip(path: string, limits: ZipLimits): Promise<ZipEntryInfo[]> {
  const zip = await openZip(path);
  const entries: ZipEntryInfo[] = [];
  let total = 0;
  try {
    if (zip.entryCount > limits.zipEntries) {
      throw new ArchiveError(
        'TOO_MANY_ENTRIES',
        `The archive has ${zip.entryCount} entries; the limit is ${limits.zipEntries}.`,
      );
    }
    for await (const entry of zip.eachEntry()) {
      const info = describe(entry);
      if (safeEntryPath(info.name) === null) {
        throw new ArchiveError(
          'UNSAFE_PATH',
          `The archive holds an unsafe path (${JSON.stringify(info.name)}): absolute paths and ".." are not allowed.`,
          info.name,
        );
      }
      checkEntrySize(info, limits);
      total += info.size;
      if (total > limits.zipTotalBytes) {
        throw new ArchiveError(
          'TOO_LARGE',
          `The archive unpacks to more than ${limits.zipTotalBytes} bytes, the limit.`,
          info.name,
        );
      }
      entries.push(info);
    }
  } catch (e) {
    throw e instanceof ArchiveError ? e : notAZip(e);
  } finally {
    zip.close();
  }
  return entries;
}

function checkEntrySize(info: ZipEntryInfo, limits: ZipLimits): void {
  if (info.size > limits.zipEntryBytes) {
    throw new ArchiveError(
      'ENTRY_TOO_LARGE',
      `${info.name} unpacks to ${info.size} bytes; the limit for one file is ${limits.zipEntryBytes}.`,
      info.name,
    );
  }
  if (info.size >= RATIO_MIN_BYTES && info.size > limits.zipRatio * Math.max(1, info.compressedSize)) {
    throw new ArchiveError(
      'COMPRESSION_RATIO',
      `${info.name} is compressed ${Math.round(info.size / Math.max(1, info.compressedSize))}:1; ` +
        `more than ${limits.zipRatio}:1 marks a zip bomb.`,
      info.name,
    );
  }
}

/**
 * The entry's path split into safe segments, or null when it would escape the extraction root
 * (zip slip): absolute, a drive letter, a `..` segment, or a NUL byte.
 */
export function safeEntryPath(name: string): string[] | null {
  const normalised = name.replace(/\\/g, '/');
  if (normalised.includes('\0') || yauzl.validateFileName(normalised) !== null) return null;
  return normalised.split('/').filter((s) => s !== '' && s !== '.');
}

export interface ZipEntryData {
  index: number;
  info: ZipEntryInfo;
  /** The entry's bytes, or why they could not be read (corrupt data, CRC mismatch, size lie). */
  data: Buffer | null;
  error: string | null;
}

/**
 * Streams the data of the wanted entries in archive order, one entry at a time: the caller's
 * `onEntry` is awaited before the next entry is read, which is how it applies backpressure.
 */
export async function readZipEntries(
  path: string,
  limits: ZipLimits,
  want: (index: number, info: ZipEntryInfo) => boolean,
  onEntry: (entry: ZipEntryData) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  const zip = await openZip(path);
  try {
    let index = -1;
    for await (const entry of zip.eachEntry()) {
      index++;
      signal?.throwIfAborted();
      const info = describe(entry);
      if (!want(index, info)) continue;
      // The archive was checked when it was uploaded; a changed file is refused all the same.
      checkEntrySize(info, limits);
      let data: Buffer | null = null;
      let error: string | null = null;
      try {
        data = await readAll(await zip.openReadStreamPromise(entry), info.size);
        if ((crc32(data) >>> 0) !== entry.crc32 >>> 0) {
          data = null;
          error = 'its CRC-32 does not match: the archive is damaged';
        }
      } catch (e) {
        error = `it cannot be unpacked: ${(e as Error).message}`;
      }
      await onEntry({ index, info, data, error });
    }
  } finally {
    zip.close();
  }
}

async function openZip(path: string): Promise<yauzl.ZipFile> {
  try {
    // decodeStrings: false so an unsafe name is ours to report (with its name) rather than an
    // error that ends the listing; names are decoded and checked in describe/safeEntryPath.
    return await yauzl.openPromise(path, { decodeStrings: false, validateEntrySizes: true, autoClose: false });
  } catch (e) {
    throw notAZip(e);
  }
}

function notAZip(e: unknown): ArchiveError {
  return new ArchiveError(
    'NOT_A_ZIP',
    `The file is not a readable zip archive (${(e as Error).message}). Is it truncated?`,
  );
}

function describe(entry: yauzl.Entry): ZipEntryInfo {
  const raw = entry.fileName as unknown as Buffer; // a Buffer under decodeStrings: false
  const name = yauzl
    .getFileNameLowLevel(entry.generalPurposeBitFlag, raw, entry.extraFields, false)
    .replace(/\\/g, '/');
  return {
    name,
    directory: name.endsWith('/'),
    size: entry.uncompressedSize,
    compressedSize: entry.compressedSize,
    unreadable: !entry.canDecodeFileData(),
  };
}

async function readAll(stream: Readable, expected: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    // yauzl stops a stream that runs past its declared size; this is a second, cheap guard.
    if (size > expected) {
      stream.destroy();
      throw new Error('it holds more bytes than it declares');
    }
    chunks.push(chunk as Buffer);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
}
