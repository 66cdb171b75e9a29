import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ImageSplit } from './image.entity';
import { SkipReason } from './import-report';
import { interleaveClasses, planLayout } from './layout';

const files = (...names: string[]) => names.map((name) => ({ name, directory: name.endsWith('/') }));
const classesOf = (plan: ReturnType<typeof planLayout>) =>
  plan.files.map((f) => `${f.path} → ${f.className}${f.folderSplit ? ` (${f.folderSplit})` : ''}`);

describe('planLayout', () => {
  test('one folder per class at the root', () => {
    const plan = planLayout(files('cat/1.png', 'dog/2.jpg', 'cat/deeper/3.png'));
    assert.deepEqual(classesOf(plan), ['cat/1.png → cat', 'dog/2.jpg → dog', 'cat/deeper/3.png → cat']);
    assert.deepEqual(plan.classNames, ['cat', 'dog']);
    assert.equal(plan.topFolder, null);
  });

  test('class folders under a single top folder; a lone folder of files stays one class', () => {
    const plan = planLayout(files('shapes/', 'shapes/circle/1.png', 'shapes/square/2.png', 'shapes/readme.txt'));
    assert.equal(plan.topFolder, 'shapes');
    assert.deepEqual(plan.classNames, ['circle', 'square']);
    assert.deepEqual(
      plan.skipped.map((s) => [s.path, s.reason]),
      [['shapes/readme.txt', SkipReason.OUTSIDE_CLASS_FOLDER]],
    );
    assert.deepEqual(planLayout(files('cats/1.png', 'cats/2.png')).classNames, ['cats']);
  });

  test('train/ and test/ folders keep their split, under a top folder too', () => {
    const plan = planLayout(
      files('data/train/cat/1.png', 'data/test/cat/2.png', 'data/validation/dog/3.png', 'data/dog/4.png'),
    );
    assert.equal(plan.splitFolders, true);
    assert.deepEqual(classesOf(plan), [
      'data/train/cat/1.png → cat (TRAIN)',
      'data/test/cat/2.png → cat (TEST)',
      'data/validation/dog/3.png → dog (VALIDATION)',
    ]);
    assert.equal(plan.skipped[0]?.path, 'data/dog/4.png');
    assert.equal(plan.skipped[0]?.reason, SkipReason.OUTSIDE_CLASS_FOLDER);
  });

  test('files at the root, system files and unsafe paths are skipped with their reason', () => {
    const plan = planLayout(
      files('x.png', '__MACOSX/cat/._1.png', 'cat/.DS_Store', 'cat/1.png', '../evil.png', '/etc/passwd'),
    );
    assert.deepEqual(
      plan.skipped.map((s) => `${s.path}: ${s.reason}`),
      [
        '__MACOSX/cat/._1.png: SYSTEM_FILE',
        'cat/.DS_Store: SYSTEM_FILE',
        '../evil.png: UNSAFE_PATH',
        '/etc/passwd: UNSAFE_PATH',
        'x.png: OUTSIDE_CLASS_FOLDER',
      ],
    );
    assert.deepEqual(plan.classNames, ['cat']);
  });

  test('an empty class folder is reported and makes no class', () => {
    const plan = planLayout(files('cat/', 'cat/1.png', 'dog/', 'bird/', 'bird/.gitkeep'));
    assert.deepEqual(plan.classNames, ['cat']);
    assert.deepEqual(
      plan.skipped.filter((s) => s.reason === SkipReason.EMPTY_CLASS_FOLDER).map((s) => s.path),
      ['dog/', 'bird/'],
    );
    const split = planLayout(files('train/cat/1.png', 'test/cat/', 'test/dog/2.png'));
    assert.deepEqual(
      split.skipped.map((s) => `${s.path}: ${s.reason}`),
      ['test/cat/: EMPTY_CLASS_FOLDER'],
    );
    assert.equal(split.files.find((f) => f.className === 'dog')?.folderSplit, ImageSplit.TEST);
  });

  test('class names are Unicode NFC: a decomposed (macOS) and a composed café/ are one class', () => {
    const nfd = 'cafe\u0301';
    const plan = planLayout(files(`${nfd}/1.png`, 'caf\u00e9/2.png', ` ${nfd} /`));
    assert.deepEqual(plan.classNames, ['caf\u00e9']);
    assert.deepEqual(
      plan.files.map((f) => f.className),
      ['caf\u00e9', 'caf\u00e9'],
    );
    assert.deepEqual(plan.skipped, [], 'the decomposed folder entry is the filled class, not an empty one');
  });
});

describe('interleaveClasses', () => {
  test('class folders in proportion, each in archive order, every folder first seen at the start', () => {
    const names = [
      ...Array.from({ length: 6 }, (_, i) => `cat/${i}.png`),
      ...Array.from({ length: 3 }, (_, i) => `dog/${i}.png`),
      'train/bird/0.png',
      'test/bird/1.png',
    ];
    const plan = planLayout(files(...names.map((n) => (n.includes('bird') ? n : `train/${n}`))));
    const order = interleaveClasses(plan.files).map((f) => f.path);
    assert.deepEqual(order, [
      'train/cat/0.png',
      'train/dog/0.png',
      'train/bird/0.png',
      'test/bird/1.png',
      'train/cat/1.png',
      'train/cat/2.png',
      'train/dog/1.png',
      'train/cat/3.png',
      'train/cat/4.png',
      'train/dog/2.png',
      'train/cat/5.png',
    ]);
  });
});
