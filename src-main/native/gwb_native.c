/*
 * Native matrix kernels for the WebAssembly training backend.
 *
 * WebAssembly SIMD is 128 bits wide without fused multiply-add, so XNNPACK in wasm runs matrix
 * products and convolutions ~4× slower per core than an AVX2+FMA BLAS (measured by `npm run bench`).
 * This addon multiplies with the machine's optimised BLAS instead, found at run time with dlopen
 * (OpenBLAS, BLIS, MKL or Apple Accelerate): nothing is linked at build time, so it builds with a
 * bare C compiler and the app falls back to wasm kernels where no such library exists.
 *
 * Every function works in place on Float32Arrays, views of the wasm heap (a SharedArrayBuffer with
 * wasm threads): no copy between JS, wasm and native memory. Layouts are tfjs': NHWC activations,
 * [KH, KW, Cin, Cout] filters, row-major matrices. Convolutions are lowered to GEMM per block of
 * output pixels (im2col / col2im), as PyTorch's CPU convolutions without oneDNN are.
 */
#include "gwb_native.h"
#include <stdlib.h>
#include <math.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include <stdint.h>
#include <string.h>

#ifdef _WIN32
#include <windows.h>
#define OPEN_LIB(p) ((void *)LoadLibraryA(p))
#define LIB_SYM(h, s) ((void *)GetProcAddress((HMODULE)(h), s))
#else
#include <dlfcn.h>
#define OPEN_LIB(p) dlopen(p, RTLD_NOW | RTLD_LOCAL)
#define LIB_SYM(h, s) dlsym(h, s)
#endif

enum { ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112 };
typedef void (*sgemm_fn)(int, int, int, int, int, int, float, const float *, int, const float *, int, float, float *, int);
typedef void (*set_threads_fn)(int);
typedef char *(*config_fn)(void);

static sgemm_fn blas_sgemm = NULL;
static set_threads_fn set_threads = NULL;
static int max_threads = 1, current_threads = 0;

/*
 * Products under 32M multiply-adds run on one BLAS thread. Measured (OpenBLAS 0.3.21, 2 cores): a
 * second thread gains nothing on small products (256×128×128: 134 µs on one, 150 on two), and a
 * woken OpenBLAS thread then spins for a while, taking the other core: the MLP GAN (products of
 * ~8M) ran at 83–99 iterations/s with an 8M threshold and 115–121 with 32M. A convolution's chunk
 * (1M floats of columns times Co) stays above it for Co ≥ 32.
 */
#define SMALL_GEMM 32e6

static void use_blas_threads(int threads) {
  if (set_threads && threads != current_threads) {
    set_threads(threads);
    current_threads = threads;
  }
}

static void sgemm(int order, int ta, int tb, int m, int n, int k, float alpha, const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc) {
  use_blas_threads((double)m * n * k < SMALL_GEMM ? 1 : max_threads);
  blas_sgemm(order, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
static char library[512] = "";

/* One scratch buffer for output columns, grown on demand (calls come from one JS thread). */
static float *scratch = NULL;
static size_t scratch_len = 0;
/*
 * Columns per chunk when one thread drives a multi-threaded BLAS (output columns, or a team of
 * one): 1M floats (4 MB). Measured against 0.25–32M on this project's conv shapes (2 OpenBLAS
 * threads): chunks that stay in cache ran the GEMM at ~100 GFLOP/s, 8M-float chunks at 55–80.
 */
#define CHUNK_FLOATS ((size_t)1 << 20)

/*
 * Element-wise loops over at least PARALLEL_ELEMENTS values (2 MB of floats) split between the
 * OpenMP threads; shorter ones (the MLP GAN's 256×128) stay on the calling thread, where waking a
 * sleeping thread would cost more than the loop. AC-GAN's largest (64×28×28×64, and Adam on the
 * 627k weights of its dense layer) were ~15 ms of its step on one thread.
 */
#define PARALLEL_ELEMENTS ((size_t)1 << 19)

/* A second one for the filter rearranged per input channel (or its gradient). */
static float *filter_scratch = NULL;
static size_t filter_scratch_len = 0;

static float *grow(float **buffer, size_t *have, size_t len) {
  if (len > *have) {
    float *grown = realloc(*buffer, len * sizeof(float));
    if (!grown) return NULL;
    *buffer = grown;
    *have = len;
  }
  return *buffer;
}

static float *scratch_of(size_t len) { return grow(&scratch, &scratch_len, len); }

/* One scratch buffer per thread of a team (see conv_team and team_ready). */
#define MAX_TEAM 64
static float *team_scratch[MAX_TEAM];
static size_t team_scratch_len[MAX_TEAM];

/* Readies a team: `len` floats of scratch per thread and, for more than one, a one-thread BLAS; 0 when memory runs out. */
static int team_ready(int team, size_t len) {
  for (int t = 0; t < team; t++) {
    if (!grow(&team_scratch[t], &team_scratch_len[t], len)) return 0;
  }
  if (team > 1) use_blas_threads(1);
  return 1;
}

/* 1 for NaN and ±∞ (all exponent bits set), without a branch. */
static inline uint32_t nonfinite(float v) { return (bits_of(v) & 0x7f800000u) == 0x7f800000u; }

static int any_nonfinite(const float *v, size_t n) {
  uint32_t bad = 0;
  for (size_t i = 0; i < n; i++) bad |= nonfinite(v[i]);
  return bad != 0;
}

/* ---- argument helpers ---------------------------------------------------------------------- */

static napi_value throw_error(napi_env env, const char *msg) {
  napi_throw_error(env, NULL, msg);
  return NULL;
}

static int get_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = want;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < want) {
    napi_throw_error(env, NULL, "gwb_native: too few arguments");
    return 0;
  }
  return 1;
}

/* A typed array's data with at least `need` elements, or NULL (and a pending JS error). */
static void *typed(napi_env env, napi_value v, napi_typedarray_type want, size_t need, size_t *length_out) {
  bool is_typed = false;
  napi_is_typedarray(env, v, &is_typed);
  napi_typedarray_type type;
  size_t length = 0;
  void *data = NULL;
  if (is_typed) napi_get_typedarray_info(env, v, &type, &length, &data, NULL, NULL);
  if (!is_typed || type != want) {
    napi_throw_type_error(env, NULL, want == napi_uint8_array ? "gwb_native: expected a Uint8Array" : "gwb_native: expected a Float32Array");
    return NULL;
  }
  if (length < need) {
    napi_throw_range_error(env, NULL, "gwb_native: array shorter than the shape says");
    return NULL;
  }
  if (length_out) *length_out = length;
  return data;
}

static float *floats(napi_env env, napi_value v, size_t need) { return (float *)typed(env, v, napi_float32_array, need, NULL); }

static int ints(napi_env env, const napi_value *argv, size_t count, int *out) {
  for (size_t i = 0; i < count; i++) {
    if (napi_get_value_int32(env, argv[i], &out[i]) != napi_ok || out[i] < 0) {
      napi_throw_type_error(env, NULL, "gwb_native: expected a non-negative integer");
      return 0;
    }
  }
  return 1;
}

/* ---- loading the BLAS ------------------------------------------------------------------------ */

/* load(paths: string[]) → the path that provides cblas_sgemm, or null. */
static napi_value load(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!get_args(env, info, 1, argv)) return NULL;
  uint32_t count = 0;
  napi_get_array_length(env, argv[0], &count);
  for (uint32_t i = 0; i < count && !blas_sgemm; i++) {
    napi_value item;
    char path[512];
    size_t len;
    napi_get_element(env, argv[0], i, &item);
    if (napi_get_value_string_utf8(env, item, path, sizeof path, &len) != napi_ok) continue;
    void *handle = OPEN_LIB(path);
    if (!handle) continue;
    blas_sgemm = (sgemm_fn)LIB_SYM(handle, "cblas_sgemm");
    if (!blas_sgemm) continue;
    set_threads = (set_threads_fn)LIB_SYM(handle, "openblas_set_num_threads");
    if (!set_threads) set_threads = (set_threads_fn)LIB_SYM(handle, "MKL_Set_Num_Threads");
    if (!set_threads) set_threads = (set_threads_fn)LIB_SYM(handle, "bli_thread_set_num_threads");
    config_fn config = (config_fn)LIB_SYM(handle, "openblas_get_config");
    if (config) {
      strncpy(library, config(), sizeof library - 1);
    } else {
      strncpy(library, path, sizeof library - 1);
    }
  }
  napi_value result;
  if (blas_sgemm) {
    napi_create_string_utf8(env, library, NAPI_AUTO_LENGTH, &result);
  } else {
    napi_get_null(env, &result);
  }
  return result;
}

/* setThreads(n) → whether the library lets us set its thread count. */
static napi_value set_thread_count(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int n;
  if (!get_args(env, info, 1, argv) || !ints(env, argv, 1, &n)) return NULL;
  if (n > 0) max_threads = n;
  current_threads = 0;
#ifdef _OPENMP
  if (n > 0) omp_set_num_threads(n);
#endif

  napi_value result;
  napi_get_boolean(env, set_threads != NULL, &result);
  return result;
}

/* ---- matrix products ------------------------------------------------------------------------- */

/*
 * gemm(a, b, c, batch, m, n, k, transA, transB, strideA, strideB, bias, relu):
 * c[i] = op(a[i])·op(b[i]) (+ bias row, then max(0, ·)) for i < batch; a stride of 0 broadcasts.
 * `bias` is a Float32Array of n values or null.
 */
