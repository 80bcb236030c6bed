/*
 * A whole D or G step of an MLP GAN in one call: G and D made of dense layers with linear, ReLU,
 * LeakyReLU or tanh activations, the vanilla objective on D's logits (non-saturating or minimax G),
 * Adam. On the MLP GAN of the catalog (4 → 128 → 128 → 2 against 2 → 128 → 128 → 1, batch 256) tfjs
 * spent about half of a step in its per-op bookkeeping, around 387 kernel calls; this is the same
 * arithmetic as those kernels, in their order and on the same BLAS calls, with none of the calls.
 *
 * The weights and Adam's moments are tfjs' own variables, updated in place (the caller checks that
 * no other tensor shares their memory), so checkpoints, exports and the generic step see exactly
 * what this step wrote. src-main/training/native-mlp-step.ts decides when a model qualifies and
 * keeps the generic tfjs step for everything else.
 */
#include "gwb_native.h"
#include <math.h>
#include <stdlib.h>
#ifdef _WIN32
#include <windows.h>
#else
#include <time.h>
#endif

enum { ACT_LINEAR = 0, ACT_RELU = 1, ACT_LEAKY = 2, ACT_TANH = 3 };
enum { PHASE_D = 0, PHASE_G = 1 };
enum { LOSS_NON_SATURATING = 0, LOSS_MINIMAX = 1 };
#define MAX_LAYERS 32
#define BIAS_COLUMNS 256 /* columns of a bias gradient summed at once (backward) */

typedef struct {
  int in, out, bias, act;
  double alpha;               /* LeakyReLU's slope (a JavaScript number, as tfjs' kernel takes it) */
  float *w, *b;               /* kernel [in, out] (row-major, as tfjs keeps it), bias [out] or NULL */
  float *mw, *vw, *mb, *vb;   /* Adam's moments of w and b, for the model this step updates */
  float *pre, *post;          /* pre-activation and output, rows × out (post is pre when linear) */
  float *dpost, *dpre;        /* their gradients */
  float *gw, *gb;             /* the parameters' gradients */
} Layer;

static float *arena = NULL;
static size_t arena_len = 0;

/*
 * Optional per-phase timers (bench/profile.ts --mlp): seconds spent in each phase of the D and of
 * the G step, and of that in BLAS products. A runtime switch (mlpTimers), not a compile-time define,
 * so the profiler measures the very build the app runs, with no second build; off, a step costs one
 * predictable branch per phase and per product. The order of PHASES must match bench/mlp-phases.ts
 * (mlpTimersRead returns the count, and the reader checks it).
 */
enum { T_ARGS, T_G_FORWARD, T_COPY, T_D_FORWARD, T_LOSS, T_D_BACKWARD, T_G_BACKWARD, T_NORM, T_ADAM, T_COUNT };
static int timing = 0;
static int timed_step = 0, timed_phase = 0; /* where the clock runs now: step (D or G) and phase */
static double timed_at = 0;                 /* when the current phase began */
static double phase_seconds[2][T_COUNT], gemm_seconds[2][T_COUNT], timed_calls[2];

static double now_seconds(void) {
#ifdef _WIN32
  LARGE_INTEGER t, f;
  QueryPerformanceCounter(&t);
  QueryPerformanceFrequency(&f);
  return (double)t.QuadPart / (double)f.QuadPart;
#else
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
#endif
}

/* Ends the running phase (its time is added to it) and starts `next`. */
static void lap(int next) {
  if (!timing) return;
  double t = now_seconds();
  phase_seconds[timed_step][timed_phase] += t - timed_at;
  timed_at = t;
  timed_phase = next;
}

/* gwb_gemm, its time also counted as the current phase's BLAS time. */
static void gemm(int trans_a, int trans_b, int m, int n, int k, const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc) {
  if (!timing) {
    gwb_gemm(trans_a, trans_b, m, n, k, a, lda, b, ldb, beta, c, ldc);
    return;
  }
  double t = now_seconds();
  gwb_gemm(trans_a, trans_b, m, n, k, a, lda, b, ldb, beta, c, ldc);
  gemm_seconds[timed_step][timed_phase] += now_seconds() - t;
}

/* mlpTimers(on: boolean): on, zeroes the timers and starts them; off, stops them (they keep their values). */
napi_value gwb_mlp_timers(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  size_t argc = 1;
  bool on = false;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || napi_get_value_bool(env, argv[0], &on) != napi_ok) return gwb_throw(env, "gwb_native: mlpTimers: expected a boolean");
  if (on) {
    memset(phase_seconds, 0, sizeof phase_seconds);
    memset(gemm_seconds, 0, sizeof gemm_seconds);
    memset(timed_calls, 0, sizeof timed_calls);
  }
  timing = on;
  return NULL;
}

