import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { augmentationRandom, augmentInto, DEFAULT_AUGMENTATION, type Augmentation } from './augment';
import { InMemoryImageDataset } from './dataset';
import { generateCandidates } from './generate';
import { DEFAULT_RECIPE, parseRecipe, planCandidates } from './recipe';
import { learningRateAt } from './schedule';

const SHAPE = [16, 16, 1] as const;

/** A white square on black, off-centre. */
function square(): Uint8Array {
  const px = new Uint8Array(16 * 16);
  for (let y = 3; y < 9; y++) for (let x = 4; x < 10; x++) px[y * 16 + x] = 255;
  return px;
}

function warp(aug: Augmentation, seed: number, pixels = square()): Float32Array {
  const out = new Float32Array(pixels.length);
  augmentInto(out, 0, pixels, SHAPE, aug, augmentationRandom(seed, 0, 0));
  return out;
}

describe('augmentation', () => {
  test('is replayed exactly from (seed, epoch, batch) and differs between them', () => {
    assert.deepEqual(warp(DEFAULT_AUGMENTATION, 1), warp(DEFAULT_AUGMENTATION, 1));
    assert.notDeepEqual(warp(DEFAULT_AUGMENTATION, 1), warp(DEFAULT_AUGMENTATION, 2));
  });

  test('with no warp asked it is the plain [0, 1] scaling', () => {
    const none = { shift: 0, rotate: 0, scale: 0, flip: false };
    const plain = Float32Array.from(square(), (v) => v / 255);
    const got = warp(none, 3);
    assert.ok(
      got.every((v, i) => Math.abs(v - plain[i]!) < 1e-6),
      'identity',
    );
  });

  test('moves the content but keeps it: the bright area stays about the same', () => {
    const before = square().reduce((a, v) => a + v / 255, 0);
    for (let seed = 0; seed < 20; seed++) {
      const after = warp(DEFAULT_AUGMENTATION, seed).reduce((a, v) => a + v, 0);
      // Scale ±10% changes the area by up to about ±21%; rotation and shift keep it.
      assert.ok(Math.abs(after - before) / before < 0.3, `seed ${seed}: ${before} → ${after}`);
    }
  });

  test('mirrors only when flips are asked for', () => {
    const flipOnly = { shift: 0, rotate: 0, scale: 0, flip: true };
    const mirrored = Float32Array.from({ length: 256 }, (_, i) => {
      const [y, x] = [Math.floor(i / 16), i % 16];
      return square()[y * 16 + (15 - x)]! / 255;
    });
    const seen = new Set<string>();
    for (let seed = 0; seed < 16; seed++) {
      const out = warp(flipOnly, seed);
      const same = out.every((v, i) => v === square()[i]! / 255);
      const flipped = out.every((v, i) => Math.abs(v - mirrored[i]!) < 1e-6);
      assert.ok(same || flipped, `seed ${seed}: either as is or mirrored`);
      seen.add(same ? 'same' : 'flipped');
    }
    assert.deepEqual(seen, new Set(['same', 'flipped']));
    for (let seed = 0; seed < 16; seed++) {
      const out = warp({ ...flipOnly, flip: false }, seed);
      assert.ok(out.every((v, i) => v === square()[i]! / 255));
    }
  });

  test('a dataset warps its batches only when asked, the same way for the same epoch', async () => {
    const images = new InMemoryImageDataset(SHAPE, [square(), square()], [0, 1]);
    const first = async (augment?: Augmentation, epoch = 0) => {
      for await (const b of images.batches({ batchSize: 2, shuffleSeed: 9, epoch, augment })) {
        const v = await b.xs.data();
        b.xs.dispose();
        b.labels.dispose();
        return Float32Array.from(v);
      }
      throw new Error('no batch');
    };
    const plain = await first();
    assert.ok(plain.every((v, i) => v === square()[i % 256]! / 255));
    assert.deepEqual(await first(DEFAULT_AUGMENTATION), await first(DEFAULT_AUGMENTATION));
    assert.notDeepEqual(await first(DEFAULT_AUGMENTATION, 0), await first(DEFAULT_AUGMENTATION, 1));
  });
});

