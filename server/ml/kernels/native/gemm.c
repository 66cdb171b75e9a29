// Matrix products for the wasm training path; part of the module built from kernels.c.
#include "common.h"

// out[K,N] = a[M,K]^T b[M,N], all row-major (a = im2col patches or layer inputs, b = dy).
// The reduction runs over the long M axis, so neither operand is packed or transposed:
// each 4x8 output tile keeps 8 accumulators in registers while streaming a block of rows.
#define GEMM_MB 256
static void tn_tile4x8(const float* a, const float* b, float* out, int m0, int m1, int K, int N, int k, int n) {
  float* o0 = out + k * N + n;
  float* o1 = o0 + N;
  float* o2 = o1 + N;
  float* o3 = o2 + N;
  v128_t c00 = wasm_v128_load(o0), c01 = wasm_v128_load(o0 + 4);
  v128_t c10 = wasm_v128_load(o1), c11 = wasm_v128_load(o1 + 4);
  v128_t c20 = wasm_v128_load(o2), c21 = wasm_v128_load(o2 + 4);
  v128_t c30 = wasm_v128_load(o3), c31 = wasm_v128_load(o3 + 4);
  const float* ap = a + m0 * K + k;
  const float* bp = b + m0 * N + n;
  for (int m = m0; m < m1; m++, ap += K, bp += N) {
    const v128_t b0 = wasm_v128_load(bp), b1 = wasm_v128_load(bp + 4);
    v128_t s = wasm_v128_load32_splat(ap);
    c00 = madd(c00, s, b0);
    c01 = madd(c01, s, b1);
    s = wasm_v128_load32_splat(ap + 1);
    c10 = madd(c10, s, b0);
    c11 = madd(c11, s, b1);
    s = wasm_v128_load32_splat(ap + 2);
    c20 = madd(c20, s, b0);
    c21 = madd(c21, s, b1);
    s = wasm_v128_load32_splat(ap + 3);
    c30 = madd(c30, s, b0);
    c31 = madd(c31, s, b1);
  }
  wasm_v128_store(o0, c00); wasm_v128_store(o0 + 4, c01);
  wasm_v128_store(o1, c10); wasm_v128_store(o1 + 4, c11);
  wasm_v128_store(o2, c20); wasm_v128_store(o2 + 4, c21);
  wasm_v128_store(o3, c30); wasm_v128_store(o3 + 4, c31);
}

// Leftover rows of K (K % 4), e.g. the 9 = 2*4 + 1 taps of a 3x3 single-channel conv.
static void tn_tile1x8(const float* a, const float* b, float* out, int m0, int m1, int K, int N, int k, int n) {
  float* o0 = out + k * N + n;
  v128_t c00 = wasm_v128_load(o0), c01 = wasm_v128_load(o0 + 4);
  const float* ap = a + m0 * K + k;
  const float* bp = b + m0 * N + n;
  for (int m = m0; m < m1; m++, ap += K, bp += N) {
    const v128_t s = wasm_v128_load32_splat(ap);
    c00 = madd(c00, s, wasm_v128_load(bp));
    c01 = madd(c01, s, wasm_v128_load(bp + 4));
  }
  wasm_v128_store(o0, c00); wasm_v128_store(o0 + 4, c01);
}

// Edge tiles (N % 8 columns): one output at a time.
static void tn_scalar(const float* a, const float* b, float* out, int m0, int m1, int K, int N, int k, int n) {
  float s = out[k * N + n];
  for (int m = m0; m < m1; m++) s += a[m * K + k] * b[m * N + n];
  out[k * N + n] = s;
}

// accumulate != 0 adds to out instead of overwriting it (callers split long M into chunks).
EXPORT(gemm_tn)
void gemm_tn(const float* a, const float* b, float* out, int M, int K, int N, int accumulate) {
  if (!accumulate) zero(out, K * N);
  const int k4 = K & ~3, n8 = N & ~7;
  for (int m0 = 0; m0 < M; m0 += GEMM_MB) {
    const int m1 = m0 + GEMM_MB < M ? m0 + GEMM_MB : M;
    for (int k = 0; k < k4; k += 4) {
      for (int n = 0; n < n8; n += 8) tn_tile4x8(a, b, out, m0, m1, K, N, k, n);
      for (int n = n8; n < N; n++) {
        for (int kk = k; kk < k + 4; kk++) tn_scalar(a, b, out, m0, m1, K, N, kk, n);
      }
    }
    for (int k = k4; k < K; k++) {
      for (int n = 0; n < n8; n += 8) tn_tile1x8(a, b, out, m0, m1, K, N, k, n);
      for (int n = n8; n < N; n++) tn_scalar(a, b, out, m0, m1, K, N, k, n);
    }
  }
}