/*
 * mlpTimersRead(out: Float64Array) → the number of phases P: out gets the D step's seconds per phase
 * (P values), the G step's (P), the D step's seconds in BLAS products per phase (P), the G step's
 * (P), then the number of D and of G steps timed.
 */
napi_value gwb_mlp_timers_read(napi_env env, napi_callback_info info) {
  napi_value argv[1], result;
  size_t argc = 1;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1) return gwb_throw(env, "gwb_native: mlpTimersRead: expected a Float64Array");
  double *out = gwb_typed(env, argv[0], napi_float64_array, 4 * T_COUNT + 2, NULL);
  if (!out) return NULL;
  for (int s = 0; s < 2; s++) {
    memcpy(out + s * T_COUNT, phase_seconds[s], sizeof phase_seconds[s]);
    memcpy(out + (2 + s) * T_COUNT, gemm_seconds[s], sizeof gemm_seconds[s]);
    out[4 * T_COUNT + s] = timed_calls[s];
  }
  napi_create_int32(env, T_COUNT, &result);
  return result;
}

/*
 * c ? a : b on the bits, without a branch. GCC keeps `c ? a : b` on floats as a branch (with its
 * default -ftrapping-math), which mispredicts on about half of a GAN's activations and keeps the
 * loop from vectorising: LeakyReLU's loops, forward and backward, were most of the MLP step's
 * element-wise time (perf, bench/profile.ts --mlp).
 */
static inline float pick(int c, float a, float b) {
  uint32_t mask = 0u - (uint32_t)c, r = (bits_of(a) & mask) | (bits_of(b) & ~mask);
  float f;
  memcpy(&f, &r, sizeof f);
  return f;
}

/* out = act(in·W + b) for every layer, keeping what the backward pass needs (the same calls as tfjs' fused matMul and activation kernels). */
static void forward(Layer *L, int n, const float *x, int rows) {
  const float *in = x;
  for (int l = 0; l < n; l++) {
    Layer *y = &L[l];
    size_t count = (size_t)rows * y->out;
    if (y->bias) {
      for (int r = 0; r < rows; r++) memcpy(y->pre + (size_t)r * y->out, y->b, (size_t)y->out * sizeof(float));
    }
    gemm(0, 0, rows, y->out, y->in, in, y->in, y->w, y->out, y->bias ? 1.0f : 0.0f, y->pre, y->out);
    switch (y->act) {
      case ACT_RELU:
        for (size_t i = 0; i < count; i++) y->post[i] = relu_of(y->pre[i]);
        break;
      case ACT_LEAKY: {
        /*
         * As tfjs' LeakyRelu kernel (and the addon's): alpha·x in double, rounded once; without a
         * branch (see pick).
         */
        double a = y->alpha;
        for (size_t i = 0; i < count; i++) {
          float v = y->pre[i];
          y->post[i] = pick(v < 0, (float)(a * v), v);
        }
        break;
      }
      case ACT_TANH:
        for (size_t i = 0; i < count; i++) y->post[i] = tanhf(y->pre[i]);
        break;
      default:
        break; /* linear: post is pre */
    }
    in = y->post;
  }
}

/*
 * Back from the gradient of the last output (in L[n−1].dpost) to the parameters (when `params`) and
 * to the input (into dx, when given), as tfjs' gradients compute them: LeakyReLU's by Greater and
 * Select, ReLU's and tanh's by multiplication, the kernel's by xᵀ·dy, the bias's summed over rows
 * in double (the addon's Sum), the input's by dy·Wᵀ.
 */
