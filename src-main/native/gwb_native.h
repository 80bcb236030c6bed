/*
 * What gwb_native.c shares with the addon's other compilation units (gwb_mlp.c): the BLAS product,
 * Adam's update, argument helpers. Hidden from the addon's exported symbols.
 */
#ifndef GWB_NATIVE_H
#define GWB_NATIVE_H

#define NAPI_VERSION 8
#include <node_api.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__GNUC__) && !defined(_WIN32)
#define GWB_INTERNAL __attribute__((visibility("hidden")))
#else
#define GWB_INTERNAL
#endif

/* c = op(a)·op(b) + beta·c, row-major, on the loaded BLAS (one thread for small products). */
GWB_INTERNAL void gwb_gemm(int trans_a, int trans_b, int m, int n, int k, const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc);
GWB_INTERNAL int gwb_blas_loaded(void);
/* One Adam update in tfjs' float32 order; k = beta1, beta2, 1 − beta1ᵗ, 1 − beta2ᵗ, learning rate, epsilon. */
GWB_INTERNAL void gwb_adam(size_t n, const float *w, const float *g, const float *m, const float *v, float *w2, float *m2, float *v2, const double k[6]);
GWB_INTERNAL float *gwb_grow(float **buffer, size_t *have, size_t len);
GWB_INTERNAL napi_value gwb_throw(napi_env env, const char *msg);
/* A typed array's data with at least `need` elements, or NULL (and a pending JS error). */
GWB_INTERNAL void *gwb_typed(napi_env env, napi_value v, napi_typedarray_type want, size_t need, size_t *length_out);

/* mlpGanStep (gwb_mlp.c): a whole D or G step of an MLP GAN. */
GWB_INTERNAL napi_value gwb_mlp_gan_step(napi_env env, napi_callback_info info);
/* mlpTimers, mlpTimersRead (gwb_mlp.c): its optional per-phase timers. */
GWB_INTERNAL napi_value gwb_mlp_timers(napi_env env, napi_callback_info info);
GWB_INTERNAL napi_value gwb_mlp_timers_read(napi_env env, napi_callback_info info);

static inline uint32_t bits_of(float v) {
  uint32_t b;
  memcpy(&b, &v, sizeof b);
  return b;
}

/* ReLU as tfjs computes it (Math.max(0, x)): NaN stays NaN, where `x > 0 ? x : 0` made it 0. */
static inline float relu_of(float v) { return v < 0 ? 0.0f : v; }

#endif
