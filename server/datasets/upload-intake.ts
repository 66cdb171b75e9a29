import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readFile, readdir, rm, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { TaskRepository } from '../tasks/task.repository';
import { BadUserInputError, PayloadTooLargeError } from '../errors';
import { formatBytes, uploadError, type FileUpload } from '../uploads/upload';
import { planLayout } from './layout';
import { MANIFEST_MAX_BYTES, ManifestError, parseManifest } from './manifest';
import { ArchiveError, listZip, type ZipLimits } from './zip-archive';

export interface SavedUpload {
  path: string;
  filename: string;
  size: number;
}

/** Streams an upload to `dir` under a fresh name, refusing it as soon as it passes `maxBytes`. */
export async function saveUpload(upload: Promise<FileUpload>, dir: string, maxBytes: number): Promise<SavedUpload> {
  let file: FileUpload;
  try {
    file = await upload;
  } catch (e) {
    throw uploadError(e, 'upload');
  }
  await mkdir(dir, { recursive: true });
  const ext = extname(file.filename)
    .toLowerCase()
    .replace(/[^.a-z0-9]/g, '')
    .slice(0, 8);
  const path = join(dir, `${randomUUID()}${ext}`);
  let size = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (size > maxBytes) {
        done(new PayloadTooLargeError(`The upload is larger than ${formatBytes(maxBytes)}.`, { limitBytes: maxBytes }));
      } else done(null, chunk);
    },
  });
  try {
    await pipeline(file.createReadStream(), limit, createWriteStream(path));
  } catch (e) {
    await rm(path, { force: true });
    throw uploadError(e, 'upload');
  }
  return { path, filename: file.filename, size };
}

/** A zip by its magic bytes (or its name, to say it is broken); otherwise a text manifest. */
export async function detectKind(saved: SavedUpload): Promise<'zip' | 'manifest'> {
  const head = Buffer.alloc(512);
  const fh = await open(saved.path, 'r');
  let n: number;
  try {
    ({ bytesRead: n } = await fh.read(head, 0, head.length, 0));
  } finally {
    await fh.close();
  }
  const magic = head.readUInt32LE(0);
  if (n >= 4 && (magic === 0x04034b50 || magic === 0x06054b50)) return 'zip';
  const ext = extname(saved.filename).toLowerCase();
  if (ext === '.zip') return 'zip';
  const text = n > 0 && !head.subarray(0, n).includes(0);
  if (
    text &&
    (['.csv', '.json', '.txt', '.tsv'].includes(ext) ||
      /^\s*(\[|\{|"?https?:|"?url\b)/i.test(head.toString('utf8', 0, n)))
  ) {
    return 'manifest';
  }
  throw new BadUserInputError('Upload a zip of class folders, or a CSV, TSV or JSON manifest of url,label lines.', {
    reason: 'UNKNOWN_FORMAT',
  });
}

/** What can be known from the central directory alone: bombs, zip slip, and whether any class folder has files. */
export async function checkZipUpload(path: string, limits: ZipLimits): Promise<{ files: number; classes: string[] }> {
  let entries;
  try {
    entries = await listZip(path, limits);
  } catch (e) {
    if (e instanceof ArchiveError) {
      throw new BadUserInputError(e.message, { reason: e.problem, ...(e.entry ? { entry: e.entry } : {}) });
    }
    throw e;
  }
  const plan = planLayout(entries);
  if (plan.files.length === 0) {
    throw new BadUserInputError(
      'The archive holds no files in class folders. Put each class in a folder named after it ' +
        '(cat/1.png, dog/2.png), at the root or under one top folder; or use train/ and test/ folders of class folders.',
      { reason: 'NO_CLASS_FOLDERS' },
    );
  }
  return { files: plan.files.length, classes: plan.classNames };
}

export async function checkManifestUpload(saved: SavedUpload, allowPrivate = false): Promise<{ entries: number }> {
  if (saved.size > MANIFEST_MAX_BYTES) {
    throw new PayloadTooLargeError(`A manifest can be at most ${formatBytes(MANIFEST_MAX_BYTES)}; split it.`);
  }
  try {
    const manifest = parseManifest(await readFile(saved.path, 'utf8'), { allowPrivate, filename: saved.filename });
    if (manifest.entries.length === 0) {
      const first = manifest.skipped[0];
      throw new ManifestError(
        `The manifest has no usable url,label line${first ? ` (${first.path}: ${first.detail})` : ''}.`,
      );
    }
    return { entries: manifest.entries.length };
  } catch (e) {
    if (e instanceof ManifestError) throw new BadUserInputError(e.message, { reason: 'BAD_MANIFEST' });
    throw e;
  }
}

/** Uploads older than a day that no queued or running import needs (its task was cancelled or lost). */
export async function sweepUploads(
  tasks: Pick<TaskRepository, 'pendingUploadPaths'>,
  dir: string,
  maxAgeMs = 24 * 3_600_000,
): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0;
  }
  const needed = await tasks.pendingUploadPaths();
  let removed = 0;
  for (const name of names) {
    const path = join(dir, name);
    const info = await stat(path).catch(() => null);
    if (info && !needed.has(path) && Date.now() - info.mtimeMs > maxAgeMs) {
      await rm(path, { force: true });
      removed++;
    }
  }
  return removed;
}
