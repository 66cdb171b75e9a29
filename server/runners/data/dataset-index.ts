import { ImageSplit } from '../../datasets/image.entity';

/**
 * What a runner learns about a dataset before it trains: every labelled image's id, label, split
 * and where its pixels are (a slot of a shard, or nowhere: a loose image read one by one through
 * the server). A JSON header (version, input shape, classes, shard keys), then per image, in id
 * order: label (int32), split (uint8), id (16 bytes), shard (int32 index into the header's keys,
 * -1 when loose) and slot (int32). About 29 bytes an image, so 60,000 images index in 1.7 MB;
 * the pixels come separately, a shard at a time.
 */
export interface DatasetIndex {
  version: string;
  shape: [number, number, number];
  /** Output classes of the network: the highest class index + 1. */
  classes: number;
  /** Shard blob keys, referred to by position. */
  shards: string[];
  labels: Int32Array;
  splits: Uint8Array;
  /** Image ids (uuids): what a feature cache is keyed by and loose images are read by. */
  ids: string[];
  shard: Int32Array;
  slot: Int32Array;
}

const MAGIC = 0x31584449; // "IDX1"
export const SPLIT_CODE: Record<ImageSplit, number> = {
  [ImageSplit.TRAIN]: 0,
  [ImageSplit.VALIDATION]: 1,
  [ImageSplit.TEST]: 2,
};

export function encodeIndex(index: DatasetIndex): Buffer {
  const header = Buffer.from(
    JSON.stringify({
      version: index.version,
      shape: index.shape,
      classes: index.classes,
      shards: index.shards,
      count: index.labels.length,
    }),
  );
  const head = Buffer.alloc(8);
  head.writeUInt32LE(MAGIC, 0);
  head.writeUInt32LE(header.length, 4);
  const bytes = (a: Int32Array | Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  return Buffer.concat([
    head,
    header,
    bytes(index.labels),
    bytes(index.splits),
    Buffer.concat(index.ids.map((id) => Buffer.from(id.replace(/-/g, ''), 'hex'))),
    bytes(index.shard),
    bytes(index.slot),
  ]);
}

export function decodeIndex(buf: Uint8Array): DatasetIndex {
  const view = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (view.length < 8 || view.readUInt32LE(0) !== MAGIC) throw new Error('not a dataset index');
  const headerLength = view.readUInt32LE(4);
  const header = JSON.parse(view.subarray(8, 8 + headerLength).toString()) as {
    version: string;
    shape: [number, number, number];
    classes: number;
    shards: string[];
    count: number;
  };
  const n = header.count;
  let offset = 8 + headerLength;
  if (view.length !== offset + n * 29) throw new Error('dataset index is truncated');
  // Copies, so the typed arrays are aligned whatever the buffer's offset.
  const int32s = () => {
    const out = new Int32Array(n);
    Buffer.from(out.buffer).set(view.subarray(offset, offset + 4 * n));
    offset += 4 * n;
    return out;
  };
  const labels = int32s();
  const splits = new Uint8Array(view.subarray(offset, offset + n));
  offset += n;
  const ids = Array.from({ length: n }, (_, i) => uuidAt(view, offset + 16 * i));
  offset += 16 * n;
  const shard = int32s();
  const slot = int32s();
  const { version, shape, classes, shards } = header;
  return { version, shape, classes, shards, labels, splits, ids, shard, slot };
}

function uuidAt(view: Buffer, offset: number): string {
  const hex = view.toString('hex', offset, offset + 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
