// Data-movement kernels (matrix products: gemm.c) for Percept's wasm training path,
// compiled to a tiny wasm32 SIMD module that imports the tfjs wasm backend's own memory,
// so every pointer below is a tensor's memoryOffset. Rebuild with ./build.sh (clang +
// wasm-ld); the generated kernels_wasm.ts is committed. Rules that keep the module safe
// inside someone else's heap: no globals, no data segments, no stack use (only scalar
// locals), no libc. build.sh verifies the first three on the output.
//
// Why not JS: these loops are compare- or scatter-bound, and V8 compiles the compares
// to unpredictable branches (max-pool backward over 64x26x26x32: 5.1 ms in JS, 0.8 ms here).
#include "common.h"

// dx = scatter of dy to the first maximum (strict '>', row-major window scan) of each
// pooling window of x. NHWC; dx is overwritten. (Writing every tap as g-or-0 instead of
// zero-fill + scatter, for windows that tile the input, measured 15% slower.)
EXPORT(max_pool_grad)
void max_pool_grad(const float* x, const float* dy, float* dx, int nb, int h, int w, int c,
                   int oh, int ow, int sh, int sw, int fh, int fw, int dh, int dw, int pt, int pl) {
  zero(dx, nb * h * w * c);
  const int c4 = c & ~3;
  for (int b = 0; b < nb; b++) {
    for (int r = 0; r < oh; r++) {
      const int r0 = r * sh - pt;
      for (int q = 0; q < ow; q++) {
        const int q0 = q * sw - pl;
        const float* g = dy + ((b * oh + r) * ow + q) * c;
        for (int k = 0; k < c4; k += 4) {
          v128_t best = wasm_f32x4_splat(-__builtin_inff());
          v128_t at = wasm_i32x4_splat(-1);
          for (int i = 0; i < fh; i += dh) {
            const int y = r0 + i;
            if (y < 0 || y >= h) continue;
            for (int j = 0; j < fw; j += dw) {
              const int xx = q0 + j;
              if (xx < 0 || xx >= w) continue;
              const int off = ((b * h + y) * w + xx) * c + k;
              const v128_t v = wasm_v128_load(x + off);
              const v128_t gt = wasm_f32x4_gt(v, best);
              best = wasm_v128_bitselect(v, best, gt);
              at = wasm_v128_bitselect(wasm_i32x4_splat(off), at, gt);
            }
          }
          const int a0 = wasm_i32x4_extract_lane(at, 0), a1 = wasm_i32x4_extract_lane(at, 1);
          const int a2 = wasm_i32x4_extract_lane(at, 2), a3 = wasm_i32x4_extract_lane(at, 3);
          if (a0 >= 0) dx[a0] += g[k];
          if (a1 >= 0) dx[a1 + 1] += g[k + 1];
          if (a2 >= 0) dx[a2 + 2] += g[k + 2];
          if (a3 >= 0) dx[a3 + 3] += g[k + 3];
        }
        for (int k = c4; k < c; k++) {
          float best = -__builtin_inff();
          int at = -1;
          for (int i = 0; i < fh; i += dh) {
            const int y = r0 + i;
            if (y < 0 || y >= h) continue;
            for (int j = 0; j < fw; j += dw) {
              const int xx = q0 + j;
              if (xx < 0 || xx >= w) continue;
              const int off = ((b * h + y) * w + xx) * c + k;
              if (x[off] > best) { best = x[off]; at = off; }
            }
          }
          if (at >= 0) dx[at] += g[k];
        }
      }
    }
  }
}

// dx[tap] += dy[window] * scale for every in-image tap of every window (scale = 1/(fh*fw),
// the cpu backend's convention even where 'same' padding cuts a window short).
EXPORT(avg_pool_grad)
void avg_pool_grad(const float* dy, float* dx, int nb, int h, int w, int c, int oh, int ow,
                   int sh, int sw, int fh, int fw, int dh, int dw, int pt, int pl, float scale) {
  zero(dx, nb * h * w * c);
  const int c4 = c & ~3;
  const v128_t sv = wasm_f32x4_splat(scale);
  for (int b = 0; b < nb; b++) {
    for (int r = 0; r < oh; r++) {
      for (int q = 0; q < ow; q++) {
        const float* g = dy + ((b * oh + r) * ow + q) * c;
        for (int i = 0; i < fh; i += dh) {
          const int y = r * sh + i - pt;
          if (y < 0 || y >= h) continue;
          for (int j = 0; j < fw; j += dw) {
            const int xx = q * sw + j - pl;
            if (xx < 0 || xx >= w) continue;
            float* o = dx + ((b * h + y) * w + xx) * c;
            int k = 0;
            for (; k < c4; k += 4) {
              wasm_v128_store(o + k, madd(wasm_v128_load(o + k), wasm_v128_load(g + k), sv));
            }
            for (; k < c; k++) o[k] += g[k] * scale;
          }
        }
      }
    }
  }
}

