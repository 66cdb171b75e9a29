// Shared by kernels.c and gemm.c (see kernels.c for the rules this module lives by).
#pragma once
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name)))

static inline void zero(float* p, int n) { __builtin_memset(p, 0, (unsigned)n * 4u); }