static void backward(Layer *L, int n, const float *x, int rows, int params, float *dx) {
  for (int l = n - 1; l >= 0; l--) {
    Layer *y = &L[l];
    size_t count = (size_t)rows * y->out;
    const float *d = y->dpost;
    float *dp = y->dpre;
    switch (y->act) {
      case ACT_RELU:
        for (size_t i = 0; i < count; i++) dp[i] = d[i] * pick(y->post[i] > 0, 1.0f, 0.0f);
        break;
      case ACT_LEAKY: {
        float a = (float)y->alpha; /* tfjs multiplies dy by alpha as a float32 scalar */
        for (size_t i = 0; i < count; i++) {
          float g = d[i];
          dp[i] = pick(y->pre[i] > 0, g, g * a); /* without a branch: see pick */
        }
        break;
      }
      case ACT_TANH:
        for (size_t i = 0; i < count; i++) dp[i] = d[i] * (1.0f - y->post[i] * y->post[i]);
        break;
      default:
        memcpy(dp, d, count * sizeof(float));
    }
    const float *in = l ? L[l - 1].post : x;
    if (params) {
      gemm(1, 0, y->in, y->out, rows, in, y->in, dp, y->out, 0.0f, y->gw, y->out);
      if (y->bias) {
        /*
         * Column sums in double, taken row by row along memory for BIAS_COLUMNS columns at a time
         * (a column at a time strode through memory, one dependent add after another): each
         * column's sum still adds its rows in order, so the result is the same to the bit.
         */
        for (int c0 = 0; c0 < y->out; c0 += BIAS_COLUMNS) {
          int width = y->out - c0 < BIAS_COLUMNS ? y->out - c0 : BIAS_COLUMNS;
          double total[BIAS_COLUMNS];
          for (int c = 0; c < width; c++) total[c] = 0;
          for (int r = 0; r < rows; r++) {
            const float *row = dp + (size_t)r * y->out + c0;
            for (int c = 0; c < width; c++) total[c] += row[c];
          }
          for (int c = 0; c < width; c++) y->gb[c0 + c] = (float)total[c];
        }
      }
    }
    float *dst = l ? L[l - 1].dpost : dx;
    if (dst) gemm(0, 1, rows, y->in, y->out, dp, y->out, y->w, y->out, 0.0f, dst, y->in);
  }
}

/*
 * Binary cross-entropy on logits, rows [from, to) against target z, as tfjs' sigmoidCrossEntropy:
 * mean of relu(x) − x·z + log1p(exp(−|x|)). Writes `scale` × its gradient into dx; returns the mean
 * loss, and the mean sigmoid into *mean_sigmoid.
 */
static float bce(const float *x, int from, int to, float z, float scale, float *dx, double *mean_sigmoid) {
  double total = 0, sig = 0;
  for (int i = from; i < to; i++) {
    float v = x[i];
    float u = expf(-fabsf(v));
    /* Each element in float32 as tfjs' kernels compute it, summed in double as the addon's Sum. */
    total += (relu_of(v) - v * z) + log1pf(u);
    sig += 1.0 / (1.0 + exp(-(double)v));
    /*
     * tfjs' tape, in its order: abs's term (through log1p, exp and neg), then mul's, then relu's,
     * each added to the sum of those before.
     */
    float by_abs = -((scale / (u + 1.0f)) * u) * (v > 0 ? 1.0f : -1.0f);
    float by_mul = (-scale) * z;
    float by_relu = scale * (v > 0 ? 1.0f : 0.0f);
    dx[i] = (by_abs + by_mul) + by_relu;
  }
  int n = to - from;
  *mean_sigmoid = n ? sig / n : 0;
  return n ? (float)total / (float)n : 0.0f;
}

/* Adds Σ v² to *total, one value at a time (the addon's globalNorm sums all arrays in one running total). */
static void add_squares(double *total, const float *v, size_t n) {
  for (size_t i = 0; i < n; i++) *total += (double)v[i] * v[i];
}

/* Carves `count` floats from the arena (grown beforehand). */
static float *carve(float **at, size_t count) {
  float *p = *at;
  *at += count;
  return p;
}

/*
 * mlpGanStep(spec: Int32Array, alphas: Float64Array, hyper: Float64Array, tensors: Float32Array[], out: Float32Array)
 *   spec   = [phase (0: D, 1: G), loss (0: non-saturating, 1: minimax), batch, G layers, D layers,
 *             then in, out, bias, activation for each layer of G, then of D]
 *   alphas = LeakyReLU slopes, one per layer (G's, then D's)
 *   hyper  = Adam of the model this step updates: beta1, beta2, 1 − beta1ᵗ, 1 − beta2ᵗ, rate, epsilon
 *   tensors = G's kernels and biases, D's, then m and v of each parameter of the updated model, then
 *             the real batch and z (D step) or z (G step)
 *   out    = [loss, mean D(x) on the real batch, mean D(G(z)), the updated model's gradient norm]
 * D step: D on the real and a generated batch in one pass (D treats samples independently), loss
 * ½·(BCE(1, D(x)) + BCE(0, D(G(z)))). G step: BCE(1, D(G(z))), or −BCE(0, D(G(z))) for minimax.
 */
