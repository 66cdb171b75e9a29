import { buildZip, type ZipInput } from './zip';

/**
 * Zips for tests and benchmarks, with zip64 records past 65,535 entries (buildZip), so
 * Fashion-MNIST fits in one upload. The interface is the part of JSZip's they used, so moving
 * off JSZip (no zip64) was a change of import.
 */
export class ZipWriter {
  private readonly entries: ZipInput[] = [];

  file(name: string, data: Buffer | string): this {
    this.entries.push({ name, data: typeof data === 'string' ? Buffer.from(data) : data });
    return this;
  }

  /** Stored unless `compression: 'DEFLATE'`, as with JSZip. */
  async generateAsync(options: { type: 'nodebuffer'; compression?: 'STORE' | 'DEFLATE' }): Promise<Buffer> {
    const method = options.compression === 'DEFLATE' ? 'deflate' : 'store';
    return buildZip(this.entries.map((e) => ({ ...e, method })));
  }
}