// out[M,N] = a[M,K] b[K,N], all row-major, no packing: XNNPACK repacks b on every call
// when b is a fresh tensor (weights after each optimizer step, W^T in backprop). K is cut
// into blocks so the 8-column strip of b being used stays in L1 across the row tiles.
#define NN_KB 256
#define NN_MB 256
static void nn_tile4x8(const float* a, const float* b, float* out, int K, int N, int m, int n, int k0, int k1) {
  float* o0 = out + m * N + n;
  float* o1 = o0 + N;
  float* o2 = o1 + N;
  float* o3 = o2 + N;
  v128_t c00 = wasm_v128_load(o0), c01 = wasm_v128_load(o0 + 4);
  v128_t c10 = wasm_v128_load(o1), c11 = wasm_v128_load(o1 + 4);
  v128_t c20 = wasm_v128_load(o2), c21 = wasm_v128_load(o2 + 4);
  v128_t c30 = wasm_v128_load(o3), c31 = wasm_v128_load(o3 + 4);
  const float* a0 = a + m * K;
  const float* a1 = a0 + K;
  const float* a2 = a1 + K;
  const float* a3 = a2 + K;
  const float* bp = b + k0 * N + n;
  for (int k = k0; k < k1; k++, bp += N) {
    const v128_t b0 = wasm_v128_load(bp), b1 = wasm_v128_load(bp + 4);
    v128_t s = wasm_v128_load32_splat(a0 + k);
    c00 = madd(c00, s, b0);
    c01 = madd(c01, s, b1);
    s = wasm_v128_load32_splat(a1 + k);
    c10 = madd(c10, s, b0);
    c11 = madd(c11, s, b1);
    s = wasm_v128_load32_splat(a2 + k);
    c20 = madd(c20, s, b0);
    c21 = madd(c21, s, b1);
    s = wasm_v128_load32_splat(a3 + k);
    c30 = madd(c30, s, b0);
    c31 = madd(c31, s, b1);
  }
  wasm_v128_store(o0, c00); wasm_v128_store(o0 + 4, c01);
  wasm_v128_store(o1, c10); wasm_v128_store(o1 + 4, c11);
  wasm_v128_store(o2, c20); wasm_v128_store(o2 + 4, c21);
  wasm_v128_store(o3, c30); wasm_v128_store(o3 + 4, c31);
}

static void nn_tile1x8(const float* a, const float* b, float* out, int K, int N, int m, int n, int k0, int k1) {
  float* o0 = out + m * N + n;
  v128_t c00 = wasm_v128_load(o0), c01 = wasm_v128_load(o0 + 4);
  const float* a0 = a + m * K;
  const float* bp = b + k0 * N + n;
  for (int k = k0; k < k1; k++, bp += N) {
    const v128_t s = wasm_v128_load32_splat(a0 + k);
    c00 = madd(c00, s, wasm_v128_load(bp));
    c01 = madd(c01, s, wasm_v128_load(bp + 4));
  }
  wasm_v128_store(o0, c00); wasm_v128_store(o0 + 4, c01);
}

EXPORT(gemm_nn)
void gemm_nn(const float* a, const float* b, float* out, int M, int K, int N) {
  zero(out, M * N);
  const int n8 = N & ~7;
  for (int k0 = 0; k0 < K; k0 += NN_KB) {
    const int k1 = k0 + NN_KB < K ? k0 + NN_KB : K;
    // Rows in blocks of NN_MB so a's block stays in L2 while every strip of b passes over it.
    for (int mb = 0; mb < M; mb += NN_MB) {
      const int me = mb + NN_MB < M ? mb + NN_MB : M;
      const int m4 = mb + ((me - mb) & ~3);
      for (int n = 0; n < n8; n += 8) {
        for (int m = mb; m < m4; m += 4) nn_tile4x8(a, b, out, K, N, m, n, k0, k1);
        for (int m = m4; m < me; m++) nn_tile1x8(a, b, out, K, N, m, n, k0, k1);
      }
      for (int n = n8; n < N; n++) {
        for (int m = mb; m < me; m++) {
          float s = out[m * N + n];
          for (int k = k0; k < k1; k++) s += a[m * K + k] * b[k * N + n];
          out[m * N + n] = s;
        }
      }
    }
  }
}
