import { crc32, deflateRawSync } from 'node:zlib';

export interface ZipInput {
  /** Written as given, byte for byte: tests need `../x.png` and `/etc/x`, which zip libraries refuse to write. */
  name: string;
  /** Omit for a directory entry (name ending in `/`). */
  data?: Buffer;
  /** Deflate (default) or store. */
  method?: 'deflate' | 'store';
  /** Claim a different uncompressed size than the real one (a lying zip bomb). */
  declaredSize?: number;
}

/**
 * A minimal zip writer for tests and benchmarks (no encryption). Percept only reads zips; writing
 * them needs full control over names and sizes, which a real zip library withholds. Past 65,535
 * entries it adds the zip64 end records (entries and offsets stay below 4 GiB); `zip64: false`
 * lets the count wrap instead, as writers without zip64 (JSZip's, for one) do.
 */
export function buildZip(entries: ZipInput[], options: { zip64?: boolean } = {}): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const raw = e.data ?? Buffer.alloc(0);
    const store = e.method === 'store' || raw.length === 0;
    const body = store ? raw : deflateRawSync(raw, { level: 6 });
    const crc = crc32(raw);
    const size = e.declaredSize ?? raw.length;
    const fields = { method: store ? 0 : 8, crc, compressed: body.length, size, nameLength: name.length };

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    writeCommon(local, 4, fields);
    locals.push(local, name, body);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(0x031e, 4); // made by: unix, spec 3.0
    writeCommon(central, 6, fields);
    central.writeUInt32LE(e.data === undefined ? 0x41ed0010 : 0x81a40000, 38); // dir / file modes
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const count = entries.length;
  const zip64 = (options.zip64 ?? true) && count > 0xffff;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(zip64 ? 0xffff : count & 0xffff, 8);
  end.writeUInt16LE(zip64 ? 0xffff : count & 0xffff, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(zip64 ? 0xffffffff : offset, 16);
  return Buffer.concat([...locals, directory, ...(zip64 ? zip64End(count, directory.length, offset) : []), end]);
}

/** The zip64 end of central directory record and its locator (APPNOTE 4.3.14, 4.3.15). */
function zip64End(count: number, directorySize: number, directoryOffset: number): Buffer[] {
  const record = Buffer.alloc(56);
  record.writeUInt32LE(0x06064b50, 0);
  record.writeBigUInt64LE(44n, 4); // size of the record after this field
  record.writeUInt16LE(45, 12); // made by: spec 4.5
  record.writeUInt16LE(45, 14); // version needed: 4.5 (zip64)
  record.writeBigUInt64LE(BigInt(count), 24); // entries on this disk
  record.writeBigUInt64LE(BigInt(count), 32); // entries in all
  record.writeBigUInt64LE(BigInt(directorySize), 40);
  record.writeBigUInt64LE(BigInt(directoryOffset), 48);
  const locator = Buffer.alloc(20);
  locator.writeUInt32LE(0x07064b50, 0);
  locator.writeBigUInt64LE(BigInt(directoryOffset + directorySize), 8); // where the record starts
  locator.writeUInt32LE(1, 16); // disks in all
  return [record, locator];
}

/** The fields local and central headers share, from "version needed" to the name length. */
function writeCommon(
  buf: Buffer,
  at: number,
  f: { method: number; crc: number; compressed: number; size: number; nameLength: number },
): void {
  buf.writeUInt16LE(20, at); // version needed
  buf.writeUInt16LE(0x0800, at + 2); // flags: UTF-8 names
  buf.writeUInt16LE(f.method, at + 4);
  buf.writeUInt16LE(0, at + 6); // time
  buf.writeUInt16LE(0x21, at + 8); // date: 1980-01-01
  buf.writeUInt32LE(f.crc >>> 0, at + 10);
  buf.writeUInt32LE(f.compressed, at + 14);
  buf.writeUInt32LE(f.size, at + 18);
  buf.writeUInt16LE(f.nameLength, at + 22);
}
