import { ImageSplit } from '../../datasets/image.entity';

/**
 * A model's labelled images in one buffer, so a runner fetches a dataset in one request rather
 * than one per image: a JSON header, then labels (int32), splits (uint8), image ids (16 bytes
 * each) and pixels (h*w*c bytes per image, the model's input shape), in the same image order.
 */
export interface DatasetPack {
  version: string;
  shape: [number, number, number];
  /** Output classes of the network: the highest class index + 1. */
  classes: number;
  labels: Int32Array;
  splits: Uint8Array;
  /** Image ids (uuids): what a feature cache is keyed by. */
  ids: string[];
  pixels: Uint8Array;
}

const MAGIC = 0x324b4350; // "PCK2": PCK1 had no image ids
export const SPLIT_CODE: Record<ImageSplit, number> = {
  [ImageSplit.TRAIN]: 0,
  [ImageSplit.VALIDATION]: 1,
  [ImageSplit.TEST]: 2,
};

export function encodePack(pack: DatasetPack): Buffer {
  const header = Buffer.from(
    JSON.stringify({ version: pack.version, shape: pack.shape, classes: pack.classes, count: pack.labels.length }),
  );
  const head = Buffer.alloc(8);
  head.writeUInt32LE(MAGIC, 0);
  head.writeUInt32LE(header.length, 4);
  return Buffer.concat([
    head,
    header,
    Buffer.from(pack.labels.buffer, pack.labels.byteOffset, pack.labels.byteLength),
    Buffer.from(pack.splits.buffer, pack.splits.byteOffset, pack.splits.byteLength),
    Buffer.concat(pack.ids.map((id) => Buffer.from(id.replace(/-/g, ''), 'hex'))),
    Buffer.from(pack.pixels.buffer, pack.pixels.byteOffset, pack.pixels.byteLength),
  ]);
}

export function decodePack(buf: Uint8Array): DatasetPack {
  const view = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (view.readUInt32LE(0) !== MAGIC) throw new Error('not a dataset pack');
  const headerLength = view.readUInt32LE(4);
  const header = JSON.parse(view.subarray(8, 8 + headerLength).toString()) as {
    version: string;
    shape: [number, number, number];
    classes: number;
    count: number;
  };
  let offset = 8 + headerLength;
  const n = header.count;
  // Copies, so the typed arrays are aligned whatever the buffer's offset.
  const labels = new Int32Array(n);
  Buffer.from(labels.buffer).set(view.subarray(offset, offset + 4 * n));
  offset += 4 * n;
  const splits = new Uint8Array(view.subarray(offset, offset + n));
  offset += n;
  const ids = Array.from({ length: n }, (_, i) => uuidAt(view, offset + 16 * i));
  offset += 16 * n;
  const bytes = n * header.shape[0] * header.shape[1] * header.shape[2];
  const pixels = new Uint8Array(view.subarray(offset, offset + bytes));
  if (pixels.length !== bytes) throw new Error('dataset pack is truncated');
  return { version: header.version, shape: header.shape, classes: header.classes, labels, splits, ids, pixels };
}

function uuidAt(view: Buffer, offset: number): string {
  const hex = view.toString('hex', offset, offset + 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
