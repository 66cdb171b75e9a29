// Loads native/kernels.c (compiled to wasm SIMD, embedded as base64) into the tfjs wasm
// backend's own memory, so it works on tensors in place by memoryOffset. Optional by
// design: if the backend's memory is not reachable or not importable (threaded build with
// shared memory, no SIMD, a browser refusing a synchronous compile), every caller falls
// back to its plain-JS loop, which is slower but computes the same thing.
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { KERNELS_WASM_BASE64 } from './native/kernels_wasm';

type Ptr = number;
export interface NativeKernels {
  max_pool_grad(x: Ptr, dy: Ptr, dx: Ptr, ...geometry: number[]): void;
  im2col(x: Ptr, cols: Ptr, ...geometry: number[]): void;
  col2im(cols: Ptr, dx: Ptr, ...geometry: number[]): void;
  sum_rows(x: Ptr, out: Ptr, acc64: Ptr, m: number, c: number): void;
  depthwise_filter_grad(x: Ptr, dy: Ptr, dw: Ptr, ...geometry: number[]): void;
  depthwise_input_grad(dy: Ptr, w: Ptr, dx: Ptr, ...geometry: number[]): void;
  avg_pool_grad(dy: Ptr, dx: Ptr, ...geometryAndScale: number[]): void;
  gemm_nn(a: Ptr, b: Ptr, out: Ptr, m: number, k: number, n: number): void;
  gemm_tn(a: Ptr, b: Ptr, out: Ptr, m: number, k: number, n: number, accumulate: number): void;
}

// Minimal WebAssembly typing: the project compiles without lib.dom.
interface WasmApi {
  Memory: new (d: { initial: number }) => object;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (mod: object, imports: object) => { exports: unknown };
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

let enabled = typeof process === 'undefined' || process.env?.PERCEPT_WASM_NATIVE !== '0';
let compiled: object | null | undefined;
const instances = new WeakMap<object, NativeKernels | null>();

/** Tests use this to exercise the JS fallbacks. */
export function setNativeKernelsEnabled(on: boolean): void {
  enabled = on;
}

export function nativeKernels(backend: BackendWasm): NativeKernels | null {
  if (!enabled) return null;
  const wasm = backend.wasm as unknown as object;
  if (instances.has(wasm)) return instances.get(wasm)!;
  let kernels: NativeKernels | null = null;
  try {
    const memory = findMemory(wasm);
    const mod = compile();
    if (memory && mod) {
      const instance = new WA.Instance(mod, { env: { memory } });
      kernels = instance.exports as unknown as NativeKernels;
    }
  } catch {
    kernels = null;
  }
  instances.set(wasm, kernels);
  return kernels;
}

function findMemory(wasm: object): object | null {
  const m = wasm as { asm?: { memory?: unknown }; wasmMemory?: unknown; wasmExports?: { memory?: unknown } };
  for (const candidate of [m.asm?.memory, m.wasmExports?.memory, m.wasmMemory]) {
    if (candidate instanceof WA.Memory) return candidate as object;
  }
  return null;
}

function compile(): object | null {
  if (compiled !== undefined) return compiled;
  try {
    const bytes =
      typeof Buffer !== 'undefined'
        ? Buffer.from(KERNELS_WASM_BASE64, 'base64')
        : Uint8Array.from(atob(KERNELS_WASM_BASE64), (ch) => ch.charCodeAt(0));
    compiled = new WA.Module(bytes);
  } catch {
    compiled = null;
  }
  return compiled;
}
