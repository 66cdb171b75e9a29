import type { BlobStore } from '../storage/blob-store';
import type { InputShape } from './normalise';
import { DEFAULT_FETCH, fetchImagePixels } from './url-fetch';

export interface ImagePixelOptions {
  /** Config `allowPrivateUrls`. */
  allowPrivateUrls: boolean;
  /** Config `limits.imagePixels`. */
  maxPixels: number;
  maxBytes?: number;
  timeoutMs?: number;
}

/**
 * The normalised pixels (h × w × c bytes) of one training image, whichever way it is held:
 * uploaded images from the blob store; URL images fetched each time they are needed and never
 * kept (the seed's privacy rule), normalised exactly as an upload is.
 */
export class ImagePixels {
  constructor(
    private readonly blobs: BlobStore,
    private readonly options: ImagePixelOptions,
  ) {}

  async read(
    image: { id: string; blobKey: string | null; url: string | null },
    shape: InputShape,
    signal?: AbortSignal,
  ): Promise<Buffer> {
    const bytes = shape.width * shape.height * shape.channels;
    if (image.blobKey) {
      const data = await this.blobs.get(image.blobKey);
      if (!data || data.length !== bytes)
        throw new Error(`image ${image.id}: its pixels are missing or not ${bytes} bytes`);
      return data;
    }
    if (!image.url) throw new Error(`image ${image.id} has neither stored pixels nor a URL`);
    return fetchImagePixels(image.url, shape, {
      allowPrivate: this.options.allowPrivateUrls,
      maxPixels: this.options.maxPixels,
      maxBytes: this.options.maxBytes ?? DEFAULT_FETCH.maxBytes,
      timeoutMs: this.options.timeoutMs ?? DEFAULT_FETCH.timeoutMs,
      signal,
    });
  }
}
