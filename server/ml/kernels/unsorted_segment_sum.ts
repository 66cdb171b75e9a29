import * as tf from '../tf';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { sizeOf, TensorInfo } from './wasm_util';

/**
 * out[s, ...] = sum of x rows whose segment id is s (ids outside [0, numSegments) are
 * dropped, like the cpu backend). Missing from wasm; it is the gradient of tf.gather,
 * so any model or loss that gathers needs it. One pass over x, row adds.
 */
export function unsortedSegmentSum(args: {
  inputs: { x: TensorInfo; segmentIds: TensorInfo };
  backend: BackendWasm;
  attrs: Record<string, unknown>;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, segmentIds } = inputs;
  const { numSegments } = attrs as unknown as tf.UnsortedSegmentSumAttrs;
  const rows = sizeOf(segmentIds.shape);
  const inner = sizeOf(x.shape.slice(segmentIds.shape.length));
  const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
  const vals = backend.readSync(x.dataId) as Float32Array | Int32Array;
  const ids = backend.readSync(segmentIds.dataId) as Int32Array;
  const out = x.dtype === 'int32' ? new Int32Array(numSegments * inner) : new Float32Array(numSegments * inner);
  for (let r = 0; r < rows; r++) {
    const s = ids[r];
    if (!(s >= 0 && s < numSegments)) continue;
    const src = r * inner;
    const dst = s * inner;
    for (let k = 0; k < inner; k++) out[dst + k] += vals[src + k];
  }
  return backend.makeOutput(outShape, x.dtype, undefined, out);
}