// cols[(b,r,q), (i,j,ch)] = x[b, r*sh+i*dh-pt, q*sw+j*dw-pl, ch], 0 outside.
EXPORT(im2col)
void im2col(const float* x, float* cols, int nb, int h, int w, int c, int oh, int ow,
            int kh, int kw, int sh, int sw, int dh, int dw, int pt, int pl) {
  float* d = cols;
  for (int b = 0; b < nb; b++) {
    for (int r = 0; r < oh; r++) {
      for (int q = 0; q < ow; q++) {
        for (int i = 0; i < kh; i++) {
          const int y = r * sh + i * dh - pt;
          if (y < 0 || y >= h) {
            zero(d, kw * c);
            d += kw * c;
            continue;
          }
          const float* row = x + (b * h + y) * w * c;
          const int x0 = q * sw - pl;
          if (dw == 1 && x0 >= 0 && x0 + kw <= w) {
            __builtin_memcpy(d, row + x0 * c, (unsigned)(kw * c) * 4u);
            d += kw * c;
            continue;
          }
          for (int j = 0; j < kw; j++) {
            const int xx = x0 + j * dw;
            if (xx < 0 || xx >= w) zero(d, c);
            else __builtin_memcpy(d, row + xx * c, (unsigned)c * 4u);
            d += c;
          }
        }
      }
    }
  }
}

// dx[b, r*sh+i*dh-pt, q*sw+j*dw-pl, ch] += cols[(b,r,q), (i,j,ch)] (inverse of im2col).
EXPORT(col2im)
void col2im(const float* cols, float* dx, int nb, int h, int w, int c, int oh, int ow,
            int kh, int kw, int sh, int sw, int dh, int dw, int pt, int pl) {
  zero(dx, nb * h * w * c);
  const int c4 = c & ~3;
  const float* s = cols;
  for (int b = 0; b < nb; b++) {
    for (int r = 0; r < oh; r++) {
      for (int q = 0; q < ow; q++) {
        for (int i = 0; i < kh; i++) {
          const int y = r * sh + i * dh - pt;
          for (int j = 0; j < kw; j++, s += c) {
            const int xx = q * sw + j * dw - pl;
            if (y < 0 || y >= h || xx < 0 || xx >= w) continue;
            float* o = dx + ((b * h + y) * w + xx) * c;
            int k = 0;
            for (; k < c4; k += 4) {
              wasm_v128_store(o + k, wasm_f32x4_add(wasm_v128_load(o + k), wasm_v128_load(s + k)));
            }
            for (; k < c; k++) o[k] += s[k];
          }
        }
      }
    }
  }
}

// out[j] = sum_i x[i*c + j] for a row-major [m, c] matrix. Blocks of 64 rows are summed in
// float32, blocks are combined in float64 (acc64: c doubles of scratch), so the error does
// not grow with m (bias gradients reduce over N*H*W, ~43k rows in the benchmark CNN).
EXPORT(sum_rows)
void sum_rows(const float* x, float* out, double* acc64, int m, int c) {
  for (int j = 0; j < c; j++) acc64[j] = 0;
  const int c4 = c & ~3;
  for (int i0 = 0; i0 < m; i0 += 64) {
    const int i1 = i0 + 64 < m ? i0 + 64 : m;
    zero(out, c);
    for (int i = i0; i < i1; i++) {
      const float* row = x + i * c;
      int j = 0;
      for (; j < c4; j += 4) {
        wasm_v128_store(out + j, wasm_f32x4_add(wasm_v128_load(out + j), wasm_v128_load(row + j)));
      }
      for (; j < c; j++) out[j] += row[j];
    }
    for (int j = 0; j < c; j++) acc64[j] += out[j];
  }
  for (int j = 0; j < c; j++) out[j] = (float)acc64[j];
}

// Depthwise filter gradient, channel multiplier cm, NHWC x and dy, dW [kh,kw,c,cm]
// overwritten: dW[i,j,ch,mm] = sum x[b,y,xx,ch] * dy[b,r,q,ch*cm+mm].
EXPORT(depthwise_filter_grad)
void depthwise_filter_grad(const float* x, const float* dy, float* dwt, int nb, int h, int w,
                           int c, int cm, int oh, int ow, int kh, int kw, int sh, int sw,
                           int dh, int dw, int pt, int pl) {
  const int oc = c * cm;
  zero(dwt, kh * kw * oc);
  const int c4 = cm == 1 ? (c & ~3) : 0;
  for (int b = 0; b < nb; b++) {
    for (int r = 0; r < oh; r++) {
      for (int q = 0; q < ow; q++) {
        const float* g = dy + ((b * oh + r) * ow + q) * oc;
        for (int i = 0; i < kh; i++) {
          const int y = r * sh + i * dh - pt;
          if (y < 0 || y >= h) continue;
          for (int j = 0; j < kw; j++) {
            const int xx = q * sw + j * dw - pl;
            if (xx < 0 || xx >= w) continue;
            const float* xp = x + ((b * h + y) * w + xx) * c;
            float* o = dwt + (i * kw + j) * oc;
            int k = 0;
            for (; k < c4; k += 4) {
              wasm_v128_store(o + k, madd(wasm_v128_load(o + k), wasm_v128_load(xp + k), wasm_v128_load(g + k)));
            }
            for (; k < oc; k++) o[k] += xp[k / cm] * g[k];
          }
        }
      }
    }
  }
}

