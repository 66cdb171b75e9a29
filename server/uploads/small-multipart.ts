import type { Request } from 'express';
import Upload from 'graphql-upload/Upload.mjs';
import { Readable } from 'node:stream';

/**
 * Multipart requests up to this size (an image to classify, a sample image) are parsed in memory.
 * graphql-upload writes every file to a temporary file and reads it back, which for a small
 * image costs more than classifying it; larger requests (zips) still stream to disk through it.
 */
export const IN_MEMORY_MULTIPART_BYTES = 4 * 2 ** 20;

export interface MultipartLimits {
  maxFileSize: number;
  maxFiles: number;
  maxFieldSize: number;
}

/** Whether the request declares a body small enough for parseSmallMultipart. */
export function isSmallMultipart(req: Request): boolean {
  const length = Number(req.headers['content-length']);
  return Number.isFinite(length) && length <= IN_MEMORY_MULTIPART_BYTES;
}

/**
 * The GraphQL multipart request spec (what graphql-upload's processRequest does), from memory:
 * `operations` with each file of `map` put in place as an Upload, so resolvers cannot tell.
 * Errors carry an HTTP `status`, as graphql-upload's do.
 */
export async function parseSmallMultipart(req: Request, limits: MultipartLimits): Promise<unknown> {
  const body = await readAll(req, Number(req.headers['content-length']));
  let form: FormData;
  try {
    form = await new Response(body, { headers: { 'content-type': String(req.headers['content-type']) } }).formData();
  } catch {
    throw httpError(400, 'Invalid multipart request.');
  }
  const field = (name: string): unknown => {
    const value = form.get(name);
    if (typeof value !== 'string') throw httpError(400, `Missing multipart field ‘${name}’.`);
    if (Buffer.byteLength(value) > limits.maxFieldSize)
      throw httpError(413, `The ‘${name}’ multipart field value exceeds the ${limits.maxFieldSize} byte size limit.`);
    try {
      return JSON.parse(value) as unknown;
    } catch {
      throw httpError(400, `Invalid JSON in the ‘${name}’ multipart field.`);
    }
  };
  const operations = field('operations');
  const map = field('map');
  if (!isObject(operations)) throw httpError(400, 'Invalid type for the ‘operations’ multipart field.');
  if (!isObject(map)) throw httpError(400, 'Invalid type for the ‘map’ multipart field.');
  const entries = Object.entries(map);
  if (entries.length > limits.maxFiles) throw httpError(413, `${limits.maxFiles} max file uploads exceeded.`);
  for (const [key, paths] of entries) {
    const file = form.get(key);
    if (!(file instanceof Blob)) throw httpError(400, 'File missing in the request.');
    if (!Array.isArray(paths)) throw httpError(400, `Invalid type for the ‘map’ multipart field entry key ‘${key}’.`);
    // As graphql-upload does: a file over the limit fails when read, so the resolver names it.
    const tooLarge = file.size > limits.maxFileSize;
    const data = tooLarge ? null : Buffer.from(await file.arrayBuffer());
    for (const path of paths) {
      const upload = new Upload();
      upload.resolve({
        filename: (file as File).name,
        mimetype: file.type,
        encoding: '7bit',
        createReadStream: () => {
          if (!data) throw httpError(413, `File truncated as it exceeds the ${limits.maxFileSize} byte size limit.`);
          return Readable.from([data]);
        },
      });
      put(operations, String(path), upload);
    }
  }
  return operations;
}

async function readAll(req: Request, declared: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > declared) throw httpError(400, 'The body is longer than its content-length.');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Sets `value` at a dotted path (`variables.image.file`, `0.variables.f`) that must lead to null. */
function put(target: Record<string, unknown> | unknown[], path: string, value: unknown): void {
  const keys = path.split('.');
  let at: unknown = target;
  for (const key of keys.slice(0, -1)) {
    at = isObject(at) ? (at as Record<string, unknown>)[key] : undefined;
  }
  const last = keys[keys.length - 1]!;
  if (!isObject(at) || (at as Record<string, unknown>)[last] !== null)
    throw httpError(400, `Invalid object path for the ‘map’ multipart field entry: ${path}.`);
  (at as Record<string, unknown>)[last] = value;
}

function isObject(v: unknown): v is Record<string, unknown> | unknown[] {
  return typeof v === 'object' && v !== null;
}

function httpError(status: number, message: string): Error & { status: number } {
  return Object.assign(new Error(message), { status });
}