static napi_value gemm(napi_env env, napi_callback_info info) {
  napi_value argv[13];
  int v[9];
  if (!blas_sgemm) return throw_error(env, "gwb_native: no BLAS loaded");
  if (!get_args(env, info, 13, argv) || !ints(env, argv + 3, 8, v)) return NULL;
  int batch = v[0], m = v[1], n = v[2], k = v[3], trans_a = v[4], trans_b = v[5], stride_a = v[6], stride_b = v[7];
  bool relu = false;
  napi_get_value_bool(env, argv[12], &relu);
  napi_valuetype bias_type;
  napi_typeof(env, argv[11], &bias_type);
  size_t last = batch > 0 ? (size_t)(batch - 1) : 0;
  float *a = floats(env, argv[0], last * stride_a + (size_t)m * k);
  float *b = a ? floats(env, argv[1], last * stride_b + (size_t)k * n) : NULL;
  float *c = b ? floats(env, argv[2], (size_t)batch * m * n) : NULL;
  float *bias = NULL;
  if (c && bias_type != napi_null && bias_type != napi_undefined) bias = floats(env, argv[11], (size_t)n);
  if (!c || (bias_type != napi_null && bias_type != napi_undefined && !bias)) return NULL;
  for (int i = 0; i < batch; i++) {
    float *ci = c + (size_t)i * m * n;
    if (bias) {
      for (int r = 0; r < m; r++) memcpy(ci + (size_t)r * n, bias, (size_t)n * sizeof(float));
    }
    if (m > 0 && n > 0) {
      if (k > 0) {
        sgemm(ROW_MAJOR, trans_a ? TRANS : NO_TRANS, trans_b ? TRANS : NO_TRANS, m, n, k, 1.0f, a + (size_t)i * stride_a, trans_a ? m : k,
              b + (size_t)i * stride_b, trans_b ? k : n, bias ? 1.0f : 0.0f, ci, n);
      } else if (!bias) {
        memset(ci, 0, (size_t)m * n * sizeof(float));
      }
    }
    if (relu) {
      for (size_t j = 0; j < (size_t)m * n; j++) ci[j] = relu_of(ci[j]);
    }
  }
  return NULL;
}

/* ---- convolutions ---------------------------------------------------------------------------- */

typedef struct {
  int n, h, w, c;         /* input */
  int kh, kw, co;         /* filter */
  int oh, ow;             /* output */
  int sh, sw, pt, pl;     /* strides, top and left padding */
} Geometry;

static int geometry(napi_env env, const napi_value *argv, Geometry *g) {
  int v[13];
  if (!ints(env, argv, 13, v)) return 0;
  *g = (Geometry){v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12]};
  if (g->sh < 1 || g->sw < 1) {
    napi_throw_range_error(env, NULL, "gwb_native: strides must be positive");
    return 0;
  }
  return 1;
}

static size_t patch_len(const Geometry *g) { return (size_t)g->kh * g->kw * g->c; }

/*
 * Two lowerings of a convolution to GEMM. "Input columns" (im2col) give each output pixel a row of
 * the KH·KW·C input values it reads: a GEMM against the filter [KH·KW·C, Co]. "Output columns"
 * give each input pixel a row of KH·KW·Co values, one per tap and output channel: a GEMM of the
 * input [H·W, C] against the filter rearranged to [C, KH·KW·Co], then a gather or scatter over the
 * taps. The first buffers OH·OW·KH·KW·C floats per image, the second H·W·KH·KW·Co, and with a
 * stride the second multiplies by taps no output uses. Output columns win for few output channels:
 * the 7×7 convolution to one channel that ends the reference DCGAN generator buffered 1.2 GB of
 * input columns per batch (0.3–0.5 s per call) against 10 MB of output columns.
 */
static int output_columns(const Geometry *g) {
  const double memory = 16; /* a buffered float's cost in multiply-adds, roughly */
  double in_cols = (double)g->oh * g->ow * patch_len(g) * (2.0 * g->co + memory);
  double out_cols = (double)g->h * g->w * g->kh * g->kw * g->co * (2.0 * g->c + memory);
  return out_cols < in_cols;
}

static size_t columns_per_image(const Geometry *g) {
  return output_columns(g) ? (size_t)g->h * g->w * g->kh * g->kw * g->co : (size_t)g->oh * g->ow * patch_len(g);
}

/* Images per chunk so that a chunk's columns fit CHUNK_FLOATS (at least one image). */
static int images_per_chunk(const Geometry *g) {
  size_t per_image = columns_per_image(g);
  size_t images = per_image ? CHUNK_FLOATS / per_image : (size_t)g->n;
  if (images < 1) images = 1;
  return images > (size_t)g->n ? g->n : (int)images;
}

/*
 * The im2col lowering works on blocks of output pixels, numbered across the batch, whose columns
 * (BLOCK_FLOATS) stay in cache, and splits the blocks between a team of threads: each thread lowers
 * and multiplies its own blocks with a one-thread BLAS. Measured on AC-GAN's 3×3 convolutions
 * (64×28×28×128 → 64 and 64×14×14×128 → 128, OpenBLAS, 2 cores): 105–120 GFLOP/s, against 76–98
 * for one image at a time with both BLAS threads on each product. OpenBLAS's idle threads spin
 * 2^16 cycles instead of 2^28 and OpenMP's wait passively (native-blas.ts sets both): spinning
 * threads of either library took the core the other needed.
 */
#define BLOCK_FLOATS ((size_t)1 << 18)

/*
 * Rows per block: cache-sized for a team; a thread alone (no OpenMP, one core, one image to take
 * apart) takes CHUNK_FLOATS of columns, products big enough for the BLAS to thread (SMALL_GEMM).
 */
static size_t rows_per_block(const Geometry *g, int team) {
  size_t rows = (team > 1 ? BLOCK_FLOATS : CHUNK_FLOATS) / patch_len(g);
  return rows ? rows : 1;
}

/* Threads for `units` independent pieces of work (1 without OpenMP, or without a way to keep the BLAS on one thread). */
static int conv_team(size_t units) {
#ifdef _OPENMP
  size_t team = set_threads ? (size_t)max_threads : 1;
  if (team > units) team = units;
  if (team > MAX_TEAM) team = MAX_TEAM;
  return team < 1 ? 1 : (int)team;
#else
  (void)units;
  return 1;
#endif
}

/* A product made by one thread of a team: on one BLAS thread; a team of one uses the usual rule. */
static void team_sgemm(int team, int ta, int tb, int m, int n, int k, const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc) {
  if (team > 1) {
    blas_sgemm(ROW_MAJOR, ta, tb, m, n, k, 1.0f, a, lda, b, ldb, beta, c, ldc);
  } else {
    sgemm(ROW_MAJOR, ta, tb, m, n, k, 1.0f, a, lda, b, ldb, beta, c, ldc);
  }
}

/* Rows [q0, q1) of the column matrix: one row per output pixel (numbered across images), (kh, kw, c) per row. */
static void im2col(const Geometry *g, const float *x, size_t q0, size_t q1, float *cols) {
  size_t K = patch_len(g), run = (size_t)g->c, pixels = (size_t)g->oh * g->ow;
  for (size_t q = q0; q < q1; q++) {
    size_t b = q / pixels, p = q % pixels;
    int oy = (int)(p / g->ow), ox = (int)(p % g->ow);
    const float *img = x + b * g->h * g->w * g->c;
    float *dst = cols + (q - q0) * K;
    for (int i = 0; i < g->kh; i++) {
      int iy = oy * g->sh - g->pt + i;
      for (int j = 0; j < g->kw; j++, dst += run) {
        int ix = ox * g->sw - g->pl + j;
        if (iy < 0 || iy >= g->h || ix < 0 || ix >= g->w) {
          memset(dst, 0, run * sizeof(float));
        } else {
          memcpy(dst, img + ((size_t)iy * g->w + ix) * run, run * sizeof(float));
        }
      }
    }
  }
}

/* Adds rows [q0, q1) of the column matrix back to the input pixels they were read from. */
static void col2im(const Geometry *g, const float *cols, size_t q0, size_t q1, float *dx) {
  size_t K = patch_len(g), run = (size_t)g->c, pixels = (size_t)g->oh * g->ow;
  for (size_t q = q0; q < q1; q++) {
    size_t b = q / pixels, p = q % pixels;
    int oy = (int)(p / g->ow), ox = (int)(p % g->ow);
    float *img = dx + b * g->h * g->w * g->c;
    const float *src = cols + (q - q0) * K;
    for (int i = 0; i < g->kh; i++) {
      int iy = oy * g->sh - g->pt + i;
      for (int j = 0; j < g->kw; j++, src += run) {
        int ix = ox * g->sw - g->pl + j;
        if (iy < 0 || iy >= g->h || ix < 0 || ix >= g->w) continue;
        float *dst = img + ((size_t)iy * g->w + ix) * run;
        for (size_t c = 0; c < run; c++) dst[c] += src[c];
      }
    }
  }
}

/* The filter [T, C, Co] (T = KH·KW taps) rearranged to [C, T, Co]; `back` does the reverse. */
static void filter_by_channel(const Geometry *g, float *w, float *wt, int back) {
  size_t taps = (size_t)g->kh * g->kw, co = (size_t)g->co;
  for (size_t t = 0; t < taps; t++) {
    for (size_t c = 0; c < (size_t)g->c; c++) {
      float *by_tap = w + (t * g->c + c) * co;
      float *by_channel = wt + (c * taps + t) * co;
      if (back) {
        memcpy(by_tap, by_channel, co * sizeof(float));
      } else {
        memcpy(by_channel, by_tap, co * sizeof(float));
      }
    }
  }
}

