import * as tf from '../tf';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { alloc, free, ptrOf, wasmTranspose, wasmMatMul, TensorInfo } from './wasm_util';
import { nativeKernels } from './native';
import { colGeometry, im2col, imagesPerChunk } from './im2col';

/**
 * dW[kh,kw,ci,co] = sum_{n,oh,ow} x[n, oh*s+kh-pt, ow*s+kw-pl, ci] * dy[n,oh,ow,co],
 * i.e. dW[K,CO] = cols[M,K]^T dy[M,CO] over im2col patches (K = KH*KW*CI, M = N*OH*OW).
 * Benchmark CNN, batch 64, ms per call:
 *                                  3x3x32->64   3x3x1->32
 *   one forward conv, N/C swapped     10.4         5.0
 *   XNNPACK GEMM (transpose, pack)    10.2         3.4
 *   native gemm_tn (no transposes)     ~6.6        ~0.9
 * XNNPACK needs cols^T and repacks its right operand on every call (~3.5 ns/value:
 * its operator cache is keyed on a tensor that is new each step); the native kernel
 * streams both row-major operands once. The XNNPACK path remains as the fallback.
 */
export function conv2dBackpropFilter(args: {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: BackendWasm;
  attrs: Record<string, unknown>;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, dy } = inputs;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  if (tf.backend_util.convertConv2DDataFormat(dataFormat) !== 'channelsLast') {
    throw new Error(`wasm Conv2DBackpropFilter supports only NHWC, got ${dataFormat}`);
  }
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const native = nativeKernels(backend);
  if (native) {
    // Chunks of images accumulate into dW: patch matrices stay bounded (see imagesPerChunk).
    const k = info.filterHeight * info.filterWidth * info.inChannels;
    const co = info.outChannels;
    const rowsPerImage = info.outHeight * info.outWidth;
    const chunk = imagesPerChunk(info);
    const out = alloc(backend, filterShape.slice());
    const cols = alloc(backend, [chunk * rowsPerImage, k]);
    for (let n0 = 0; n0 < info.batchSize; n0 += chunk) {
      const images = Math.min(chunk, info.batchSize - n0);
      native.im2col(
        ptrOf(backend, x) + 4 * n0 * info.inHeight * info.inWidth * info.inChannels,
        ptrOf(backend, cols),
        ...colGeometry(info, images),
      );
      native.gemm_tn(
        ptrOf(backend, cols),
        ptrOf(backend, dy) + 4 * n0 * rowsPerImage * co,
        ptrOf(backend, out),
        images * rowsPerImage,
        k,
        co,
        n0 > 0 ? 1 : 0,
      );
    }
    free(backend, cols);
    return out;
  }
  const out = gemmFilterGrad(backend, im2col(backend, x, info), dy, info.outChannels);
  out.shape = filterShape.slice();
  return out;
}

/**
 * Fallback without the native module: dW[K,CO] = cols^T x dy with XNNPACK; consumes cols.
 * XNNPACK packs its right operand each call, so the smaller of cols and dy goes there.
 */
function gemmFilterGrad(backend: BackendWasm, cols: TensorInfo, dy: TensorInfo, co: number): TensorInfo {
  const [m, k] = cols.shape;
  const dy2 = { ...dy, shape: [m, co] };
  if (k >= co) {
    const colsT = wasmTranspose(backend, cols, [1, 0]);
    free(backend, cols);
    const out = wasmMatMul(backend, { ...colsT, shape: [1, k, m] }, { ...dy2, shape: [1, m, co] });
    free(backend, colsT);
    out.shape = [k, co];
    return out;
  }
  const dyT = wasmTranspose(backend, dy2, [1, 0]);
  const r = wasmMatMul(backend, { ...dyT, shape: [1, co, m] }, { ...cols, shape: [1, m, k] });
  free(backend, dyT, cols);
  const out = wasmTranspose(backend, { ...r, shape: [co, k] }, [1, 0]);
  free(backend, r);
  return out;
}
