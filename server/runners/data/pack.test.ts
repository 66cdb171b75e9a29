import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { decodePack, encodePack } from './pack';

test('a dataset pack round-trips, image ids included, from any byte offset', () => {
  const pack = {
    version: '3-abc',
    shape: [2, 2, 1] as [number, number, number],
    classes: 4,
    labels: Int32Array.of(3, 0, 1),
    splits: Uint8Array.of(0, 2, 1),
    ids: [randomUUID(), randomUUID(), randomUUID()],
    pixels: Uint8Array.from({ length: 12 }, (_, i) => i * 7),
  };
  const bytes = encodePack(pack);
  const shifted = new Uint8Array(bytes.length + 1);
  shifted.set(bytes, 1);
  assert.deepEqual(decodePack(shifted.subarray(1)), pack);
});
