import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { featureSize, parseArchitecture, type Architecture, type InputShape } from './architecture';
import {
  DEEPER_EPOCH_CAP,
  DEEPER_FROM_EPOCHS,
  epochCapOf,
  epochsWithin,
  generateCandidates,
  LARGE_DATA,
  type GenerateOptions,
} from './generate';

const best = (inputShape: InputShape, classes: number, expandable = false) =>
  generateCandidates({ inputShape, classes, expandable })[0]!;
const depth = (a: Architecture) =>
  a.layers.filter((l) => l.kind === 'conv2d' || l.kind === 'separableConv2d' || l.kind === 'dense').length;
const widest = (a: Architecture) =>
  Math.max(...a.layers.map((l) => ('filters' in l ? l.filters : 'units' in l ? l.units : 0)));

const SIDES = [8, 12, 16, 20, 28, 32, 48, 64, 96, 128, 160, 224];
const CLASS_COUNTS = [2, 3, 5, 10, 17, 20, 50, 100, 200];

describe('generateCandidates', () => {
  test('tiny images get dense networks, from 12 pixels up convolutional', () => {
    for (const shape of [
      [8, 8, 1],
      [10, 10, 3],
    ] as InputShape[])
      assert.equal(best(shape, 10).family, 'dense', shape.join('x'));
    for (const shape of [
      [12, 12, 1],
      [16, 16, 3],
      [28, 28, 1],
      [32, 32, 3],
      [64, 64, 3],
      [128, 128, 1],
      [224, 224, 3],
    ] as InputShape[]) {
      assert.equal(best(shape, 10).family, 'cnn', shape.join('x'));
    }
    // Too small or too thin to convolve: only dense networks are offered.
    for (const inputShape of [
      [5, 5, 1],
      [4, 500, 3],
    ] as InputShape[]) {
      const families = generateCandidates({ inputShape, classes: 3, count: 4 }).map((a) => a.family);
      assert.deepEqual(new Set(families), new Set(['dense']), inputShape.join('x'));
    }
  });

  test('Fashion-MNIST (28×28×1, 10 classes) gets the conventional small CNN', () => {
    const arch = best([28, 28, 1], 10);
    assert.deepEqual(arch.layers, [
      { kind: 'conv2d', filters: 32, kernelSize: 3, strides: 1, activation: 'relu' },
      { kind: 'maxPool', poolSize: 2, strides: 2 },
      { kind: 'conv2d', filters: 64, kernelSize: 3, strides: 1, activation: 'relu' },
      { kind: 'maxPool', poolSize: 2, strides: 2 },
      { kind: 'dropout', rate: 0.25 },
      { kind: 'flatten' },
      { kind: 'dense', units: 128, activation: 'relu' },
      { kind: 'dropout', rate: 0.5 },
      { kind: 'dense', units: 10, activation: 'softmax' },
    ]);
    assert.equal(arch.params, 421_642);
    assert.equal(featureSize(arch), 7 * 7 * 64);
  });

  test('on large data (LARGE_DATA images and more) every CNN gets batch norm; nothing else changes', () => {
    for (const inputShape of [
      [16, 16, 1],
      [28, 28, 1],
      [32, 32, 3],
      [64, 64, 3],
    ] as InputShape[]) {
      const small = generateCandidates({ inputShape, classes: 10, count: 3, trainImages: LARGE_DATA - 1 });
      const large = generateCandidates({ inputShape, classes: 10, count: 3, trainImages: LARGE_DATA });
      assert.deepEqual(generateCandidates({ inputShape, classes: 10, count: 3 }), small, 'unknown size: as small');
      assert.equal(large.length, small.length);
      large.forEach((arch, i) => {
        const withoutNorm = arch.layers.filter((l) => l.kind !== 'batchNorm');
        assert.deepEqual(
          withoutNorm,
          small[i]!.layers.filter((l) => l.kind !== 'batchNorm'),
          arch.name,
        );
        if (arch.family !== 'cnn') return assert.deepEqual(arch, small[i]);
        arch.layers.forEach((l, k) => {
          if (l.kind === 'conv2d') assert.equal(arch.layers[k + 1]?.kind, 'batchNorm', `${arch.name}: layer ${k}`);
        });
      });
    }
    // Fashion-MNIST's whole training set: the conventional CNN, normalised.
    const fashion = generateCandidates({ inputShape: [28, 28, 1], classes: 10, trainImages: 53_000 })[0]!;
    assert.equal(fashion.name, 'CNN, 2 conv (32→64) + batch norm, flatten, dense 128, 422k params');
  });

  test('a budget that trains the best-sized CNN well past its plateau on large data buys one convolution more', () => {
    const options = (trainImages: number, minutes: number | null, cores = 2): GenerateOptions => ({
      inputShape: [28, 28, 1],
      classes: 10,
      count: 3,
      trainImages,
      budget: { minutes, cores },
    });
    const fashion = (trainImages: number, minutes: number | null, cores = 2) =>
      generateCandidates(options(trainImages, minutes, cores));
    const standard = generateCandidates({ inputShape: [28, 28, 1], classes: 10, count: 3, trainImages: 53_330 });
    const deep = fashion(53_330, 30);
    // All of Fashion-MNIST in 30 minutes on two cores: the batch-norm 2-conv would get past 20 epochs.
    assert.ok(epochsWithin(30, 2, standard[0]!.macs, 53_330) >= DEEPER_FROM_EPOCHS);
    assert.equal(deep[0]!.name, 'CNN, 3 conv (32→64) + batch norm, flatten, dense 128, 459k params');
    // The convolution is on the last, 7×7 maps, after the last pooling: the head is unchanged.
    const kinds = (a: Architecture) => a.layers.map((l) => ('filters' in l ? `${l.kind}${l.filters}` : l.kind));
    assert.deepEqual(kinds(deep[0]!), [
      ...kinds(standard[0]!).slice(0, 6),
      'conv2d64',
      'batchNorm',
      ...kinds(standard[0]!).slice(6),
    ]);
    assert.equal(deep[0]!.headStart, standard[0]!.headStart + 2);
    // So do the other CNNs; the dense network stays as it was.
    assert.equal(depth(deep[1]!), depth(standard[1]!) + 1);
    assert.deepEqual(deep[2], standard[2]);
    // No budget at all trains to convergence: deeper too. Anything short of it, small data, one core
    // on a long-enough-looking budget, or no budget given: the standard networks.
    assert.deepEqual(fashion(53_330, null), deep);
    // The deeper networks' run stops sooner: they are at their plateau by then.
    assert.equal(epochCapOf(options(53_330, 30)), DEEPER_EPOCH_CAP);
    assert.equal(epochCapOf(options(53_330, null)), DEEPER_EPOCH_CAP);
    for (const [images, minutes, cores] of [
      [53_330, 12, 2],
      [53_330, 30, 1],
      [LARGE_DATA - 1, 600, 2],
    ] as const) {
      assert.equal(epochCapOf(options(images, minutes, cores)), null, 'the run keeps its usual cap');
      assert.deepEqual(
        fashion(images, minutes, cores),
        generateCandidates({
          inputShape: [28, 28, 1],
          classes: 10,
          count: 3,
          trainImages: images,
        }),
        `${images} images, ${minutes} minutes on ${cores}`,
      );
    }

    // Large colour images, whose networks already have extra convolutions, get one more.
    const shape: InputShape = [64, 64, 3];
    const long = generateCandidates({
      inputShape: shape,
      classes: 10,
      trainImages: 50_000,
      budget: { minutes: null, cores: 2 },
    });
    assert.equal(
      depth(long[0]!),
      depth(generateCandidates({ inputShape: shape, classes: 10, trainImages: 50_000 })[0]!) + 1,
    );
  });

  test('depth grows with image size', () => {
    for (const channels of [1, 3]) {
      for (const classes of CLASS_COUNTS) {
        for (const expandable of [false, true]) {
          const depths = SIDES.map((s) => depth(best([s, s, channels], classes, expandable)));
          for (let i = 1; i < depths.length; i++)
            assert.ok(depths[i]! >= depths[i - 1]!, `${classes} classes: ${SIDES.join(',')} → ${depths.join(',')}`);
        }
      }
    }
    assert.ok(depth(best([224, 224, 3], 10)) > depth(best([28, 28, 1], 10)));
  });

  test('width, weights and compute grow with the class count', () => {
    for (const s of SIDES) {
      for (const expandable of [false, true]) {
        const archs = CLASS_COUNTS.map((c) => best([s, s, 3], c, expandable));
        for (let i = 1; i < archs.length; i++) {
          const [a, b] = [archs[i - 1]!, archs[i]!];
          const what = `${s}×${s}, ${CLASS_COUNTS[i - 1]} → ${CLASS_COUNTS[i]} classes: ${a.name} → ${b.name}`;
          assert.ok(widest(b) >= widest(a) && b.params >= a.params && b.macs >= a.macs, what);
        }
        assert.ok(archs.at(-1)!.params > archs[0]!.params, `${s}×${s}: 200 classes must get more capacity than 2`);
      }
    }
  });

  test('expandable models get at least as much capacity, and a head with a hidden layer', () => {
    for (const s of SIDES) {
      for (const classes of CLASS_COUNTS) {
        const plain = best([s, s, 3], classes);
        const expandable = best([s, s, 3], classes, true);
        assert.ok(expandable.params >= plain.params, `${s}×${s}, ${classes} classes`);
        // Strictly more until the size caps are reached (only beyond 100 classes).
        if (classes <= 100) assert.ok(expandable.params > plain.params, `${s}×${s}, ${classes} classes`);
        assert.ok(widest(expandable) >= widest(plain));
        assert.ok(expandable.expandable && !plain.expandable);
        // The head of an expandable model has a hidden layer to retrain for new classes.
        assert.ok(expandable.layers.length - expandable.headStart >= 2);
      }
    }
  });

  test('count 1 gives the best network; more give distinct kinds and sizes, with a smaller one', () => {
    for (const inputShape of [
      [8, 8, 1],
      [28, 28, 1],
      [64, 64, 3],
      [224, 224, 3],
    ] as InputShape[]) {
      const one = generateCandidates({ inputShape, classes: 10, count: 1 });
      assert.equal(one.length, 1);
      for (const count of [2, 3, 4, 6]) {
        const many = generateCandidates({ inputShape, classes: 10, count });
        assert.equal(many.length, count, `${inputShape.join('x')} count ${count}`);
        assert.deepEqual(many[0], one[0]);
        assert.equal(new Set(many.map((a) => a.id)).size, count, 'candidates are distinct');
        assert.ok(many[1]!.params < many[0]!.params, 'the second candidate is a smaller one');
        if (count >= 3) assert.ok(new Set(many.map((a) => a.family)).size >= 2, 'several kinds');
        if (count >= 4)
          assert.ok(
            many.some((a) => a.params > many[0]!.params),
            'and a larger one',
          );
      }
    }
    // When everything is tiny the pool is small: never more than the distinct candidates.
    const few = generateCandidates({ inputShape: [5, 5, 1], classes: 2, count: 50 });
    assert.ok(few.length >= 2 && few.length < 50);
    assert.equal(new Set(few.map((a) => a.id)).size, few.length);
  });

  test('networks stay a sensible size for any input up to 224×224×3 and 1000 classes', () => {
    const shapes: InputShape[] = [
      [8, 8, 1],
      [16, 16, 3],
      [28, 28, 1],
      [32, 32, 3],
      [64, 64, 3],
      [128, 128, 1],
      [224, 224, 3],
      [224, 224, 4],
      [100, 75, 3],
      [300, 20, 3],
      [1, 64, 1],
      [7, 9, 3],
    ];
    for (const inputShape of shapes) {
      for (const classes of [2, 10, 100, 1000]) {
        for (const expandable of [false, true]) {
          for (const arch of generateCandidates({ inputShape, classes, expandable, count: 6 })) {
            const what = `${arch.id}: ${arch.name}`;
            assert.ok(arch.params < 8_000_000, `${what} has too many weights`);
            assert.ok(arch.macs < 150_000_000, `${what} costs too much per image`);
            assert.ok(featureSize(arch) <= 4096, `${what} flattens too much`);
            assert.equal(arch.layers.at(-1)!.kind, 'dense');
          }
        }
      }
    }
  });

  test('grey images in a colour model: the networks of a grey model behind a fixed mean of the channels', () => {
    for (const [inputShape, trainImages] of [
      [[28, 28, 3], LARGE_DATA],
      [[16, 16, 3], 500],
      [[64, 64, 3], 5_000],
      [[8, 8, 3], 500],
    ] as [InputShape, number][]) {
      const [h, w] = inputShape;
      const options = { classes: 10, count: 4, trainImages, budget: { minutes: 30, cores: 2 } };
      const greyOnes = generateCandidates({ inputShape, greyContent: true, ...options });
      const asGrey = generateCandidates({ inputShape: [h, w, 1], ...options });
      assert.equal(greyOnes.length, asGrey.length, inputShape.join('x'));
      greyOnes.forEach((a, i) => {
        const g = asGrey[i]!;
        assert.deepEqual(a.inputShape, inputShape);
        assert.deepEqual(a.layers, [{ kind: 'greyscale' }, ...g.layers], a.name);
        assert.equal(a.headStart, g.headStart + 1);
        assert.equal(a.params, g.params + 3, 'three fixed weights');
        assert.equal(a.macs, g.macs + h * w * 3);
        assert.match(a.name, /, grey input, [\d.]+[kM]? params$/);
        assert.equal(a.name.replace(/, grey input, .*$/, ''), g.name.replace(/, [^,]+ params$/, ''));
        assert.equal(featureSize(a), featureSize(g));
        assert.deepEqual(parseArchitecture(JSON.stringify(a)), a);
      });
      assert.equal(
        epochCapOf({ inputShape, greyContent: true, ...options }),
        epochCapOf({ inputShape: [h, w, 1], ...options }),
      );
    }
    // Colour images, or a grey model: nothing changes.
    const colour = generateCandidates({ inputShape: [28, 28, 3], classes: 10, count: 3 });
    assert.ok(colour.every((a) => a.layers[0]!.kind !== 'greyscale'));
    assert.deepEqual(
      generateCandidates({ inputShape: [28, 28, 1], classes: 10, count: 3, greyContent: true }),
      generateCandidates({ inputShape: [28, 28, 1], classes: 10, count: 3 }),
    );
    // The layer is only valid first, on three channels.
    const grey = generateCandidates({ inputShape: [28, 28, 3], classes: 10, greyContent: true })[0]!;
    const moved = structuredClone(grey);
    moved.layers.splice(0, 2, moved.layers[1]!, moved.layers[0]!);
    assert.throws(() => parseArchitecture(moved), /greyscale must be the first layer/);
    const onGrey = { ...structuredClone(grey), inputShape: [28, 28, 1] as InputShape };
    onGrey.params = grey.params - 2;
    assert.throws(() => parseArchitecture(onGrey), /greyscale must be the first layer, on 3 channels/);
  });

  test('is deterministic and survives a JSON round trip', () => {
    const options = { inputShape: [64, 48, 3] as InputShape, classes: 7, expandable: true, count: 4 };
    const a = generateCandidates(options);
    assert.deepEqual(generateCandidates(options), a);
    const copy = JSON.parse(JSON.stringify(a)) as Architecture[];
    assert.deepEqual(copy, a);
    for (const arch of copy) assert.deepEqual(parseArchitecture(JSON.stringify(arch)), arch);
  });

  test('parseArchitecture rejects broken or tampered architectures', () => {
    const arch = best([28, 28, 1], 10);
    const broken = (change: (a: Architecture) => void) => {
      const copy = structuredClone(arch);
      change(copy);
      return copy;
    };
    assert.throws(() => parseArchitecture(broken((a) => (a.classes = 1))), /classes/);
    assert.throws(() => parseArchitecture(broken((a) => a.layers.pop())), /last layer/);
    assert.throws(() => parseArchitecture(broken((a) => (a.headStart = 0))), /headStart/);
    assert.throws(() => parseArchitecture(broken((a) => (a.params += 1))), /params/);
    assert.throws(
      () => parseArchitecture(broken((a) => ((a.layers[0] as { kind: string }).kind = 'lstm'))),
      /unknown layer kind/,
    );
    assert.throws(() => parseArchitecture(broken((a) => a.layers.splice(5, 1))), /flat input/);
  });

  test('rejects bad requests', () => {
    assert.throws(() => generateCandidates({ inputShape: [28, 28, 1], classes: 1 }), /classes/);
    assert.throws(() => generateCandidates({ inputShape: [28, 0, 1], classes: 2 }), /inputShape/);
    assert.throws(() => generateCandidates({ inputShape: [28, 28, 1], classes: 2, count: 0 }), /count/);
  });
});
