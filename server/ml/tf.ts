// TensorFlow.js as Percept uses it: tfjs-core, tfjs-layers and the `cpu` backend (the other
// backends are activated by ./backend), with every gradient and chained tensor method (`x.add(y)`)
// registered. Import TensorFlow.js from here, never from the umbrella `@tensorflow/tfjs` (not a
// dependency: it brings webgl, the converter and tf.data, ~190 MB the server never loads).
//
// tfjs-core's CommonJS build registers neither the gradients nor the chained methods; the build
// (scripts/bundle-tfjs.mjs) bundles tfjs-core's own registration modules, which Node cannot load as
// they are, into dist/server/ml/tfjs-registrations.js, loaded here — as the umbrella's Node build
// does. They register into the one engine tfjs keeps on the global object.
//
// The chained methods' types (module augmentation of Tensor); a type-only import emits nothing.
import type {} from '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';

try {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('./tfjs-registrations.js');
} catch (err) {
  if ((err as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND' || !String(err).includes('tfjs-registrations')) {
    throw err;
  }
  throw new Error(
    'dist/server/ml/tfjs-registrations.js is missing (TensorFlow.js gradients): build with `npm run build` ' +
      '(or `node scripts/bundle-tfjs.mjs` after tsc)',
    { cause: err },
  );
}

export * from '@tensorflow/tfjs-core';
export * from '@tensorflow/tfjs-layers';
export * from '@tensorflow/tfjs-backend-cpu';