describe('learning-rate schedule', () => {
  test('warms up from a tenth of the peak, peaks, and decays by a cosine to 1% at the end', () => {
    const s = { epochs: 10, warmupEpochs: 1 };
    assert.ok(Math.abs(learningRateAt(1, s, 0, 100) - 0.1) < 1e-9);
    assert.ok(Math.abs(learningRateAt(1, s, 100, 100) - 1) < 1e-9);
    const mid = learningRateAt(1, s, 550, 100);
    assert.ok(Math.abs(mid - (0.01 + 0.99 * 0.5)) < 1e-9, `half-way ${mid}`);
    assert.ok(Math.abs(learningRateAt(1, s, 1000, 100) - 0.01) < 1e-9);
    assert.ok(Math.abs(learningRateAt(1, s, 5000, 100) - 0.01) < 1e-9, 'stays at the final rate past the end');
    for (let step = 101; step <= 1000; step++)
      assert.ok(
        learningRateAt(1, s, step, 100) <= learningRateAt(1, s, step - 1, 100) + 1e-12,
        'never rises after warm-up',
      );
  });

  test('short runs keep most of their steps for the decay', () => {
    // Two epochs of one step each: warm-up is capped at a fifth of the run.
    assert.equal(learningRateAt(1, { epochs: 2, warmupEpochs: 1 }, 0, 1), 1);
  });
});

describe('recipe', () => {
  test('absent fields take the defaults; nonsense is refused', () => {
    assert.deepEqual(parseRecipe(undefined), DEFAULT_RECIPE);
    assert.deepEqual(parseRecipe({ labelSmoothing: 0 }), { ...DEFAULT_RECIPE, labelSmoothing: 0 });
    assert.equal(parseRecipe({ augment: null }).augment, null);
    assert.throws(() => parseRecipe({ learningRate: -1 }), /not a training recipe/);
    assert.throws(() => parseRecipe({ augment: { shift: 2 } }), /not an augmentation/);
  });
});

describe('planCandidates', () => {
  const archs = generateCandidates({ inputShape: [28, 28, 1], classes: 10, count: 4 });

  test('one or two candidates train plainly, as generated', () => {
    const two = planCandidates(archs, 2);
    assert.deepEqual(
      two.map((c) => c.architecture.id),
      archs.slice(0, 2).map((a) => a.id),
    );
    assert.ok(two.every((c) => c.recipe.augment === null));
  });

  test('from three up, the best-sized network also trains on shifted images, and validation decides', () => {
    const three = planCandidates(archs, 3);
    assert.equal(three.length, 3);
    assert.equal(three[0]!.architecture.id, archs[0]!.id);
    assert.equal(three[1]!.architecture.id, archs[0]!.id);
    assert.equal(three[0]!.recipe.augment, null);
    assert.ok(three[1]!.recipe.augment && three[1]!.recipe.augment.shift > 0 && !three[1]!.recipe.augment.flip);
    assert.match(three[1]!.name, /shifted images/);
    assert.equal(three[2]!.architecture.id, archs[1]!.id);
    assert.equal(new Set(planCandidates(archs, 4).map((c) => c.name)).size, 4, 'names tell them apart');
  });

  test('colour images of photo size are also mirrored; grey ones never', () => {
    const colour = planCandidates(generateCandidates({ inputShape: [64, 64, 3], classes: 5, count: 3 }), 3);
    assert.equal(colour[1]!.recipe.augment?.flip, true);
    assert.match(colour[1]!.name, /shifted and mirrored/);
    const grey = planCandidates(generateCandidates({ inputShape: [64, 64, 1], classes: 5, count: 3 }), 3);
    assert.equal(grey[1]!.recipe.augment?.flip, false);
    // Grey pictures in a colour model are grey.
    const greyInRgb = planCandidates(
      generateCandidates({ inputShape: [64, 64, 3], classes: 5, count: 3, greyContent: true }),
      3,
    );
    assert.equal(greyInRgb[1]!.recipe.augment?.flip, false);
  });

  test('where the twin is to be a partner (a long budget on large data), it is mirrored only, grey or colour', () => {
    for (const inputShape of [
      [28, 28, 1],
      [64, 64, 3],
    ] as const) {
      const archs3 = generateCandidates({ inputShape: [...inputShape], classes: 10, count: 3 });
      const partner = planCandidates(archs3, 3, { partner: true });
      assert.equal(partner[1]!.architecture.id, archs3[0]!.id);
      assert.deepEqual(partner[1]!.recipe.augment, { shift: 0, rotate: 0, scale: 0, flip: true });
      assert.match(partner[1]!.name, /trained on mirrored images$/);
      assert.equal(partner[0]!.recipe.augment, null, 'the best-sized network still trains plainly');
      const rival = planCandidates(archs3, 3);
      assert.ok(rival[1]!.recipe.augment!.shift > 0);
      assert.match(rival[1]!.name, /shifted/);
    }
  });
});
