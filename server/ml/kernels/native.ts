// Loads native/kernels.c (compiled to wasm SIMD, embedded as base64) into the tfjs wasm
// backend's own memory, so it works on tensors in place by memoryOffset. Optional by
// design: if the backend's memory is not reachable or not importable (threaded build with
// shared memory, no SIMD, a browser refusing a synchronous compile), every caller falls
// back to its plain-JS loop, which is slower but computes the same thing.
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { KERNELS_RELAXED_WASM_BASE64, KERNELS_WASM_BASE64 } from './native/kernels_wasm';

type Ptr = number;
export interface NativeKernels {
  max_pool_grad(x: Ptr, dy: Ptr, dx: Ptr, ...geometry: number[]): void;
  im2col(x: Ptr, cols: Ptr, ...geometry: number[]): void;
  col2im(cols: Ptr, dx: Ptr, ...geometry: number[]): void;
  sum_rows(x: Ptr, out: Ptr, acc64: Ptr, m: number, c: number): void;
  depthwise_filter_grad(x: Ptr, dy: Ptr, dw: Ptr, ...geometry: number[]): void;
  depthwise_input_grad(dy: Ptr, w: Ptr, dx: Ptr, ...geometry: number[]): void;
  avg_pool_grad(dy: Ptr, dx: Ptr, ...geometryAndScale: number[]): void;
  channel_affine(x: Ptr, a: Ptr, b: Ptr, y: Ptr, m: number, c: number): void;
  batch_norm_grad_sums(dy: Ptr, x: Ptr, mean: Ptr, out: Ptr, acc64: Ptr, m: number, c: number): void;
  gemm_nn(a: Ptr, b: Ptr, out: Ptr, m: number, k: number, n: number): void;
  gemm_tn(a: Ptr, b: Ptr, out: Ptr, m: number, k: number, n: number, accumulate: number): void;
}

// Minimal WebAssembly typing: the project compiles without lib.dom.
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Memory: new (d: { initial: number }) => object;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (mod: object, imports: object) => { exports: unknown };
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

let enabled = typeof process === 'undefined' || process.env?.PERCEPT_WASM_NATIVE !== '0';
let relaxedAllowed = typeof process === 'undefined' || process.env?.PERCEPT_WASM_RELAXED !== '0';
let compiled: object | null | undefined;
let compiledBuild: 'relaxed' | 'plain' | null = null;
let instances = new WeakMap<object, NativeKernels | null>();

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
    const relaxed = relaxedAllowed ? decode(KERNELS_RELAXED_WASM_BASE64) : null;
    compiledBuild = relaxed && hasRelaxedSimd(relaxed) ? 'relaxed' : 'plain';
    compiled = new WA.Module(compiledBuild === 'relaxed' ? relaxed! : decode(KERNELS_WASM_BASE64));
  } catch {
    compiled = null;
    compiledBuild = null;
  }
  return compiled;
}

function decode(base64: string): Uint8Array {
  return typeof Buffer !== 'undefined'
    ? Buffer.from(base64, 'base64')
    : Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));
}

/**
 * Whether this engine takes relaxed SIMD. Node 22 and current browsers do; Node 20's V8 has it
 * behind --experimental-wasm-relaxed-simd, which it reads when a module compiles, so it is turned
 * on here for this process (tfjs's own modules, already compiled, are untouched).
 */
function hasRelaxedSimd(bytes: Uint8Array): boolean {
  if (WA.validate(bytes)) return true;
  if (typeof process === 'undefined' || !process.versions?.node) return false;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require('node:v8') as typeof import('node:v8')).setFlagsFromString('--experimental-wasm-relaxed-simd');
  } catch {
    return false;
  }
  return WA.validate(bytes);
}

/** Which build nativeKernels loads: 'relaxed' (fused multiply-add), 'plain', or null (none). */
export function nativeKernelsBuild(): 'relaxed' | 'plain' | null {
  return enabled && compile() ? compiledBuild : null;
}

/** Tests and benches use this to compare the plain build with the relaxed one. */
export function setRelaxedSimdAllowed(on: boolean): void {
  if (on === relaxedAllowed) return;
  relaxedAllowed = on;
  compiled = undefined;
  instances = new WeakMap();
}