/* y[o] (+)= Σ over taps of the output columns p[input pixel read by o through that tap, tap]. */
static void gather_taps(const Geometry *g, const float *p, int b0, int nb, float *y) {
  size_t co = (size_t)g->co, row = (size_t)g->kh * g->kw * co;
#pragma omp parallel for
  for (int b = 0; b < nb; b++) {
    const float *img = p + (size_t)b * g->h * g->w * row;
    for (int oy = 0; oy < g->oh; oy++) {
      for (int ox = 0; ox < g->ow; ox++) {
        float *dst = y + (((size_t)(b0 + b) * g->oh + oy) * g->ow + ox) * co;
        for (int i = 0; i < g->kh; i++) {
          int iy = oy * g->sh - g->pt + i;
          if (iy < 0 || iy >= g->h) continue;
          for (int j = 0; j < g->kw; j++) {
            int ix = ox * g->sw - g->pl + j;
            if (ix < 0 || ix >= g->w) continue;
            const float *src = img + ((size_t)iy * g->w + ix) * row + ((size_t)i * g->kw + j) * co;
            for (size_t q = 0; q < co; q++) dst[q] += src[q];
          }
        }
      }
    }
  }
}

/* Output columns of dy: for each input pixel and tap, dy at the output that reads it there (or 0). */
static void dy_columns(const Geometry *g, const float *dy, int b0, int nb, float *cols) {
  size_t co = (size_t)g->co;
#pragma omp parallel for
  for (int b = b0; b < b0 + nb; b++) {
    float *dst = cols + (size_t)(b - b0) * g->h * g->w * g->kh * g->kw * co;
    const float *img = dy + (size_t)b * g->oh * g->ow * co;
    for (int iy = 0; iy < g->h; iy++) {
      for (int ix = 0; ix < g->w; ix++) {
        for (int i = 0; i < g->kh; i++) {
          int ny = iy + g->pt - i, oy = ny / g->sh;
          int row_ok = ny >= 0 && ny % g->sh == 0 && oy < g->oh;
          for (int j = 0; j < g->kw; j++, dst += co) {
            int nx = ix + g->pl - j, ox = nx / g->sw;
            if (row_ok && nx >= 0 && nx % g->sw == 0 && ox < g->ow) {
              memcpy(dst, img + ((size_t)oy * g->ow + ox) * co, co * sizeof(float));
            } else {
              memset(dst, 0, co * sizeof(float));
            }
          }
        }
      }
    }
  }
}

/* True when the column matrix is the input itself: 1×1 filter, stride 1, no padding. */
static int pointwise(const Geometry *g) {
  return g->kh == 1 && g->kw == 1 && g->sh == 1 && g->sw == 1 && g->pt == 0 && g->pl == 0 && g->oh == g->h && g->ow == g->w;
}

typedef struct {
  Geometry g;
  float *x, *w, *y; /* input [n,h,w,c], filter [kh,kw,c,co], output [n,oh,ow,co] */
} ConvArgs;

/* Arguments: (x, w, y, n, h, w, c, kh, kw, co, oh, ow, sh, sw, pt, pl). */
static int conv_args(napi_env env, napi_callback_info info, ConvArgs *a) {
  napi_value argv[16];
  if (!blas_sgemm) {
    napi_throw_error(env, NULL, "gwb_native: no BLAS loaded");
    return 0;
  }
  if (!get_args(env, info, 16, argv) || !geometry(env, argv + 3, &a->g)) return 0;
  const Geometry *g = &a->g;
  a->x = floats(env, argv[0], (size_t)g->n * g->h * g->w * g->c);
  a->w = a->x ? floats(env, argv[1], patch_len(g) * g->co) : NULL;
  a->y = a->w ? floats(env, argv[2], (size_t)g->n * g->oh * g->ow * g->co) : NULL;
  return a->y != NULL;
}

/* Adds a per-channel bias to `rows` rows of `co` values, then clamps at 0 when `relu`. */
static void bias_relu(float *y, size_t rows, int co, const float *bias, bool relu) {
  if (!bias && !relu) return;
  for (size_t r = 0; r < rows; r++) {
    float *row = y + r * co;
    if (bias) {
      for (int q = 0; q < co; q++) row[q] += bias[q];
    }
    if (relu) {
      for (int q = 0; q < co; q++) row[q] = relu_of(row[q]);
    }
  }
}

/* ---- direct sums: the reference where a value is not finite ---------------------------------- */
/*
 * The GEMM lowerings multiply padding, and taps no output uses, as zeros: with an infinite or NaN
 * filter value (or dy, or x, in the gradients) 0·∞ is NaN where the direct sum, which skips those
 * terms, has none; Winograd's transforms mix a tile's pixels, so one ∞ made NaN of its neighbours'
 * outputs. With finite values every lowering equals the direct sum up to rounding, and a
 * non-finite direct sum is non-finite in every lowering (an ∞ or NaN term never cancels). So a fast
 * path whose output, or whose extra terms' operand, holds a NaN or an infinity hands the call to
 * these loops: the terms of tfjs' cpu kernels, NaN and ∞ exactly where they have them. Rows are
 * split between the OpenMP threads; the innermost loop runs along channels, so it vectorises.
 */

/* y = Σ over the taps that fall inside the image of x·w, + bias, then ReLU. */
static void direct_conv(const Geometry *g, const float *x, const float *w, const float *bias, bool relu, float *y) {
  size_t co = (size_t)g->co;
#pragma omp parallel for
  for (int row = 0; row < g->n * g->oh; row++) {
    int b = row / g->oh, oy = row % g->oh;
    for (int ox = 0; ox < g->ow; ox++) {
      float *dst = y + ((size_t)row * g->ow + ox) * co;
      memset(dst, 0, co * sizeof(float));
      for (int i = 0; i < g->kh; i++) {
        int iy = oy * g->sh - g->pt + i;
        if (iy < 0 || iy >= g->h) continue;
        for (int j = 0; j < g->kw; j++) {
          int ix = ox * g->sw - g->pl + j;
          if (ix < 0 || ix >= g->w) continue;
          const float *px = x + (((size_t)b * g->h + iy) * g->w + ix) * g->c;
          const float *tap = w + ((size_t)i * g->kw + j) * g->c * co;
          for (int c = 0; c < g->c; c++) {
            float xv = px[c];
            const float *wc = tap + (size_t)c * co;
            for (size_t q = 0; q < co; q++) dst[q] += xv * wc[q];
          }
        }
      }
      bias_relu(dst, 1, g->co, bias, relu);
    }
  }
}

/* dx = Σ over the outputs each input pixel reaches of dy·wᵀ. */
static void direct_conv_input_grad(const Geometry *g, float *dx, const float *w, const float *dy) {
  size_t co = (size_t)g->co;
#pragma omp parallel for
  for (int row = 0; row < g->n * g->h; row++) {
    int b = row / g->h, iy = row % g->h;
    for (int ix = 0; ix < g->w; ix++) {
      float *dst = dx + ((size_t)row * g->w + ix) * g->c;
      memset(dst, 0, (size_t)g->c * sizeof(float));
      for (int i = 0; i < g->kh; i++) {
        int ny = iy + g->pt - i;
        if (ny < 0 || ny % g->sh != 0 || ny / g->sh >= g->oh) continue;
        for (int j = 0; j < g->kw; j++) {
          int nx = ix + g->pl - j;
          if (nx < 0 || nx % g->sw != 0 || nx / g->sw >= g->ow) continue;
          const float *d = dy + (((size_t)b * g->oh + ny / g->sh) * g->ow + nx / g->sw) * co;
          const float *tap = w + ((size_t)i * g->kw + j) * g->c * co;
          for (int c = 0; c < g->c; c++) {
            const float *wc = tap + (size_t)c * co;
            float acc = 0;
            for (size_t q = 0; q < co; q++) acc += d[q] * wc[q];
            dst[c] += acc;
          }
        }
      }
    }
  }
}

/* dw = Σ over output pixels of x (at the pixel each tap reads, inside the image)ᵀ·dy. */
static void direct_conv_filter_grad(const Geometry *g, const float *x, float *dw, const float *dy) {
  size_t co = (size_t)g->co;
#pragma omp parallel for
  for (int tap = 0; tap < g->kh * g->kw; tap++) {
    int i = tap / g->kw, j = tap % g->kw;
    float *dst = dw + (size_t)tap * g->c * co;
    memset(dst, 0, (size_t)g->c * co * sizeof(float));
    for (int b = 0; b < g->n; b++) {
      for (int oy = 0; oy < g->oh; oy++) {
        int iy = oy * g->sh - g->pt + i;
        if (iy < 0 || iy >= g->h) continue;
        for (int ox = 0; ox < g->ow; ox++) {
          int ix = ox * g->sw - g->pl + j;
          if (ix < 0 || ix >= g->w) continue;
          const float *px = x + (((size_t)b * g->h + iy) * g->w + ix) * g->c;
          const float *d = dy + (((size_t)b * g->oh + oy) * g->ow + ox) * co;
          for (int c = 0; c < g->c; c++) {
            float xv = px[c];
            float *dc = dst + (size_t)c * co;
            for (size_t q = 0; q < co; q++) dc[q] += xv * d[q];
          }
        }
      }
    }
  }
}

/* ---- Winograd F(2×2, 3×3) ------------------------------------------------------------------- */
/*
 * 3×3 convolutions with stride 1 (and the input gradient of one, itself such a convolution) in
 * Winograd's minimal filtering F(2×2, 3×3) (Lavin & Gray 2015, as cuDNN and oneDNN use it): each
 * 2×2 block of outputs takes 16 multiplications per channel pair instead of 36. The input is cut
 * into 4×4 tiles overlapping by 2, each tile and the filter go through small fixed transforms
 * (additions, subtractions, halvings: no inexact constants, but the sums round as any float32 sum
 * does, so results are not bit-identical to a direct sum; measured within its error, see
 * docs/backends.md; non-finite values go to direct loops), the 16 positions of the transformed tiles are
 * 16 GEMMs over the channels, and the inverse transform adds each product back into a 2×2 output.
 * Tiles are numbered across the batch and split in blocks between the team of threads, as im2col.
 */
