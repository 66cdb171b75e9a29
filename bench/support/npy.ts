import { writeFileSync } from 'node:fs';

/** Writes bytes as a NumPy .npy file (format 1.0, uint8, C order) that np.load reads. */
export function writeNpyUint8(path: string, data: Uint8Array, shape: number[]): void {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new Error(`${data.length} bytes do not make an array of shape ${shape.join('×')}`);
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '|u1', 'fortran_order': False, 'shape': (${dims}), }`;
  // Magic (6) + version (2) + length (2) + header, padded with spaces to a multiple of 64, ending in \n.
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const prefix = Buffer.alloc(10);
  prefix.write('\x93NUMPY', 0, 'latin1');
  prefix[6] = 1;
  prefix[7] = 0;
  prefix.writeUInt16LE(header.length, 8);
  writeFileSync(path, Buffer.concat([prefix, Buffer.from(header, 'latin1'), data]));
}
