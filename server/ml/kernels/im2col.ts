import * as tf from '../tf';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { alloc, heapF32, offsetF32, TensorInfo } from './wasm_util';

/**
 * Images per im2col chunk, so patch matrices stay under ~32 MB however large the batch or
 * image: a 64-image batch of 224x224 inputs would otherwise need a 350 MB matrix for the
 * first layer alone. The benchmark CNN's largest (12544 x 288) fits in one chunk.
 */
export function imagesPerChunk(info: tf.backend_util.Conv2DInfo): number {
  const perImage = info.outHeight * info.outWidth * info.filterHeight * info.filterWidth * info.inChannels;
  return Math.max(1, Math.min(info.batchSize, Math.floor(chunkFloats / Math.max(1, perImage))));
}

let chunkFloats = 8 << 20;

/** Tests shrink the chunk to exercise the multi-chunk path on small shapes. */
export function setIm2colChunkFloats(n: number): void {
  chunkFloats = n;
}

/** The geometry arguments native im2col/col2im take after their two pointers. */
export function colGeometry(info: tf.backend_util.Conv2DInfo, images: number): number[] {
  return [
    images,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.dilationHeight,
    info.dilationWidth,
    info.padInfo.top,
    info.padInfo.left,
  ];
}

/**
 * JS fallback of native im2col (used when the native module is unavailable):
 * cols[(n,oh,ow), (kh,kw,ci)] = x[n, oh*sh+kh*dh-pt, ow*sw+kw*dw-pl, ci], 0 outside the image.
 * Rows are copied with copyWithin inside the wasm heap (a native memmove, no allocation)
 * whenever a run of input is contiguous; element loops only for tiny channel counts.
 * For the 3x3x32 layer at batch 64 (2.2M values): 0.45 ms with runs, 2.0 ms element-wise,
 * and 4.4 ms for building the transposed layout directly.
 */
export function im2col(backend: BackendWasm, x: TensorInfo, info: tf.backend_util.Conv2DInfo): TensorInfo {
  const {
    batchSize: nb,
    inHeight: h,
    inWidth: w,
    inChannels: ci,
    outHeight: oh,
    outWidth: ow,
    filterHeight: kh,
    filterWidth: kw,
    strideHeight: sh,
    strideWidth: sw,
    dilationHeight: dh,
    dilationWidth: dw,
    padInfo,
  } = info;
  const k = kh * kw * ci;
  const cols = alloc(backend, [nb * oh * ow, k]);
  const heap = heapF32(backend);
  const xo = offsetF32(backend, x);
  let d = offsetF32(backend, cols);
  const rowRun = dw === 1 && ci >= 8; // whole filter row (kw*ci values) is one run when inside
  for (let n = 0; n < nb; n++) {
    for (let r = 0; r < oh; r++) {
      const y0 = r * sh - padInfo.top;
      for (let q = 0; q < ow; q++) {
        const x0 = q * sw - padInfo.left;
        const inside = x0 >= 0 && x0 + (kw - 1) * dw < w;
        for (let i = 0; i < kh; i++) {
          const y = y0 + i * dh;
          if (y < 0 || y >= h) {
            heap.fill(0, d, d + kw * ci);
            d += kw * ci;
            continue;
          }
          const rowBase = xo + (n * h + y) * w * ci;
          if (inside && rowRun) {
            const s = rowBase + x0 * ci;
            heap.copyWithin(d, s, s + kw * ci);
            d += kw * ci;
            continue;
          }
          for (let j = 0; j < kw; j++) {
            const xx = x0 + j * dw;
            if (xx < 0 || xx >= w) {
              for (let c = 0; c < ci; c++) heap[d++] = 0;
            } else if (ci >= 8) {
              const s = rowBase + xx * ci;
              heap.copyWithin(d, s, s + ci);
              d += ci;
            } else {
              let s = rowBase + xx * ci;
              for (let c = 0; c < ci; c++) heap[d++] = heap[s++];
            }
          }
        }
      }
    }
  }
  return cols;
}

/** JS fallback of native col2im: dx[n, oh*sh+kh*dh-pt, ow*sw+kw*dw-pl, ci] += cols[(n,oh,ow), (kh,kw,ci)]. */
export function col2im(backend: BackendWasm, cols: TensorInfo, info: tf.backend_util.Conv2DInfo): TensorInfo {
  const {
    batchSize: nb,
    inHeight: h,
    inWidth: w,
    inChannels: ci,
    outHeight: oh,
    outWidth: ow,
    filterHeight: kh,
    filterWidth: kw,
    strideHeight: sh,
    strideWidth: sw,
    dilationHeight: dh,
    dilationWidth: dw,
    padInfo,
  } = info;
  const dx = alloc(backend, [nb, h, w, ci]);
  const heap = heapF32(backend);
  const o = offsetF32(backend, dx);
  heap.fill(0, o, o + nb * h * w * ci);
  let s = offsetF32(backend, cols);
  for (let n = 0; n < nb; n++) {
    for (let r = 0; r < oh; r++) {
      for (let q = 0; q < ow; q++) {
        for (let i = 0; i < kh; i++) {
          const y = r * sh + i * dh - padInfo.top;
          for (let j = 0; j < kw; j++, s += ci) {
            const xx = q * sw + j * dw - padInfo.left;
            if (y < 0 || y >= h || xx < 0 || xx >= w) continue;
            const d = o + ((n * h + y) * w + xx) * ci;
            for (let c = 0; c < ci; c++) heap[d + c] += heap[s + c];
          }
        }
      }
    }
  }
  return dx;
}