napi_value gwb_mlp_gan_step(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  size_t argc = 5;
  if (timing) {
    timed_at = now_seconds();
    timed_phase = T_ARGS;
  }
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 5) return gwb_throw(env, "gwb_native: mlpGanStep: expected 5 arguments");
  if (!gwb_blas_loaded()) return gwb_throw(env, "gwb_native: no BLAS loaded");
  size_t spec_len, alpha_len, hyper_len, out_len;
  int32_t *spec = gwb_typed(env, argv[0], napi_int32_array, 5, &spec_len);
  double *alphas = spec ? gwb_typed(env, argv[1], napi_float64_array, 0, &alpha_len) : NULL;
  double *hyper = alphas ? gwb_typed(env, argv[2], napi_float64_array, 6, &hyper_len) : NULL;
  float *out = hyper ? gwb_typed(env, argv[4], napi_float32_array, 4, &out_len) : NULL;
  if (!out) return NULL;
  int phase = spec[0], loss_kind = spec[1], batch = spec[2], ng = spec[3], nd = spec[4];
  if (phase < 0 || phase > 1 || loss_kind < 0 || loss_kind > 1 || batch < 1 || ng < 1 || nd < 1 || ng + nd > MAX_LAYERS || spec_len < 5 + 4 * (size_t)(ng + nd) || alpha_len < (size_t)(ng + nd)) {
    return gwb_throw(env, "gwb_native: mlpGanStep: bad spec");
  }
  timed_step = phase;
  Layer L[MAX_LAYERS];
  memset(L, 0, sizeof L);
  for (int l = 0; l < ng + nd; l++) {
    const int32_t *s = spec + 5 + 4 * l;
    L[l] = (Layer){.in = s[0], .out = s[1], .bias = s[2], .act = s[3], .alpha = alphas[l]};
    if (L[l].in < 1 || L[l].out < 1 || L[l].act < ACT_LINEAR || L[l].act > ACT_TANH) return gwb_throw(env, "gwb_native: mlpGanStep: bad layer");
    int first = l == 0 || l == ng;
    if (!first && L[l].in != L[l - 1].out) return gwb_throw(env, "gwb_native: mlpGanStep: layer sizes do not chain");
  }
  Layer *G = L, *D = L + ng;
  if (D[0].in != G[ng - 1].out || D[nd - 1].out != 1) return gwb_throw(env, "gwb_native: mlpGanStep: G's output must be D's input, and D must end in one logit");

  /* The tensors, checked for their sizes. */
  bool is_array = false;
  napi_is_array(env, argv[3], &is_array);
  if (!is_array) return gwb_throw(env, "gwb_native: mlpGanStep: expected an array of Float32Arrays");
  uint32_t count = 0, at = 0;
  napi_get_array_length(env, argv[3], &count);
#define NEXT(ptr, need)                                                          \
  do {                                                                           \
    napi_value item;                                                             \
    if (at >= count) return gwb_throw(env, "gwb_native: mlpGanStep: too few tensors"); \
    napi_get_element(env, argv[3], at++, &item);                                 \
    if (!((ptr) = gwb_typed(env, item, napi_float32_array, (need), NULL))) return NULL; \
  } while (0)
  for (int l = 0; l < ng + nd; l++) {
    NEXT(L[l].w, (size_t)L[l].in * L[l].out);
    if (L[l].bias) NEXT(L[l].b, (size_t)L[l].out);
  }
  Layer *U = phase == PHASE_D ? D : G;
  int nu = phase == PHASE_D ? nd : ng;
  for (int l = 0; l < nu; l++) {
    NEXT(U[l].mw, (size_t)U[l].in * U[l].out);
    NEXT(U[l].vw, (size_t)U[l].in * U[l].out);
    if (U[l].bias) {
      NEXT(U[l].mb, (size_t)U[l].out);
      NEXT(U[l].vb, (size_t)U[l].out);
    }
  }
  float *real = NULL, *z = NULL;
  if (phase == PHASE_D) NEXT(real, (size_t)batch * D[0].in);
  NEXT(z, (size_t)batch * G[0].in);