// Depthwise input gradient: dx[b,y,xx,ch] = sum_{i,j,mm} dy[b,r,q,ch*cm+mm] * W[i,j,ch,mm].
EXPORT(depthwise_input_grad)
void depthwise_input_grad(const float* dy, const float* wt, float* dx, int nb, int h, int w,
                          int c, int cm, int oh, int ow, int kh, int kw, int sh, int sw,
                          int dh, int dw, int pt, int pl) {
  const int oc = c * cm;
  zero(dx, nb * h * w * c);
  const int c4 = cm == 1 ? (c & ~3) : 0;
  for (int b = 0; b < nb; b++) {
    for (int r = 0; r < oh; r++) {
      for (int q = 0; q < ow; q++) {
        const float* g = dy + ((b * oh + r) * ow + q) * oc;
        for (int i = 0; i < kh; i++) {
          const int y = r * sh + i * dh - pt;
          if (y < 0 || y >= h) continue;
          for (int j = 0; j < kw; j++) {
            const int xx = q * sw + j * dw - pl;
            if (xx < 0 || xx >= w) continue;
            float* o = dx + ((b * h + y) * w + xx) * c;
            const float* f = wt + (i * kw + j) * oc;
            int k = 0;
            for (; k < c4; k += 4) {
              wasm_v128_store(o + k, madd(wasm_v128_load(o + k), wasm_v128_load(f + k), wasm_v128_load(g + k)));
            }
            if (cm == 1) {
              for (; k < c; k++) o[k] += f[k] * g[k];
            } else {
              for (int ch = 0; ch < c; ch++) {
                float s = 0;
                for (int mm = 0; mm < cm; mm++) s += f[ch * cm + mm] * g[ch * cm + mm];
                o[ch] += s;
              }
            }
          }
        }
      }
    }
  }
}

// Batch norm's forward pass as one per-channel affine map over rows of c channels:
// y = x·a + b, with a = γ/√(σ² + ε) and b = β − μ·a per channel (the caller's). The module's
// FusedBatchNorm is a scalar loop with an index division per element (64×28×28×32 at batch 64:
// about 5 ms; here a fraction of one).
EXPORT(channel_affine)
void channel_affine(const float* x, const float* a, const float* b, float* y, int m, int c) {
  const int c4 = c & ~3;
  for (int i = 0; i < m; i++) {
    const float* row = x + i * c;
    float* out = y + i * c;
    int j = 0;
    for (; j < c4; j += 4) {
      wasm_v128_store(out + j, madd(wasm_v128_load(b + j), wasm_v128_load(row + j), wasm_v128_load(a + j)));
    }
    for (; j < c; j++) out[j] = row[j] * a[j] + b[j];
  }
}

// Batch norm's gradient sums in one pass over rows of c channels: out[j] = Σ dy[i,j] and
// out[c + j] = Σ dy[i,j]·(x[i,j] − μ[j]) — in tfjs ops a Sub, a Multiply and two Sums, each a
// pass over the activations. Blocks of 64 rows in float32, combined in float64 (acc64: 2c
// doubles) as in sum_rows.
EXPORT(batch_norm_grad_sums)
void batch_norm_grad_sums(const float* dy, const float* x, const float* mean, float* out,
                          double* acc64, int m, int c) {
  for (int j = 0; j < 2 * c; j++) acc64[j] = 0;
  const int c4 = c & ~3;
  float* s = out;
  float* sc = out + c;
  for (int i0 = 0; i0 < m; i0 += 64) {
    const int i1 = i0 + 64 < m ? i0 + 64 : m;
    zero(out, 2 * c);
    for (int i = i0; i < i1; i++) {
      const float* g = dy + i * c;
      const float* v = x + i * c;
      int j = 0;
      for (; j < c4; j += 4) {
        const v128_t gj = wasm_v128_load(g + j);
        const v128_t centred = wasm_f32x4_sub(wasm_v128_load(v + j), wasm_v128_load(mean + j));
        wasm_v128_store(s + j, wasm_f32x4_add(wasm_v128_load(s + j), gj));
        wasm_v128_store(sc + j, madd(wasm_v128_load(sc + j), gj, centred));
      }
      for (; j < c; j++) {
        s[j] += g[j];
        sc[j] += g[j] * (v[j] - mean[j]);
      }
    }
    for (int j = 0; j < 2 * c; j++) acc64[j] += out[j];
  }
  for (int j = 0; j < 2 * c; j++) out[j] = (float)acc64[j];
}
