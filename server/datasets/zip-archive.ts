import { open } from 'node:fs/promises';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { Readable } from 'node:stream';
import * as yauzl from 'yauzl';
import type { Limits } from '../config/config';

/*
 * Uploaded datasets are read with yauzl, not jszip: jszip loads a whole archive into memory, so a 2 GiB upload would cost 2 GiB of heap or more.
 * yauzl reads the central directory, then one entry at a time from the file. The zip-bomb checks
 * below work on the sizes the central directory declares; inflating enforces them
 * (maxOutputLength), so a lying archive cannot get past them.
 *
 * yauzl is given a reader that reads the file synchronously: reads of a just-uploaded file come
 * from the page cache in microseconds, while each asynchronous read waits in libuv's four-thread
 * pool behind sharp's decodes. Entry data is read in zip-read.ts, for the same reason.
 */

export type ZipLimits = Pick<Limits, 'zipEntries' | 'zipTotalBytes' | 'zipEntryBytes' | 'zipRatio'>;

export type ArchiveProblem =
  'NOT_A_ZIP' | 'TOO_MANY_ENTRIES' | 'TOO_LARGE' | 'ENTRY_TOO_LARGE' | 'COMPRESSION_RATIO' | 'UNSAFE_PATH';

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
  /** Where to find and check the data (zip-read.ts). */
  method: number;
  crc32: number;
  localHeaderOffset: number;
}

/** Entries this small cannot be bombs whatever their ratio (a kilobyte of zeros deflates 1000:1). */
const RATIO_MIN_BYTES = 1 << 20;

/** Lists an archive from its central directory, refusing bombs and unsafe paths. Reads no entry data. */
export async function listZip(path: string, limits: ZipLimits): Promise<ZipEntryInfo[]> {
  const zip = await openZip(path);
  const entries: ZipEntryInfo[] = [];
  let total = 0;
  let directoryBytes = 0;
  try {
    if (zip.entryCount > limits.zipEntries) {
      throw new ArchiveError(
        'TOO_MANY_ENTRIES',
        `The archive has ${zip.entryCount} entries; the limit is ${limits.zipEntries}.`,
      );
    }
    for await (const entry of zip.eachEntry()) {
      directoryBytes += 46 + entry.fileNameLength + entry.extraFieldLength + entry.fileCommentLength;
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
    await checkEntryCountWrapped(path, directoryBytes);
  } catch (e) {
    throw e instanceof ArchiveError ? e : notAZip(e);
  } finally {
    zip.close();
  }
  return entries;
}

/**
 * A zip without zip64 records counts its entries in 16 bits; some writers (JSZip among them) let
 * the count wrap past 65,535, and a reader that trusts it silently sees only the remainder. The
 * central directory's byte size does not wrap below 4 GiB: when the entries read fill less of it,
 * entries are missing, and the archive is refused rather than imported in part.
 */
async function checkEntryCountWrapped(path: string, directoryBytes: number): Promise<void> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const tail = Buffer.alloc(Math.min(size, 22 + 65_535));
    await handle.read(tail, 0, tail.length, size - tail.length);
    const at = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    if (at < 0) return;
    const declared = tail.readUInt32LE(at + 12);
    if (declared === 0xffffffff || tail.readUInt16LE(at + 10) === 0xffff) return; // zip64: counts are 64-bit
    if (directoryBytes < declared) {
      throw new ArchiveError(
        'TOO_MANY_ENTRIES',
        'The archive holds more than 65,535 files but no zip64 record, so its file count is wrong. ' +
          'Re-create it with a zip64-capable tool (e.g. Info-ZIP zip, 7-Zip), or upload it in parts.',
      );
    }
  } finally {
    await handle.close();
  }
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

export async function openZip(path: string): Promise<yauzl.ZipFile> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw notAZip(e);
  }
  try {
    // decodeStrings: false so an unsafe name is ours to report (with its name) rather than an
    // error that ends the listing; names are decoded and checked in describe/safeEntryPath.
    return await yauzl.fromRandomAccessReaderPromise(new SyncFileReader(fd), fstatSync(fd).size, {
      decodeStrings: false,
      validateEntrySizes: true,
      autoClose: false,
    });
  } catch (e) {
    closeSync(fd);
    throw notAZip(e);
  }
}

/** Random access to the file with synchronous reads (see the top of this file for why). */
class SyncFileReader extends yauzl.RandomAccessReader {
  constructor(private readonly fd: number) {
    super();
  }

  override read(
    buffer: Buffer,
    offset: number,
    length: number,
    position: number,
    callback: (err: Error | null) => void,
  ) {
    let err: Error | null = null;
    let done = 0;
    try {
      while (done < length) {
        const n = readSync(this.fd, buffer, offset + done, length - done, position + done);
        if (n === 0) throw new Error('unexpected end of file');
        done += n;
      }
    } catch (e) {
      err = e as Error;
    }
    // fs.read's contract: the callback comes later, never synchronously.
    process.nextTick(callback as (err: Error | null, bytesRead: number) => void, err, done);
  }

  override _readStreamForRange(start: number, end: number): Readable {
    let position = start;
    const fd = this.fd;
    return new Readable({
      read() {
        if (position >= end) return void this.push(null);
        const chunk = Buffer.allocUnsafe(Math.min(1 << 20, end - position));
        let n: number;
        try {
          n = readSync(fd, chunk, 0, chunk.length, position);
        } catch (e) {
          return void this.destroy(e as Error);
        }
        if (n === 0) return void this.destroy(new Error('unexpected end of file'));
        position += n;
        this.push(n < chunk.length ? chunk.subarray(0, n) : chunk);
      },
    });
  }

  override close(callback: (err: Error | null) => void): void {
    let err: Error | null = null;
    try {
      closeSync(this.fd);
    } catch (e) {
      err = e as Error;
    }
    process.nextTick(callback, err);
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
    method: entry.compressionMethod,
    crc32: entry.crc32,
    localHeaderOffset: entry.relativeOffsetOfLocalHeader,
  };
}