typedef struct {
  int n, h, w, c;   /* input */
  int co, oh, ow;   /* output */
  int pt, pl;       /* padding: output (oy, ox) reads input rows oy − pt … oy − pt + 2 */
} Winograd;

/* Transformed filters per thread team: U[16][c][co] = G·g·Gᵀ for every channel pair. */
static float *winograd_u = NULL;
static size_t winograd_u_len = 0;
static float *zero_row = NULL;
static size_t zero_row_len = 0;

/* U from a filter laid out [3][3][c][co] (`flip`: from [3][3][co][c] rotated 180°, the input gradient's). */
static void winograd_filter(const float *w, int c, int co, bool flip, float *u) {
  size_t plane = (size_t)c * co;
#pragma omp parallel for if (plane * 16 >= PARALLEL_ELEMENTS)
  for (int ci = 0; ci < c; ci++) {
    for (int q = 0; q < co; q++) {
      float g[3][3], t[4][3];
      for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 3; j++) {
          g[i][j] = flip ? w[(((size_t)(2 - i) * 3 + (2 - j)) * co + q) * c + ci] : w[(((size_t)i * 3 + j) * c + ci) * co + q];
        }
      }
      for (int j = 0; j < 3; j++) {
        t[0][j] = g[0][j];
        t[1][j] = 0.5f * (g[0][j] + g[1][j] + g[2][j]);
        t[2][j] = 0.5f * (g[0][j] - g[1][j] + g[2][j]);
        t[3][j] = g[2][j];
      }
      float *dst = u + (size_t)ci * co + q;
      for (int r = 0; r < 4; r++) {
        dst[(r * 4 + 0) * plane] = t[r][0];
        dst[(r * 4 + 1) * plane] = 0.5f * (t[r][0] + t[r][1] + t[r][2]);
        dst[(r * 4 + 2) * plane] = 0.5f * (t[r][0] - t[r][1] + t[r][2]);
        dst[(r * 4 + 3) * plane] = t[r][2];
      }
    }
  }
}

/* Tiles: 2×2 blocks of outputs, numbered across images, then rows, then columns. */
static size_t winograd_tiles(const Winograd *z) { return (size_t)z->n * ((z->oh + 1) / 2) * ((z->ow + 1) / 2); }

/* The image of tile t; its top-left output in *oy, *ox. */
static size_t tile_at(const Winograd *z, size_t t, int *oy, int *ox) {
  size_t tx_n = (size_t)(z->ow + 1) / 2, per_image = (size_t)((z->oh + 1) / 2) * tx_n, rest = t % per_image;
  *oy = (int)(rest / tx_n) * 2;
  *ox = (int)(rest % tx_n) * 2;
  return t / per_image;
}

/* At least `len` zeros in zero_row, read for pixels past the edge; 0 when memory runs out. */
static int zero_row_of(size_t len) {
  if (!grow(&zero_row, &zero_row_len, len)) return 0;
  memset(zero_row, 0, len * sizeof(float));
  return 1;
}

/* V[16][t][c] = Bᵀ·d·B for tiles [t0, t0 + count). */
static void winograd_input(const Winograd *z, const float *x, size_t t0, int count, float *v) {
  size_t estride = (size_t)count * z->c;
  for (int k = 0; k < count; k++) {
    int y0, x0;
    size_t b = tile_at(z, t0 + k, &y0, &x0);
    y0 -= z->pt;
    x0 -= z->pl;
    const float *d[4][4];
    for (int r = 0; r < 4; r++) {
      for (int s = 0; s < 4; s++) {
        int iy = y0 + r, ix = x0 + s;
        d[r][s] = iy < 0 || iy >= z->h || ix < 0 || ix >= z->w ? zero_row : x + ((b * z->h + iy) * z->w + ix) * z->c;
      }
    }
    float *out = v + (size_t)k * z->c;
#pragma omp simd
    for (int q = 0; q < z->c; q++) {
      float tmp[4][4];
      for (int s = 0; s < 4; s++) {
        tmp[0][s] = d[0][s][q] - d[2][s][q];
        tmp[1][s] = d[1][s][q] + d[2][s][q];
        tmp[2][s] = d[2][s][q] - d[1][s][q];
        tmp[3][s] = d[1][s][q] - d[3][s][q];
      }
      for (int r = 0; r < 4; r++) {
        out[(r * 4 + 0) * estride + q] = tmp[r][0] - tmp[r][2];
        out[(r * 4 + 1) * estride + q] = tmp[r][1] + tmp[r][2];
        out[(r * 4 + 2) * estride + q] = tmp[r][2] - tmp[r][1];
        out[(r * 4 + 3) * estride + q] = tmp[r][1] - tmp[r][3];
      }
    }
  }
}

/*
 * y = Aᵀ·m·A for the same tiles, + bias, then max(0, ·); outputs past the edge are dropped. Returns
 * whether it wrote a NaN or an infinity (checked in registers, as the values are written).
 */
static int winograd_output(const Winograd *z, const float *m, size_t t0, int count, const float *bias, bool relu, float *y) {
  size_t estride = (size_t)count * z->co;
  uint32_t bad = 0;
  for (int k = 0; k < count; k++) {
    int oy, ox;
    size_t b = tile_at(z, t0 + k, &oy, &ox);
    int rows = oy + 1 < z->oh ? 2 : 1, cols = ox + 1 < z->ow ? 2 : 1;
    float *dst[2];
    for (int r = 0; r < rows; r++) dst[r] = y + ((b * z->oh + oy + r) * z->ow + ox) * z->co;
    const float *src = m + (size_t)k * z->co;
#pragma omp simd reduction(|:bad)
    for (int q = 0; q < z->co; q++) {
      float e[16], tmp[2][4];
      for (int i = 0; i < 16; i++) e[i] = src[i * estride + q];
      for (int s = 0; s < 4; s++) {
        tmp[0][s] = e[s] + e[4 + s] + e[8 + s];
        tmp[1][s] = e[4 + s] - e[8 + s] - e[12 + s];
      }
      float add = bias ? bias[q] : 0.0f;
      for (int r = 0; r < rows; r++) {
        float v0 = tmp[r][0] + tmp[r][1] + tmp[r][2] + add;
        float v1 = tmp[r][1] - tmp[r][2] - tmp[r][3] + add;
        if (relu) {
          v0 = relu_of(v0);
          v1 = relu_of(v1);
        }
        dst[r][q] = v0;
        bad |= nonfinite(v0);
        if (cols > 1) {
          dst[r][z->co + q] = v1;
          bad |= nonfinite(v1);
        }
      }
    }
  }
  return bad != 0;
}

/* Tiles per block: V and M of a block in about 4 MB, products big enough to keep the BLAS efficient. */
static int winograd_block(const Winograd *z) {
  size_t tiles = ((size_t)1 << 20) / (16 * (size_t)(z->c + z->co));
  return tiles < 16 ? 16 : (int)tiles;
}

/* Outcomes of a fast path: done, out of memory, or a NaN or infinity in its output (then the direct sums decide). */
enum { FAST_OK = 0, FAST_NO_MEMORY = -1, FAST_NONFINITE = 1 };

/* y = conv(x, filter) through U (already transformed). */
static int winograd_conv(const Winograd *z, const float *x, const float *u, const float *bias, bool relu, float *y) {
  if (!zero_row_of((size_t)z->c)) return FAST_NO_MEMORY;
  size_t total = winograd_tiles(z);
  int T = winograd_block(z);
  int team = conv_team((total + T - 1) / T);
  if (!team_ready(team, (size_t)16 * T * (z->c + z->co))) return FAST_NO_MEMORY;
  int bad = 0;
#pragma omp parallel for num_threads(team) reduction(|:bad)
  for (int t = 0; t < team; t++) {
    float *v = team_scratch[t], *m = v + (size_t)16 * T * z->c;
    size_t end = total * (t + 1) / team;
    for (size_t t0 = total * t / team; t0 < end; t0 += T) {
      int count = (int)(end - t0 < (size_t)T ? end - t0 : (size_t)T);
      winograd_input(z, x, t0, count, v);
      for (int e = 0; e < 16; e++) {
        team_sgemm(team, NO_TRANS, NO_TRANS, count, z->co, z->c, v + (size_t)e * count * z->c, z->c, u + (size_t)e * z->c * z->co, z->co, 0.0f,
                   m + (size_t)e * count * z->co, z->co);
      }
      bad |= winograd_output(z, m, t0, count, bias, relu, y);
    }
  }
  return bad ? FAST_NONFINITE : FAST_OK;
}

/*
 * The filter gradient in Winograd's F(3×3, 2×2): each 2×2 block of dy against its 4×4 input tile
 * gives 3×3 filter taps, dw = A'ᵀ·[Σ over tiles (Bᵀ·d·B) ⊙ (G'·dy·G'ᵀ)]·A', with the forward pass's
 * input transform B and G' = [1 0; ½ ½; ½ −½; 0 1], A'ᵀ = [1 1 1 0; 0 1 −1 0; 0 1 1 −1]. The sum
 * over tiles is 16 GEMMs (channels × tiles × output channels) per block; each thread sums its own
 * 16 × c × co, added in thread order at the end (the same sums every run).
 */
