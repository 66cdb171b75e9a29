import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { ImageSplit } from './image.entity';
import { assignSplit } from './split';

const checksums = Array.from({ length: 20_000 }, (_, i) => createHash('sha256').update(`file ${i}`).digest('hex'));
const shares = (splits: ImageSplit[]) => {
  const n = (s: ImageSplit) => splits.filter((x) => x === s).length / splits.length;
  return [n(ImageSplit.TRAIN), n(ImageSplit.VALIDATION), n(ImageSplit.TEST)];
};

test('the split is 80/10/10, and the same for the same seed and file', () => {
  const a = checksums.map((c) => assignSplit(42, c, null));
  const [train, validation, test] = shares(a);
  assert.ok(Math.abs(train! - 0.8) < 0.01 && Math.abs(validation! - 0.1) < 0.01 && Math.abs(test! - 0.1) < 0.01);
  assert.deepEqual(
    checksums.map((c) => assignSplit(42, c, null)),
    a,
    'reproducible',
  );
  const b = checksums.map((c) => assignSplit(43, c, null));
  assert.ok(a.filter((s, i) => s !== b[i]).length > 3000, 'another seed gives another split');
});

test('split folders are honoured; validation is carved from train/', () => {
  assert.ok(checksums.every((c) => assignSplit(1, c, ImageSplit.TEST) === ImageSplit.TEST));
  assert.ok(checksums.every((c) => assignSplit(1, c, ImageSplit.VALIDATION) === ImageSplit.VALIDATION));
  const [train, validation, test] = shares(checksums.map((c) => assignSplit(1, c, ImageSplit.TRAIN)));
  assert.equal(test, 0);
  assert.ok(Math.abs(validation! - 1 / 9) < 0.01, `validation share ${validation}`);
  assert.ok(Math.abs(train! - 8 / 9) < 0.01);
});
