import * as tf from '../tf';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { alloc, free, ptrOf, sizeOf, wasmTranspose, TensorInfo } from './wasm_util';
import { nativeKernels } from './native';

type MatMulFunc = (args: {
  inputs: Record<string, TensorInfo | undefined>;
  backend: BackendWasm;
  attrs: Record<string, unknown>;
}) => TensorInfo;

/**
 * Wraps the module's BatchMatMul / _FusedMatMul, which is XNNPACK only for one untransposed
 * batch; anything else runs a scalar loop (whose fused bias is also wrong for batch > 1).
 * Dense-layer gradients are exactly that case (dx = dy*W^T, dW = x^T*dy): 7.6 and
 * 7.4 ms/step for the 1600x128 layer at batch 64, versus ~1.1 ms untransposed. So:
 *  - x^T*dy (unbatched, unfused) -> native gemm_tn: 0.96 ms (XNNPACK + transpose) -> 0.46 ms;
 *  - other transposes are materialised with the XNNPACK transpose first;
 *  - unfused products against an unbatched B -> native gemm_nn, which needs no packing:
 *    XNNPACK repacks B whenever it is a new tensor, i.e. every step for weights and W^T.
 *    64x3136 by 3136x128 (generator's dense layer): 2.4 ms -> 1.0 ms;
 *  - a batched A times a shared B becomes one [B*M, K] x [K, N] product;
 *  - fully batched fused products run unfused, then add bias and activation.
 */
export function withoutTransposes(builtin: MatMulFunc): MatMulFunc {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const tA = attrs.transposeA === true;
    const tB = attrs.transposeB === true;
    const a = inputs.a!;
    const b = inputs.b!;
    // Non-float32 operands: let the built-in report them (it supports float32 only).
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return builtin(args);
    const fused =
      inputs.bias != null ||
      inputs.preluActivationWeights != null ||
      (attrs.activation != null && attrs.activation !== 'linear');
    const native = nativeKernels(backend);
    if (native && tA && !tB && !fused && batchOf(a) === 1 && batchOf(b) === 1) {
      const [m, k] = a.shape.slice(-2);
      const n = b.shape[b.shape.length - 1];
      const out = alloc(backend, a.shape.length === 3 ? [1, k, n] : [k, n]);
      native.gemm_tn(ptrOf(backend, a), ptrOf(backend, b), ptrOf(backend, out), m, k, n, 0);
      return out;
    }
    const at = tA ? swapLast2(backend, a) : a;
    const bt = tB ? swapLast2(backend, b) : b;
    const plain = { ...attrs, transposeA: false, transposeB: false };
    const [m, k] = at.shape.slice(-2);
    const n = bt.shape[bt.shape.length - 1];
    const outShape = [
      ...tf.broadcast_util.assertAndGetBroadcastShape(at.shape.slice(0, -2), bt.shape.slice(0, -2)),
      m,
      n,
    ];
    let out: TensorInfo;
    if (native && !fused && batchOf(bt) === 1) {
      // A batched A against a shared B is one [B*M, K] x [K, N] product.
      out = alloc(backend, outShape);
      native.gemm_nn(ptrOf(backend, at), ptrOf(backend, bt), ptrOf(backend, out), sizeOf(at.shape) / k, k, n);
    } else if (batchOf(at) > 1 && batchOf(bt) === 1) {
      out = builtin({
        inputs: { ...inputs, a: { ...at, shape: [1, sizeOf(at.shape) / k, k] }, b: { ...bt, shape: [1, k, n] } },
        backend,
        attrs: plain,
      });
      out.shape = outShape;
    } else if (fused && (batchOf(at) > 1 || batchOf(bt) > 1)) {
      out = builtin({ inputs: { a: at, b: bt }, backend, attrs: { ...plain, activation: 'linear' } });
      out = biasAndActivation(backend, out, inputs, attrs);
    } else {
      out = builtin({ inputs: { ...inputs, a: at, b: bt }, backend, attrs: plain });
    }
    if (tA) free(backend, at);
    if (tB) free(backend, bt);
    return out;
  };
}

function batchOf(t: TensorInfo): number {
  return sizeOf(t.shape.slice(0, -2));
}

function swapLast2(backend: BackendWasm, t: TensorInfo): TensorInfo {
  const r = t.shape.length;
  const perm = [...Array(r).keys()];
  perm[r - 2] = r - 1;
  perm[r - 1] = r - 2;
  return wasmTranspose(backend, t, perm);
}

/** Applies what _FusedMatMul would have fused, with the backend's own kernels; frees x. */
function biasAndActivation(
  backend: BackendWasm,
  x: TensorInfo,
  inputs: Record<string, TensorInfo | undefined>,
  attrs: Record<string, unknown>,
): TensorInfo {
  const run = (name: string, ins: Record<string, TensorInfo>, at: Record<string, unknown> = {}): TensorInfo => {
    const out = tf
      .getKernel(name, 'wasm')!
      .kernelFunc({ inputs: ins, backend, attrs: at as tf.NamedAttrMap }) as TensorInfo;
    free(backend, x);
    x = out;
    return out;
  };
  if (inputs.bias) run('Add', { a: x, b: inputs.bias });
  switch (attrs.activation ?? 'linear') {
    case 'linear':
      break;
    case 'relu':
      run('Relu', { x });
      break;
    case 'relu6':
      run('Relu6', { x });
      break;
    case 'elu':
      run('Elu', { x });
      break;
    case 'sigmoid':
      run('Sigmoid', { x });
      break;
    case 'leakyrelu':
      run('LeakyRelu', { x }, { alpha: attrs.leakyreluAlpha ?? 0.2 });
      break;
    case 'prelu':
      run('Prelu', { x, alpha: inputs.preluActivationWeights! });
      break;
    default:
      throw new Error(`wasm _FusedMatMul: unsupported activation ${String(attrs.activation)}`);
  }
  return x;
}