static void winograd_dy(const Winograd *z, const float *dy, size_t t0, int count, float *wt) {
  size_t estride = (size_t)count * z->co;
  for (int k = 0; k < count; k++) {
    int oy, ox;
    size_t b = tile_at(z, t0 + k, &oy, &ox);
    const float *g[2][2];
    for (int r = 0; r < 2; r++) {
      for (int s = 0; s < 2; s++) g[r][s] = oy + r < z->oh && ox + s < z->ow ? dy + ((b * z->oh + oy + r) * z->ow + ox + s) * z->co : zero_row;
    }
    float *out = wt + (size_t)k * z->co;
#pragma omp simd
    for (int q = 0; q < z->co; q++) {
      float tmp[4][2];
      for (int s = 0; s < 2; s++) {
        tmp[0][s] = g[0][s][q];
        tmp[1][s] = 0.5f * (g[0][s][q] + g[1][s][q]);
        tmp[2][s] = 0.5f * (g[0][s][q] - g[1][s][q]);
        tmp[3][s] = g[1][s][q];
      }
      for (int r = 0; r < 4; r++) {
        out[(r * 4 + 0) * estride + q] = tmp[r][0];
        out[(r * 4 + 1) * estride + q] = 0.5f * (tmp[r][0] + tmp[r][1]);
        out[(r * 4 + 2) * estride + q] = 0.5f * (tmp[r][0] - tmp[r][1]);
        out[(r * 4 + 3) * estride + q] = tmp[r][1];
      }
    }
  }
}

/* dw[3][3][c][co] from the summed products M[16][c][co]. */
static void winograd_filter_grad_output(const Winograd *z, const float *m, float *dw) {
  size_t plane = (size_t)z->c * z->co;
#pragma omp parallel for if (plane * 16 >= PARALLEL_ELEMENTS)
  for (size_t p = 0; p < plane; p++) {
    float e[16], tmp[3][4];
    for (int i = 0; i < 16; i++) e[i] = m[i * plane + p];
    for (int s = 0; s < 4; s++) {
      tmp[0][s] = e[s] + e[4 + s] + e[8 + s];
      tmp[1][s] = e[4 + s] - e[8 + s];
      tmp[2][s] = e[4 + s] + e[8 + s] - e[12 + s];
    }
    for (int i = 0; i < 3; i++) {
      dw[(i * 3 + 0) * plane + p] = tmp[i][0] + tmp[i][1] + tmp[i][2];
      dw[(i * 3 + 1) * plane + p] = tmp[i][1] - tmp[i][2];
      dw[(i * 3 + 2) * plane + p] = tmp[i][1] + tmp[i][2] - tmp[i][3];
    }
  }
}

static int winograd_filter_grad(const Winograd *z, const float *x, const float *dy, float *dw) {
  if (!zero_row_of(z->c > z->co ? (size_t)z->c : (size_t)z->co)) return 0;
  size_t total = winograd_tiles(z), plane = (size_t)z->c * z->co;
  int T = winograd_block(z);
  int team = conv_team((total + T - 1) / T);
  size_t block = (size_t)16 * T * (z->c + z->co);
  if (!team_ready(team, block + 16 * plane)) return 0;
#pragma omp parallel for num_threads(team)
  for (int t = 0; t < team; t++) {
    float *v = team_scratch[t], *wt = v + (size_t)16 * T * z->c, *m = v + block;
    size_t start = total * t / team, end = total * (t + 1) / team;
    if (start == end) memset(m, 0, 16 * plane * sizeof(float));
    for (size_t t0 = start; t0 < end; t0 += T) {
      int count = (int)(end - t0 < (size_t)T ? end - t0 : (size_t)T);
      winograd_input(z, x, t0, count, v);
      winograd_dy(z, dy, t0, count, wt);
      for (int e = 0; e < 16; e++) {
        team_sgemm(team, TRANS, NO_TRANS, z->c, z->co, count, v + (size_t)e * count * z->c, z->c, wt + (size_t)e * count * z->co, z->co,
                   t0 > start ? 1.0f : 0.0f, m + (size_t)e * plane, z->co);
      }
    }
  }
  float *sum = team_scratch[0] + block;
  for (int t = 1; t < team; t++) {
    const float *part = team_scratch[t] + block;
    for (size_t i = 0; i < 16 * plane; i++) sum[i] += part[i];
  }
  winograd_filter_grad_output(z, sum, dw);
  return 1;
}

/*
 * Where Winograd pays: a 3×3 filter, stride 1, 64 channels or more on both sides (the products then
 * outweigh the transforms) and images of 8×8 or more (a 7×7 output computes 8×8). Measured on 2
 * cores against im2col, ms forward / input gradient: 64×28×28×128 → 64: 52.8/44.6 vs 129.7/102.1
 * (and 84.5/60.6 in a quieter minute); 64×14×14×128 → 128: 25.2/25.2 vs 32.1/34.2; but
 * 64×14×14×32 → 32: 3.9/3.7 vs 2.8/3.3, and 64×7×7×64 → 64: 3.1/2.9 vs 2.4/2.6.
 */
static int winograd_fits(const Geometry *g) {
  int smallest = g->h < g->w ? g->h : g->w;
  if (g->oh < smallest) smallest = g->oh;
  if (g->ow < smallest) smallest = g->ow;
  return g->kh == 3 && g->kw == 3 && g->sh == 1 && g->sw == 1 && g->c >= 64 && g->co >= 64 && smallest >= 8;
}

/*
 * conv2d(x, w, y, ...geometry, bias, relu): y = im2col(x)·w (+ bias per channel, then max(0, ·));
 * `bias` is a Float32Array of co values or null.
 */
static napi_value conv2d(napi_env env, napi_callback_info info) {
  ConvArgs a;
  if (!conv_args(env, info, &a)) return NULL;
  const Geometry *g = &a.g;
  napi_value argv[18];
  size_t argc = 18;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  float *bias = NULL;
  bool relu = false;
  if (argc >= 18) {
    napi_valuetype bias_type;
    napi_typeof(env, argv[16], &bias_type);
    if (bias_type != napi_null && bias_type != napi_undefined && !(bias = floats(env, argv[16], (size_t)g->co))) return NULL;
    napi_get_value_bool(env, argv[17], &relu);
  }
  int K = (int)patch_len(g), pixels = g->oh * g->ow;
  if (pointwise(g)) {
    sgemm(ROW_MAJOR, NO_TRANS, NO_TRANS, g->n * pixels, g->co, K, 1.0f, a.x, K, a.w, g->co, 0.0f, a.y, g->co);
    bias_relu(a.y, (size_t)g->n * pixels, g->co, bias, relu);
    return NULL;
  }
  if (winograd_fits(g)) {
    Winograd z = {g->n, g->h, g->w, g->c, g->co, g->oh, g->ow, g->pt, g->pl};
    float *u = grow(&winograd_u, &winograd_u_len, (size_t)16 * g->c * g->co);
    if (u) winograd_filter(a.w, g->c, g->co, false, u);
    int outcome = u ? winograd_conv(&z, a.x, u, bias, relu, a.y) : FAST_NO_MEMORY;
    if (outcome == FAST_NO_MEMORY) return throw_error(env, "gwb_native: out of memory");
    if (outcome == FAST_NONFINITE) direct_conv(g, a.x, a.w, bias, relu, a.y);
    return NULL;
  }
  // Output columns gather only the taps that land in the image: the direct sum's terms, grouped.
  if (output_columns(g)) {
    int chunk = images_per_chunk(g);
    float *cols = scratch_of((size_t)chunk * columns_per_image(g));
    int in_pixels = g->h * g->w, TC = g->kh * g->kw * g->co;
    float *wt = cols ? grow(&filter_scratch, &filter_scratch_len, (size_t)K * g->co) : NULL;
    if (!wt) return throw_error(env, "gwb_native: out of memory");
    filter_by_channel(g, a.w, wt, 0);
    memset(a.y, 0, (size_t)g->n * pixels * g->co * sizeof(float));
    for (int b0 = 0; b0 < g->n; b0 += chunk) {
      int nb = g->n - b0 < chunk ? g->n - b0 : chunk;
      sgemm(ROW_MAJOR, NO_TRANS, NO_TRANS, nb * in_pixels, TC, g->c, 1.0f, a.x + (size_t)b0 * in_pixels * g->c, g->c, wt, TC, 0.0f, cols, TC);
      gather_taps(g, cols, b0, nb, a.y);
    }
    bias_relu(a.y, (size_t)g->n * pixels, g->co, bias, relu);
    return NULL;
  }
  // im2col's padding multiplies the filter by zeros: exact unless the filter holds a NaN or an infinity.
  if (any_nonfinite(a.w, (size_t)K * g->co)) {
    direct_conv(g, a.x, a.w, bias, relu, a.y);
    return NULL;
  }
  size_t total = (size_t)g->n * pixels, R = rows_per_block(g, 2);
  int team = conv_team((total + R - 1) / R);
  R = rows_per_block(g, team);
  if (!team_ready(team, R * K)) return throw_error(env, "gwb_native: out of memory");
#pragma omp parallel for num_threads(team)
  for (int t = 0; t < team; t++) {
    size_t end = total * (t + 1) / team;
    for (size_t q0 = total * t / team; q0 < end; q0 += R) {
      int rows = (int)(end - q0 < R ? end - q0 : R);
      float *y = a.y + q0 * g->co;
      im2col(g, a.x, q0, q0 + rows, team_scratch[t]);
      team_sgemm(team, NO_TRANS, NO_TRANS, rows, g->co, K, team_scratch[t], K, a.w, g->co, 0.0f, y, g->co);
      bias_relu(y, (size_t)rows, g->co, bias, relu);
    }
  }
  return NULL;
}

