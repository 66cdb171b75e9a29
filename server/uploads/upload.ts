import type { Readable } from 'node:stream';
import GraphQLUpload from 'graphql-upload/GraphQLUpload.mjs';
import { BadUserInputError, PayloadTooLargeError } from '../errors';

/** The `Upload` scalar of the GraphQL multipart request spec (graphql-upload). */
export { GraphQLUpload };

/** What an `Upload` argument resolves to (GraphQL multipart request spec, via graphql-upload). */
export interface FileUpload {
  filename: string;
  mimetype: string;
  encoding: string;
  createReadStream(): Readable;
}

/** Reads a small upload into memory, refusing it as soon as it passes `maxBytes`. */
export async function readUpload(
  upload: Promise<FileUpload>,
  maxBytes: number,
  what: string,
): Promise<{ data: Buffer; filename: string }> {
  let file: FileUpload;
  try {
    file = await upload;
  } catch (e) {
    throw uploadError(e, what);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    // createReadStream itself throws when the file was already refused (too large, aborted).
    const stream = file.createReadStream();
    for await (const chunk of stream) {
      size += (chunk as Buffer).length;
      if (size > maxBytes) {
        stream.destroy();
        throw new PayloadTooLargeError(`The ${what} is larger than ${formatBytes(maxBytes)}.`, {
          limitBytes: maxBytes,
        });
      }
      chunks.push(chunk as Buffer);
    }
  } catch (e) {
    throw uploadError(e, what);
  }
  return { data: Buffer.concat(chunks), filename: file.filename };
}

export function uploadError(e: unknown, what: string): Error {
  if (e instanceof PayloadTooLargeError || e instanceof BadUserInputError) return e;
  const status = (e as { status?: number }).status;
  if (status === 413) return new PayloadTooLargeError(`The ${what} is too large: ${(e as Error).message}`);
  return new BadUserInputError(`The ${what} could not be read: ${(e as Error).message}`);
}

export function formatBytes(n: number): string {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(1)} GiB`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}
