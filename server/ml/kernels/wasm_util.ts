// Low-level access to the tfjs wasm backend for kernels: heap addresses, temporaries and
// calls into the backend's own kernels. Kernels run inside the engine (they receive and
// return TensorInfo, not Tensor), so temporaries are made with makeOutput and released
// with disposeData, never through tf.* ops (those would be tracked and taped).
import * as tf from '../tf';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

export type TensorInfo = tf.TensorInfo;

export function exportsOf(backend: BackendWasm): { HEAPU8: Uint8Array } {
  return backend.wasm as unknown as { HEAPU8: Uint8Array };
}

/** A tensor's byte address in the wasm heap (what native/kernels.c takes as a pointer). */
export function ptrOf(backend: BackendWasm, t: TensorInfo): number {
  return backend.dataIdMap.get(t.dataId)!.memoryOffset;
}

/** The whole heap as float32; index with offsetF32. Re-take it after any allocation: growth detaches it. */
export function heapF32(backend: BackendWasm): Float32Array {
  return new Float32Array(exportsOf(backend).HEAPU8.buffer);
}

/** A tensor's start index in heapF32. */
export function offsetF32(backend: BackendWasm, t: TensorInfo): number {
  return ptrOf(backend, t) >>> 2;
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Uninitialised float32 tensor on the wasm heap (malloc'd: contents are garbage). */
export function alloc(backend: BackendWasm, shape: number[]): TensorInfo {
  return backend.makeOutput(shape, 'float32');
}

export function free(backend: BackendWasm, ...ts: TensorInfo[]): void {
  for (const t of ts) backend.disposeData(t.dataId);
}

/** Transpose through the backend's kernel (XNNPACK); size-1 axes are handled there. */
export function wasmTranspose(backend: BackendWasm, x: TensorInfo, perm: number[]): TensorInfo {
  const cfg = tf.getKernel('Transpose', 'wasm')!;
  return cfg.kernelFunc({ inputs: { x }, backend, attrs: { perm } }) as TensorInfo;
}

/** a[B,M,K] x b[B,K,N] through the registered wasm BatchMatMul (XNNPACK when untransposed). */
export function wasmMatMul(backend: BackendWasm, a: TensorInfo, b: TensorInfo): TensorInfo {
  const cfg = tf.getKernel('BatchMatMul', 'wasm')!;
  return cfg.kernelFunc({
    inputs: { a, b },
    backend,
    attrs: { transposeA: false, transposeB: false },
  }) as TensorInfo;
}