/* conv2dBackpropInput: dx = col2im(dy·wᵀ). Here `x` is dx (written) and `y` is dy (read). */
static napi_value conv2d_backprop_input(napi_env env, napi_callback_info info) {
  ConvArgs a;
  if (!conv_args(env, info, &a)) return NULL;
  const Geometry *g = &a.g;
  int K = (int)patch_len(g), pixels = g->oh * g->ow;
  if (pointwise(g)) {
    sgemm(ROW_MAJOR, NO_TRANS, TRANS, g->n * pixels, K, g->co, 1.0f, a.y, g->co, a.w, g->co, 0.0f, a.x, K);
    return NULL;
  }
  // dx is dy convolved with the filter turned 180° and its channels swapped, padded 2 − p: a 3×3 stride-1 convolution again.
  if (winograd_fits(g) && g->pt <= 2 && g->pl <= 2) {
    Winograd z = {g->n, g->oh, g->ow, g->co, g->c, g->h, g->w, 2 - g->pt, 2 - g->pl};
    float *u = grow(&winograd_u, &winograd_u_len, (size_t)16 * g->c * g->co);
    if (u) winograd_filter(a.w, g->co, g->c, true, u);
    int outcome = u ? winograd_conv(&z, a.y, u, NULL, false, a.x) : FAST_NO_MEMORY;
    if (outcome == FAST_NO_MEMORY) return throw_error(env, "gwb_native: out of memory");
    if (outcome == FAST_NONFINITE) direct_conv_input_grad(g, a.x, a.w, a.y);
    return NULL;
  }
  // Output columns of dy hold zeros for taps no output uses, multiplied by the filter.
  if (output_columns(g) && any_nonfinite(a.w, (size_t)K * g->co)) {
    direct_conv_input_grad(g, a.x, a.w, a.y);
    return NULL;
  }
  if (output_columns(g)) {
    int chunk = images_per_chunk(g);
    float *cols = scratch_of((size_t)chunk * columns_per_image(g));
    int in_pixels = g->h * g->w, TC = g->kh * g->kw * g->co;
    float *wt = cols ? grow(&filter_scratch, &filter_scratch_len, (size_t)K * g->co) : NULL;
    if (!wt) return throw_error(env, "gwb_native: out of memory");
    filter_by_channel(g, a.w, wt, 0);
    for (int b0 = 0; b0 < g->n; b0 += chunk) {
      int nb = g->n - b0 < chunk ? g->n - b0 : chunk;
      dy_columns(g, a.y, b0, nb, cols);
      sgemm(ROW_MAJOR, NO_TRANS, TRANS, nb * in_pixels, g->c, TC, 1.0f, cols, TC, wt, TC, 0.0f, a.x + (size_t)b0 * in_pixels * g->c, g->c);
    }
    return NULL;
  }
  // col2im adds only into pixels inside the image: the direct sum's terms. Each thread takes whole
  // images: col2im adds into input pixels that neighbouring blocks of the same image share.
  int team = conv_team((size_t)g->n);
  size_t R = rows_per_block(g, team);
  if (!team_ready(team, R * K)) return throw_error(env, "gwb_native: out of memory");
  memset(a.x, 0, (size_t)g->n * g->h * g->w * g->c * sizeof(float));
#pragma omp parallel for num_threads(team)
  for (int t = 0; t < team; t++) {
    size_t end = (size_t)pixels * (g->n * (t + 1) / team);
    for (size_t q0 = (size_t)pixels * (g->n * t / team); q0 < end; q0 += R) {
      int rows = (int)(end - q0 < R ? end - q0 : R);
      team_sgemm(team, NO_TRANS, TRANS, rows, K, g->co, a.y + q0 * g->co, g->co, a.w, g->co, 0.0f, team_scratch[t], K);
      col2im(g, team_scratch[t], q0, q0 + rows, a.x);
    }
  }
  return NULL;
}

/* dw by Winograd, output columns or im2col (not pointwise): FAST_OK or FAST_NO_MEMORY. */
static int lowered_filter_grad(const ConvArgs *a) {
  const Geometry *g = &a->g;
  int K = (int)patch_len(g), pixels = g->oh * g->ow;
  if (winograd_fits(g)) {
    Winograd z = {g->n, g->h, g->w, g->c, g->co, g->oh, g->ow, g->pt, g->pl};
    return winograd_filter_grad(&z, a->x, a->y, a->w) ? FAST_OK : FAST_NO_MEMORY;
  }
  if (output_columns(g)) {
    int chunk = images_per_chunk(g);
    float *cols = scratch_of((size_t)chunk * columns_per_image(g));
    int in_pixels = g->h * g->w, TC = g->kh * g->kw * g->co;
    float *dwt = cols ? grow(&filter_scratch, &filter_scratch_len, (size_t)K * g->co) : NULL;
    if (!dwt) return FAST_NO_MEMORY;
    for (int b0 = 0; b0 < g->n; b0 += chunk) {
      int nb = g->n - b0 < chunk ? g->n - b0 : chunk;
      dy_columns(g, a->y, b0, nb, cols);
      sgemm(ROW_MAJOR, TRANS, NO_TRANS, g->c, TC, nb * in_pixels, 1.0f, a->x + (size_t)b0 * in_pixels * g->c, g->c, cols, TC, b0 ? 1.0f : 0.0f, dwt, TC);
    }
    filter_by_channel(g, a->w, dwt, 1);
    return FAST_OK;
  }
  // Thread t > 0 sums its blocks into its own copy of dw (after its columns), added in thread order: the same sum every run.
  size_t total = (size_t)g->n * pixels, R = rows_per_block(g, 2), dw_len = (size_t)K * g->co;
  int team = conv_team((total + R - 1) / R);
  R = rows_per_block(g, team);
  if (!team_ready(team, R * K + dw_len)) return FAST_NO_MEMORY;
#pragma omp parallel for num_threads(team)
  for (int t = 0; t < team; t++) {
    float *dw = t ? team_scratch[t] + R * K : a->w;
    size_t start = total * t / team, end = total * (t + 1) / team;
    if (start == end) memset(dw, 0, dw_len * sizeof(float));
    for (size_t q0 = start; q0 < end; q0 += R) {
      int rows = (int)(end - q0 < R ? end - q0 : R);
      im2col(g, a->x, q0, q0 + rows, team_scratch[t]);
      team_sgemm(team, TRANS, NO_TRANS, K, g->co, rows, team_scratch[t], K, a->y + q0 * g->co, g->co, q0 > start ? 1.0f : 0.0f, dw, g->co);
    }
  }
  for (int t = 1; t < team; t++) {
    const float *part = team_scratch[t] + R * K;
    for (size_t i = 0; i < dw_len; i++) a->w[i] += part[i];
  }
  return FAST_OK;
}

/*
 * conv2dBackpropFilter: dw = Σ im2col(x)ᵀ·dy. Here `w` is dw (written) and `y` is dy (read). The
 * lowerings multiply dy (or x) by zeros where the direct sum has no term: a NaN or an infinity in
 * dw (a small array) sends the call to the direct sums.
 */
static napi_value conv2d_backprop_filter(napi_env env, napi_callback_info info) {
  ConvArgs a;
  if (!conv_args(env, info, &a)) return NULL;
  const Geometry *g = &a.g;
  int K = (int)patch_len(g), pixels = g->oh * g->ow;
  if (g->n == 0) {
    memset(a.w, 0, (size_t)K * g->co * sizeof(float));
    return NULL;
  }
  if (pointwise(g)) {
    sgemm(ROW_MAJOR, TRANS, NO_TRANS, K, g->co, g->n * pixels, 1.0f, a.x, K, a.y, g->co, 0.0f, a.w, g->co);
    return NULL;
  }
  if (lowered_filter_grad(&a) == FAST_NO_MEMORY) return throw_error(env, "gwb_native: out of memory");
  if (any_nonfinite(a.w, (size_t)K * g->co)) direct_conv_filter_grad(g, a.x, a.w, a.y);
  return NULL;
}

/* ---- element-wise ops and reductions -------------------------------------------------------- */
/*
 * Written with bit masks, not `?:`: on a GAN's activations the sign of each value is a coin flip,
 * so a branch mispredicts half the time. Measured on 64×28×28×128 values: 40 ms branching (as
 * WebAssembly's kernels ran), 5 ms with masks, which the compiler also vectorises. Masks keep NaN
 * and infinities exactly where a branch would put them.
 */
/*
 * leakyRelu(x, y, alpha): y = x < 0 ? alpha·x : x, with alpha·x computed in double and rounded to
 * float32 once, as tfjs' cpu kernel does in JavaScript (a float32 alpha rounds differently, and a
 * tiny alpha becomes 0, making −∞·alpha NaN instead of ∞).
 */
static napi_value leaky_relu(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  double alpha;
  size_t n;
  if (!get_args(env, info, 3, argv)) return NULL;
  float *x = (float *)typed(env, argv[0], napi_float32_array, 0, &n);
  float *y = x ? floats(env, argv[1], n) : NULL;
  if (!y || napi_get_value_double(env, argv[2], &alpha) != napi_ok) return NULL;
  uint32_t *restrict out = (uint32_t *)y;
  const float *restrict in = x;
#pragma omp parallel for if (n >= PARALLEL_ELEMENTS)
  for (size_t i = 0; i < n; i++) {
    float v = in[i];
    uint32_t negative = -(uint32_t)(v < 0);
    out[i] = (bits_of((float)(alpha * v)) & negative) | (bits_of(v) & ~negative);
  }
  return NULL;
}

