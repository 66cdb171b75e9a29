import * as tf from '../tf';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { alloc, heapF32, offsetF32, ptrOf, TensorInfo } from './wasm_util';
import { nativeKernels } from './native';

/**
 * Routes each dy to the first maximum of its window (row-major scan, strict '>', the
 * cpu backend's tie-break; it matters after relu, where ties at 0 are common).
 * 2x2/2 pool over 64x26x26x32: module kernel 21.8 ms, this JS loop 5.1 ms (V8 turns the
 * compares into unpredictable branches), native max_pool_grad (SIMD compare + select)
 * 0.8 ms. The JS loop is the fallback when the native module is unavailable.
 */
export function maxPoolGrad(args: {
  inputs: { dy: TensorInfo; input: TensorInfo; output: TensorInfo };
  backend: BackendWasm;
  attrs: Record<string, unknown>;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, input } = inputs;
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const {
    batchSize: nb,
    inHeight: h,
    inWidth: w,
    inChannels: c,
    outHeight: oh,
    outWidth: ow,
    strideHeight: sh,
    strideWidth: sw,
    effectiveFilterHeight: fh,
    effectiveFilterWidth: fw,
    dilationHeight: dh,
    dilationWidth: dw,
    padInfo,
  } = info;
  const out = alloc(backend, input.shape.slice());
  const native = nativeKernels(backend);
  if (native) {
    native.max_pool_grad(
      ptrOf(backend, input),
      ptrOf(backend, dy),
      ptrOf(backend, out),
      nb,
      h,
      w,
      c,
      oh,
      ow,
      sh,
      sw,
      fh,
      fw,
      dh,
      dw,
      padInfo.top,
      padInfo.left,
    );
    return out;
  }
  const heap = heapF32(backend);
  const xo = offsetF32(backend, input);
  const go = offsetF32(backend, dy);
  const dxo = offsetF32(backend, out);
  heap.fill(0, dxo, dxo + nb * h * w * c);
  const taps = new Int32Array(fh * fw);
  for (let n = 0; n < nb; n++) {
    for (let r = 0; r < oh; r++) {
      const r0 = r * sh - padInfo.top;
      for (let q = 0; q < ow; q++) {
        const q0 = q * sw - padInfo.left;
        // Offsets (in floats, relative to the window's first channel) of in-image taps.
        let nt = 0;
        for (let i = 0; i < fh; i += dh) {
          const y = r0 + i;
          if (y < 0 || y >= h) continue;
          for (let j = 0; j < fw; j += dw) {
            const xx = q0 + j;
            if (xx >= 0 && xx < w) taps[nt++] = ((n * h + y) * w + xx) * c;
          }
        }
        if (nt === 0) continue;
        const g = go + ((n * oh + r) * ow + q) * c;
        if (nt === 4) {
          const t0 = xo + taps[0],
            t1 = xo + taps[1],
            t2 = xo + taps[2],
            t3 = xo + taps[3];
          for (let k = 0; k < c; k++) {
            let best = -Infinity;
            let at = -1;
            let v = heap[t0 + k];
            if (v > best) {
              best = v;
              at = taps[0];
            }
            v = heap[t1 + k];
            if (v > best) {
              best = v;
              at = taps[1];
            }
            v = heap[t2 + k];
            if (v > best) {
              best = v;
              at = taps[2];
            }
            v = heap[t3 + k];
            if (v > best) at = taps[3];
            if (at >= 0) heap[dxo + at + k] += heap[g + k];
          }
          continue;
        }
        for (let k = 0; k < c; k++) {
          let best = -Infinity;
          let at = -1;
          for (let t = 0; t < nt; t++) {
            const v = heap[xo + taps[t] + k];
            if (v > best) {
              best = v;
              at = taps[t];
            }
          }
          if (at >= 0) heap[dxo + at + k] += heap[g + k];
        }
      }
    }
  }
  return out;
}
