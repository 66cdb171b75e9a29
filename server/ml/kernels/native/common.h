// Shared by kernels.c and gemm.c (see kernels.c for the rules this module lives by).
#pragma once
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name)))

static inline void zero(float* p, int n) { __builtin_memset(p, 0, (unsigned)n * 4u); }

// acc + a * b. Built twice (build.sh): with relaxed SIMD this is one fused multiply-add where the
// CPU has one (f32x4.relaxed_madd), else a multiply then an add, as in the plain build.
static inline v128_t madd(v128_t acc, v128_t a, v128_t b) {
#ifdef __wasm_relaxed_simd__
  return (v128_t)__builtin_wasm_relaxed_madd_f32x4((__f32x4)a, (__f32x4)b, (__f32x4)acc);
#else
  return wasm_f32x4_add(acc, wasm_f32x4_mul(a, b));
#endif
}