/* greater(a, b, out): out = a > b, either side a single value broadcast over the other. */
static napi_value greater(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  size_t na, nb, n;
  if (!get_args(env, info, 3, argv)) return NULL;
  float *a = (float *)typed(env, argv[0], napi_float32_array, 1, &na);
  float *b = a ? (float *)typed(env, argv[1], napi_float32_array, 1, &nb) : NULL;
  uint8_t *out = b ? (uint8_t *)typed(env, argv[2], napi_uint8_array, 0, &n) : NULL;
  if (!out) return NULL;
  if ((na != n && na != 1) || (nb != n && nb != 1)) return throw_error(env, "gwb_native: greater: shapes do not broadcast");
  if (nb == 1) {
    float v = b[0];
#pragma omp parallel for if (n >= PARALLEL_ELEMENTS)
    for (size_t i = 0; i < n; i++) out[i] = a[na == 1 ? 0 : i] > v;
  } else if (na == 1) {
    float v = a[0];
#pragma omp parallel for if (n >= PARALLEL_ELEMENTS)
    for (size_t i = 0; i < n; i++) out[i] = v > b[i];
  } else {
#pragma omp parallel for if (n >= PARALLEL_ELEMENTS)
    for (size_t i = 0; i < n; i++) out[i] = a[i] > b[i];
  }
  return NULL;
}

/* select(condition, t, e, out): out = condition ? t : e, all of one size. */
static napi_value select_where(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  size_t n;
  if (!get_args(env, info, 4, argv)) return NULL;
  float *out = (float *)typed(env, argv[3], napi_float32_array, 0, &n);
  uint8_t *c = out ? (uint8_t *)typed(env, argv[0], napi_uint8_array, n, NULL) : NULL;
  float *t = c ? floats(env, argv[1], n) : NULL;
  float *e = t ? floats(env, argv[2], n) : NULL;
  if (!e) return NULL;
  const uint32_t *restrict tb = (const uint32_t *)t, *restrict eb = (const uint32_t *)e;
  uint32_t *restrict ob = (uint32_t *)out;
#pragma omp parallel for if (n >= PARALLEL_ELEMENTS)
  for (size_t i = 0; i < n; i++) {
    uint32_t chosen = -(uint32_t)(c[i] != 0);
    ob[i] = (tb[i] & chosen) | (eb[i] & ~chosen);
  }
  return NULL;
}

/*
 * sum(x, rows, cols, out, leading): x as a rows×cols matrix; `leading` sums over the rows (out has
 * cols values: a bias gradient, a batch-norm mean), otherwise over the columns (out has rows).
 */
static napi_value sum(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  int v[2];
  bool leading = false;
  if (!get_args(env, info, 5, argv) || !ints(env, argv + 1, 2, v)) return NULL;
  size_t rows = (size_t)v[0], cols = (size_t)v[1];
  napi_get_value_bool(env, argv[4], &leading);
  float *x = floats(env, argv[0], rows * cols);
  float *out = x ? floats(env, argv[3], leading ? cols : rows) : NULL;
  if (!out) return NULL;
  /* Sums in double, as tfjs' JavaScript kernels do: a batch-norm mean adds ~10⁵ values. */
  if (leading) {
    double *acc = calloc(cols ? cols : 1, sizeof(double));
    if (!acc) return throw_error(env, "gwb_native: out of memory");
    for (size_t r = 0; r < rows; r++) {
      const float *row = x + r * cols;
      for (size_t c = 0; c < cols; c++) acc[c] += row[c];
    }
    for (size_t c = 0; c < cols; c++) out[c] = (float)acc[c];
    free(acc);
  } else {
    for (size_t r = 0; r < rows; r++) {
      const float *row = x + r * cols;
      double total = 0;
      for (size_t c = 0; c < cols; c++) total += row[c];
      out[r] = (float)total;
    }
  }
  return NULL;
}

/*
 * copyRows(src, dst, rows, width, srcStride, dstStride): row r's `width` values from src + r·srcStride
 * to dst + r·dstStride (the callers pass views that start at the first row). A concatenation or a
 * split along the channels of an NHWC batch is one such copy per input or output: tfjs' wasm Concat
 * and Slice copy row by row in JavaScript (a subarray and a set for each of ~25,000 pixels).
 */
static napi_value copy_rows(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  int v[4];
  if (!get_args(env, info, 6, argv) || !ints(env, argv + 2, 4, v)) return NULL;
  if (v[0] < 0 || v[1] < 0 || v[2] < v[1] || v[3] < v[1]) return throw_error(env, "gwb_native: copyRows: bad geometry");
  size_t rows = (size_t)v[0], width = (size_t)v[1], src_stride = (size_t)v[2], dst_stride = (size_t)v[3];
  if (rows == 0 || width == 0) return NULL;
  const float *src = floats(env, argv[0], (rows - 1) * src_stride + width);
  float *dst = src ? floats(env, argv[1], (rows - 1) * dst_stride + width) : NULL;
  if (!dst) return NULL;
  for (size_t r = 0; r < rows; r++) memcpy(dst + r * dst_stride, src + r * src_stride, width * sizeof(float));
  return NULL;
}

/*
 * resizeNearest(x, y, n, h, w, c, oh, ow, rows, cols, backward): y[b, oy, ox] = x[b, rows[oy], cols[ox]]
 * (the source row and column of each output, as tfjs computes them); `backward` writes the
 * gradient instead: x (zeroed) += y at those sources. UpSampling2D's gradient took 50 ms per call
 * in WebAssembly.
 */
static napi_value resize_nearest(napi_env env, napi_callback_info info) {
  napi_value argv[11];
  int v[6];
  bool backward = false;
  if (!get_args(env, info, 11, argv) || !ints(env, argv + 2, 6, v)) return NULL;
  int n = v[0], h = v[1], w = v[2], c = v[3], oh = v[4], ow = v[5];
  napi_get_value_bool(env, argv[10], &backward);
  float *x = floats(env, argv[0], (size_t)n * h * w * c);
  float *y = x ? floats(env, argv[1], (size_t)n * oh * ow * c) : NULL;
  int32_t *rows = y ? (int32_t *)typed(env, argv[8], napi_int32_array, (size_t)oh, NULL) : NULL;
  int32_t *cols = rows ? (int32_t *)typed(env, argv[9], napi_int32_array, (size_t)ow, NULL) : NULL;
  if (!cols) return NULL;
  for (int i = 0; i < oh; i++) {
    if (rows[i] < 0 || rows[i] >= h) return throw_error(env, "gwb_native: resizeNearest: source row out of range");
  }
  for (int j = 0; j < ow; j++) {
    if (cols[j] < 0 || cols[j] >= w) return throw_error(env, "gwb_native: resizeNearest: source column out of range");
  }
  size_t run = (size_t)c;
  if (backward) memset(x, 0, (size_t)n * h * w * c * sizeof(float));
  // One image per thread: the backward pass adds only into its own image.
#pragma omp parallel for if ((size_t)n * oh * ow * c >= PARALLEL_ELEMENTS)
  for (int b = 0; b < n; b++) {
    for (int oy = 0; oy < oh; oy++) {
      float *src_row = x + (((size_t)b * h + rows[oy]) * w) * run;
      float *out = y + (((size_t)b * oh + oy) * ow) * run;
      for (int ox = 0; ox < ow; ox++, out += run) {
        float *src = src_row + (size_t)cols[ox] * run;
        if (backward) {
          for (size_t q = 0; q < run; q++) src[q] += out[q];
        } else {
          memcpy(out, src, run * sizeof(float));
        }
      }
    }
  }
  return NULL;
}

/*
 * maxPoolGrad(x, y, dy, dx, ...geometry), geometry as for conv2d with co = c: dx = 0, then each
 * window's dy goes to the pixel tfjs' and TensorFlow's kernels send it to: in row-major order, the
 * first one greater than every pixel before it, starting from −∞. So of tied maxima the first
 * wins, NaN never does, and a window of only NaN or −∞ passes no gradient (as the cpu backend
 * computes it; `y`, the pooling's output, is not needed). The channels of a window are scanned
 * together with selects, not branches, so it vectorises. WebAssembly's MaxPoolGrad took 116 ms
 * per call on the lecture GAN's 128×28×28×64.
 */
static napi_value max_pool_grad(napi_env env, napi_callback_info info) {
  napi_value argv[17];
  Geometry g;
  if (!get_args(env, info, 17, argv) || !geometry(env, argv + 4, &g)) return NULL;
  size_t in_len = (size_t)g.n * g.h * g.w * g.c, out_len = (size_t)g.n * g.oh * g.ow * g.c;
  float *x = floats(env, argv[0], in_len);
  float *y = x ? floats(env, argv[1], out_len) : NULL;
  float *dy = y ? floats(env, argv[2], out_len) : NULL;
  float *dx = dy ? floats(env, argv[3], in_len) : NULL;
  if (!dx) return NULL;
  size_t c = (size_t)g.c;
  float *best = malloc((c ? c : 1) * sizeof(float));
  int32_t *at = malloc((c ? c : 1) * sizeof(int32_t)); /* the winning pixel of each channel, or −1 */
  if (!best || !at) {
    free(best);
    free(at);
    return throw_error(env, "gwb_native: out of memory");
  }
  memset(dx, 0, in_len * sizeof(float));
  for (int b = 0; b < g.n; b++) {
    float *image_dx = dx + (size_t)b * g.h * g.w * c;
    for (int oy = 0; oy < g.oh; oy++) {
      for (int ox = 0; ox < g.ow; ox++) {
        for (size_t q = 0; q < c; q++) {
          best[q] = -INFINITY;
          at[q] = -1;
        }
        for (int i = 0; i < g.kh; i++) {
          int iy = oy * g.sh - g.pt + i;
          if (iy < 0 || iy >= g.h) continue;
          for (int j = 0; j < g.kw; j++) {
            int ix = ox * g.sw - g.pl + j;
            if (ix < 0 || ix >= g.w) continue;
            int32_t pixel = iy * g.w + ix;
            const float *px = x + ((size_t)b * g.h * g.w + pixel) * c;
            for (size_t q = 0; q < c; q++) {
              int greater = px[q] > best[q];
              best[q] = greater ? px[q] : best[q];
              at[q] = greater ? pixel : at[q];
            }
          }
        }
        const float *window_dy = dy + (((size_t)b * g.oh + oy) * g.ow + ox) * c;
        for (size_t q = 0; q < c; q++) {
          if (at[q] >= 0) image_dx[(size_t)at[q] * c + q] += window_dy[q];
        }
      }
    }
  }
  free(best);
  free(at);
  return NULL;
}

