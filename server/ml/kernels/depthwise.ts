import * as tf from '../tf';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { alloc, heapF32, offsetF32, ptrOf, TensorInfo } from './wasm_util';
import { nativeKernels } from './native';

// Missing from the wasm backend (needed by depthwise and separable conv layers). Direct
// loops: a depthwise layer does ~KH*KW MACs per output value, far too little for a GEMM
// to pay off; the native versions vectorise over channels when the multiplier is 1.

type Args<I> = { inputs: I; backend: BackendWasm; attrs: Record<string, unknown> };

function geometry(info: tf.backend_util.Conv2DInfo): number[] {
  const {
    batchSize,
    inHeight,
    inWidth,
    inChannels,
    outHeight,
    outWidth,
    filterHeight,
    filterWidth,
    strideHeight,
    strideWidth,
    dilationHeight,
    dilationWidth,
    padInfo,
  } = info;
  return [
    batchSize,
    inHeight,
    inWidth,
    inChannels,
    info.outChannels / inChannels,
    outHeight,
    outWidth,
    filterHeight,
    filterWidth,
    strideHeight,
    strideWidth,
    dilationHeight,
    dilationWidth,
    padInfo.top,
    padInfo.left,
  ];
}

export function depthwiseBackpropFilter(args: Args<{ x: TensorInfo; dy: TensorInfo }>): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, dy } = inputs;
  const a = attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    a.filterShape,
    a.strides,
    a.dilations,
    a.pad,
    a.dimRoundingMode,
    true,
  );
  const out = alloc(backend, a.filterShape.slice());
  const g = geometry(info);
  const native = nativeKernels(backend);
  if (native) {
    native.depthwise_filter_grad(ptrOf(backend, x), ptrOf(backend, dy), ptrOf(backend, out), ...g);
    return out;
  }
  const [nb, h, w, c, cm, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl] = g;
  const oc = c * cm;
  const heap = heapF32(backend);
  const xo = offsetF32(backend, x);
  const fo = offsetF32(backend, out);
  heap.fill(0, fo, fo + kh * kw * oc);
  let go = offsetF32(backend, dy);
  for (let n = 0; n < nb; n++) {
    for (let r = 0; r < oh; r++) {
      for (let q = 0; q < ow; q++, go += oc) {
        for (let i = 0; i < kh; i++) {
          const y = r * sh + i * dh - pt;
          if (y < 0 || y >= h) continue;
          for (let j = 0; j < kw; j++) {
            const xx = q * sw + j * dw - pl;
            if (xx < 0 || xx >= w) continue;
            const xp = xo + ((n * h + y) * w + xx) * c;
            const o = fo + (i * kw + j) * oc;
            for (let k = 0; k < oc; k++) heap[o + k] += heap[xp + Math.floor(k / cm)] * heap[go + k];
          }
        }
      }
    }
  }
  return out;
}

export function depthwiseBackpropInput(args: Args<{ dy: TensorInfo; filter: TensorInfo }>): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, filter } = inputs;
  const a = attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
  const info = tf.backend_util.computeConv2DInfo(
    a.inputShape,
    filter.shape as [number, number, number, number],
    a.strides,
    a.dilations,
    a.pad,
    a.dimRoundingMode,
    true,
  );
  const out = alloc(backend, a.inputShape.slice());
  const g = geometry(info);
  const native = nativeKernels(backend);
  if (native) {
    native.depthwise_input_grad(ptrOf(backend, dy), ptrOf(backend, filter), ptrOf(backend, out), ...g);
    return out;
  }
  const [nb, h, w, c, cm, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl] = g;
  const oc = c * cm;
  const heap = heapF32(backend);
  const fo = offsetF32(backend, filter);
  const dxo = offsetF32(backend, out);
  heap.fill(0, dxo, dxo + nb * h * w * c);
  let go = offsetF32(backend, dy);
  for (let n = 0; n < nb; n++) {
    for (let r = 0; r < oh; r++) {
      for (let q = 0; q < ow; q++, go += oc) {
        for (let i = 0; i < kh; i++) {
          const y = r * sh + i * dh - pt;
          if (y < 0 || y >= h) continue;
          for (let j = 0; j < kw; j++) {
            const xx = q * sw + j * dw - pl;
            if (xx < 0 || xx >= w) continue;
            const o = dxo + ((n * h + y) * w + xx) * c;
            const f = fo + (i * kw + j) * oc;
            for (let k = 0; k < oc; k++) heap[o + Math.floor(k / cm)] += heap[f + k] * heap[go + k];
          }
        }
      }
    }
  }
  return out;
}