#undef NEXT

  /* Scratch: activations and gradients of both models at the rows each runs on. */
  int g_rows = batch, d_rows = phase == PHASE_D ? 2 * batch : batch;
  size_t need = (size_t)d_rows * D[0].in + (size_t)batch * G[0].in;
  for (int l = 0; l < ng + nd; l++) {
    size_t rows = (size_t)(l < ng ? g_rows : d_rows);
    need += 4 * rows * L[l].out + (size_t)L[l].in * L[l].out + (size_t)L[l].out;
  }
  if (!gwb_grow(&arena, &arena_len, need)) return gwb_throw(env, "gwb_native: out of memory");
  float *cursor = arena;
  for (int l = 0; l < ng + nd; l++) {
    size_t cells = (size_t)(l < ng ? g_rows : d_rows) * L[l].out;
    L[l].pre = carve(&cursor, cells);
    L[l].post = L[l].act == ACT_LINEAR ? L[l].pre : carve(&cursor, cells);
    L[l].dpost = carve(&cursor, cells);
    L[l].dpre = carve(&cursor, cells);
    L[l].gw = carve(&cursor, (size_t)L[l].in * L[l].out);
    L[l].gb = carve(&cursor, (size_t)L[l].out);
  }
  float *d_in = carve(&cursor, (size_t)d_rows * D[0].in);
  float *dfake = carve(&cursor, (size_t)batch * G[0].in);

  float loss;
  double mean_real = 0, mean_fake = 0;
  lap(T_G_FORWARD);
  if (phase == PHASE_D) {
    /* The generated batch (no gradient to G), then D on [real; generated] in one pass. */
    forward(G, ng, z, g_rows);
    lap(T_COPY);
    size_t width = (size_t)D[0].in;
    memcpy(d_in, real, (size_t)batch * width * sizeof(float));
    memcpy(d_in + (size_t)batch * width, G[ng - 1].post, (size_t)batch * width * sizeof(float));
    lap(T_D_FORWARD);
    forward(D, nd, d_in, d_rows);
    lap(T_LOSS);
    const float *logits = D[nd - 1].post;
    float *dl = D[nd - 1].dpost;
    float half = 0.5f / (float)batch;
    float real_loss = bce(logits, 0, batch, 1.0f, half, dl, &mean_real);
    float fake_loss = bce(logits, batch, d_rows, 0.0f, half, dl, &mean_fake);
    loss = 0.5f * (real_loss + fake_loss);
    lap(T_D_BACKWARD);
    backward(D, nd, d_in, d_rows, 1, NULL);
  } else {
    forward(G, ng, z, g_rows);
    lap(T_D_FORWARD);
    forward(D, nd, G[ng - 1].post, d_rows);
    lap(T_LOSS);
    const float *logits = D[nd - 1].post;
    float *dl = D[nd - 1].dpost;
    if (loss_kind == LOSS_NON_SATURATING) {
      loss = bce(logits, 0, batch, 1.0f, 1.0f / (float)batch, dl, &mean_fake);
    } else {
      loss = -bce(logits, 0, batch, 0.0f, -1.0f / (float)batch, dl, &mean_fake);
    }
    /* Through D to its input (D's own gradients are not needed), then through G. */
    lap(T_D_BACKWARD);
    backward(D, nd, G[ng - 1].post, d_rows, 0, dfake);
    lap(T_COPY);
    memcpy(G[ng - 1].dpost, dfake, (size_t)batch * G[ng - 1].out * sizeof(float));
    lap(T_G_BACKWARD);
    backward(G, ng, z, g_rows, 1, NULL);
  }
  lap(T_NORM);

  /* The updated model's gradient norm (reported on logged steps), then Adam, in place. */
  double norm = 0;
  for (int l = 0; l < nu; l++) {
    add_squares(&norm, U[l].gw, (size_t)U[l].in * U[l].out);
    if (U[l].bias) add_squares(&norm, U[l].gb, (size_t)U[l].out);
  }
  lap(T_ADAM);
  double k[6];
  memcpy(k, hyper, sizeof k);
  for (int l = 0; l < nu; l++) {
    size_t cells = (size_t)U[l].in * U[l].out;
    gwb_adam(cells, U[l].w, U[l].gw, U[l].mw, U[l].vw, U[l].w, U[l].mw, U[l].vw, k);
    if (U[l].bias) gwb_adam((size_t)U[l].out, U[l].b, U[l].gb, U[l].mb, U[l].vb, U[l].b, U[l].mb, U[l].vb, k);
  }
  out[0] = (float)loss;
  out[1] = (float)mean_real;
  out[2] = (float)mean_fake;
  out[3] = (float)sqrt(norm);
  if (timing) {
    lap(T_ARGS); /* Adam's time ends here; the next step restarts the clock */
    timed_calls[phase]++;
  }
  return NULL;
}