/*
 * adam(w, g, m, v, w2, m2, v2, beta1, beta2, oneMinusAccBeta1, oneMinusAccBeta2, lr, epsilon): one
 * Adam update of a variable in one call, in float32 and in the order of tfjs' AdamOptimizer (so
 * the numbers are tfjs'): m2 = m·β1 + g·(1−β1); v2 = v·β2 + g²·(1−β2);
 * w2 = (m2/(1−β1ᵗ)) / (√(v2/(1−β2ᵗ)) + ε) · (−lr) + w. tfjs runs that as 13 kernels per variable:
 * most of the MLP GAN's step was their dispatch.
 */
static napi_value adam(napi_env env, napi_callback_info info) {
  napi_value argv[13];
  double k[6];
  size_t n;
  if (!get_args(env, info, 13, argv)) return NULL;
  for (int i = 0; i < 6; i++) {
    if (napi_get_value_double(env, argv[7 + i], &k[i]) != napi_ok) return throw_error(env, "gwb_native: adam: expected numbers");
  }
  float *w = (float *)typed(env, argv[0], napi_float32_array, 0, &n);
  float *g = w ? floats(env, argv[1], n) : NULL;
  float *m = g ? floats(env, argv[2], n) : NULL;
  float *v = m ? floats(env, argv[3], n) : NULL;
  float *w2 = v ? floats(env, argv[4], n) : NULL;
  float *m2 = w2 ? floats(env, argv[5], n) : NULL;
  float *v2 = m2 ? floats(env, argv[6], n) : NULL;
  if (!v2) return NULL;
  gwb_adam(n, w, g, m, v, w2, m2, v2, k);
  return NULL;
}

/* The update itself (also the MLP step's, gwb_mlp.c); in place when w2, m2, v2 are w, m, v. */
void gwb_adam(size_t n, const float *w, const float *g, const float *m, const float *v, float *w2, float *m2, float *v2, const double k[6]) {
  const float b1 = (float)k[0], b2 = (float)k[1], one_b1 = (float)(1.0 - k[0]), one_b2 = (float)(1.0 - k[1]);
  const float c1 = (float)k[2], c2 = (float)k[3], neg_lr = (float)-k[4], eps = (float)k[5];
#pragma omp parallel for if (n >= PARALLEL_ELEMENTS)
  for (size_t i = 0; i < n; i++) {
    float gi = g[i];
    float mi = m[i] * b1 + gi * one_b1;
    float vi = v[i] * b2 + (gi * gi) * one_b2;
    m2[i] = mi;
    v2[i] = vi;
    w2[i] = (mi / c1) / (sqrtf(vi / c2) + eps) * neg_lr + w[i];
  }
}

/*
 * globalNorm(out, ...arrays): out[0] = √(Σ x²) over every value of every array, summed in double.
 * A logged step's gradient norms were 2 kernels per variable plus an addN: on the MLP GAN, most of
 * what logging cost.
 */
static napi_value global_norm(napi_env env, napi_callback_info info) {
  napi_value argv[256];
  size_t argc = 256;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || argc == 256) return throw_error(env, "gwb_native: globalNorm: expected an output and up to 254 arrays");
  float *out = floats(env, argv[0], 1);
  if (!out) return NULL;
  double total = 0;
  for (size_t i = 1; i < argc; i++) {
    size_t n;
    float *x = (float *)typed(env, argv[i], napi_float32_array, 0, &n);
    if (!x) return NULL;
    for (size_t j = 0; j < n; j++) total += (double)x[j] * x[j];
  }
  out[0] = (float)sqrt(total);
  return NULL;
}

/* ---- for the other compilation units (gwb_mlp.c) --------------------------------------------- */

void gwb_gemm(int trans_a, int trans_b, int m, int n, int k, const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc) {
  sgemm(ROW_MAJOR, trans_a ? TRANS : NO_TRANS, trans_b ? TRANS : NO_TRANS, m, n, k, 1.0f, a, lda, b, ldb, beta, c, ldc);
}
int gwb_blas_loaded(void) { return blas_sgemm != NULL; }
float *gwb_grow(float **buffer, size_t *have, size_t len) { return grow(buffer, have, len); }
napi_value gwb_throw(napi_env env, const char *msg) { return throw_error(env, msg); }
void *gwb_typed(napi_env env, napi_value v, napi_typedarray_type want, size_t need, size_t *length_out) { return typed(env, v, want, need, length_out); }

/* ---- module ---------------------------------------------------------------------------------- */

/* The sanitizer build (scripts/build-native.mjs --variant asan) defines GWB_UBSAN; gcc and clang define __SANITIZE_ADDRESS__. */
#if defined(__SANITIZE_ADDRESS__) && defined(GWB_UBSAN)
#define GWB_SANITIZERS "address,undefined"
#elif defined(__SANITIZE_ADDRESS__)
#define GWB_SANITIZERS "address"
#elif defined(GWB_UBSAN)
#define GWB_SANITIZERS "undefined"
#else
#define GWB_SANITIZERS ""
#endif

/* buildInfo() → { openmp, sanitizers }: which build this is (the CI runs the kernel tests on each). */
static napi_value build_info(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result, openmp, sanitizers;
  napi_create_object(env, &result);
#ifdef _OPENMP
  napi_get_boolean(env, true, &openmp);
#else
  napi_get_boolean(env, false, &openmp);
#endif
  napi_create_string_utf8(env, GWB_SANITIZERS, NAPI_AUTO_LENGTH, &sanitizers);
  napi_set_named_property(env, result, "openmp", openmp);
  napi_set_named_property(env, result, "sanitizers", sanitizers);
  return result;
}

/*
 * The kernels keep process-wide state (scratch buffers, the team's buffers, the BLAS and its
 * thread count) for one caller at a time, so they serve one JavaScript thread: the first that
 * loads the addon, until it exits. Another (a worker thread) gets an error on require, and
 * native-blas.ts then keeps the WebAssembly kernels there. Each load has its own serial number, so
 * a new thread that happens to get a finished one's address or id is still another thread.
 */
static int64_t owner = 0;   /* the serial of the instance (one per load) that holds the kernels; 0: none */
static int64_t loads = 0;

/* Takes the kernels for a new instance: its serial, or 0 when another instance holds them. */
static int64_t claim(void) {
#ifdef _MSC_VER
  int64_t mine = InterlockedIncrement64(&loads);
  return InterlockedCompareExchange64(&owner, mine, 0) == 0 ? mine : 0;
#else
  int64_t mine = __atomic_add_fetch(&loads, 1, __ATOMIC_ACQ_REL), expected = 0;
  return __atomic_compare_exchange_n(&owner, &expected, mine, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE) ? mine : 0;
#endif
}

/* When the holding thread's environment ends: the kernels are free for another thread. */
static void release(void *serial) {
  int64_t mine = (int64_t)(intptr_t)serial;
#ifdef _MSC_VER
  InterlockedCompareExchange64(&owner, 0, mine);
#else
  __atomic_compare_exchange_n(&owner, &mine, 0, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
#endif
}

NAPI_MODULE_INIT() {
  int64_t serial = claim();
  if (!serial) {
    napi_throw_error(env, NULL, "gwb_native: the native kernels already serve another thread of this process (they keep one set of scratch buffers); this thread uses the WebAssembly kernels");
    return NULL;
  }
  napi_add_env_cleanup_hook(env, release, (void *)(intptr_t)serial);
  const struct {
    const char *name;
    napi_callback fn;
  } exported[] = {
      {"load", load},
      {"setThreads", set_thread_count},
      {"gemm", gemm},
      {"conv2d", conv2d},
      {"conv2dBackpropInput", conv2d_backprop_input},
      {"conv2dBackpropFilter", conv2d_backprop_filter},
      {"leakyRelu", leaky_relu},
      {"greater", greater},
      {"select", select_where},
      {"sum", sum},
      {"copyRows", copy_rows},
      {"resizeNearest", resize_nearest},
      {"maxPoolGrad", max_pool_grad},
      {"adam", adam},
      {"globalNorm", global_norm},
      {"buildInfo", build_info},
      {"mlpGanStep", gwb_mlp_gan_step},
      {"mlpTimers", gwb_mlp_timers},
      {"mlpTimersRead", gwb_mlp_timers_read},
  };
  for (size_t i = 0; i < sizeof exported / sizeof exported[0]; i++) {
    napi_value fn;
    napi_create_function(env, exported[i].name, NAPI_AUTO_LENGTH, exported[i].fn, NULL, &fn);
    napi_set_named_property(env, exports, exported[i].name, fn);
  }
  return exports;
}
