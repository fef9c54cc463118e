/*
 * Multi-scalar multiplication on secp256k1 over public inputs, by libsecp256k1's own
 * variable-time multi-multiplication (secp256k1_ecmult_multi_var: Strauss' interleaved wNAF
 * with the GLV endomorphism, Pippenger past its threshold), compiled here from the library
 * source the `secp256k1` npm package ships (node_modules/secp256k1/src/secp256k1, MIT).
 *
 * Why this exists: a FROST signer (RFC 9591 §4.5) computes the group commitment
 * R = Σ D_i + Σ ρ_i·E_i over every signer's nonce commitments and checks z·G − c·Y = R. The
 * package's prebuilt binding exposes only single-point operations (`publicKeyTweakMul`, a
 * constant-time ladder per term, then one `publicKeyCombine`), so a 14-signer sum paid
 * fourteen full ladders; the library's internal multi-multiplication shares one doubling
 * chain across all terms and skips the constant-time cost the public inputs do not need
 * (~4x faster at 28 terms here). No cryptography is implemented in this file — it unpacks
 * arguments and calls the library; secrets never reach it (nonces and shares are multiplied
 * through node:crypto / noble's constant-time paths, src/keys/ec.ts).
 *
 * Inputs: points as concatenated 33-byte compressed SEC1 encodings (parsed and checked to be
 * on the curve by the library; the identity has no such encoding), scalars as 32-byte
 * big-endian integers below the group order. Built by scripts/build.mjs with Node's headers
 * when the library source is installed; otherwise src/keys/ec.ts falls back to the other
 * backends (the tests compare them all).
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include "napi-args.h"
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#if __has_include("../node_modules/secp256k1/src/secp256k1/src/secp256k1.c")
#define HAVE_LIBSECP256K1_SOURCE 1
/* The configuration the package's own binding.gyp builds with (src/basic-config.h lists them),
 * except a smaller table for G: only one G term per call here, and the table is built per process. */
#define ECMULT_GEN_PREC_BITS 4
#define ECMULT_WINDOW_SIZE 10
#define USE_ENDOMORPHISM 1
#define USE_NUM_NONE 1
#define USE_FIELD_INV_BUILTIN 1
#define USE_SCALAR_INV_BUILTIN 1
#if defined(__x86_64__) && defined(__SIZEOF_INT128__)
#define HAVE___INT128 1
#define USE_ASM_X86_64 1
#define USE_FIELD_5X52 1
#define USE_SCALAR_4X64 1
#elif defined(__SIZEOF_INT128__)
#define HAVE___INT128 1
#define USE_FIELD_5X52 1
#define USE_SCALAR_4X64 1
#else
#define USE_FIELD_10X26 1
#define USE_SCALAR_8X32 1
#endif
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wnonnull-compare"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#pragma GCC diagnostic ignored "-Wunused-variable"
#pragma GCC diagnostic ignored "-Wunused-but-set-variable"
#include "../node_modules/secp256k1/src/secp256k1/src/secp256k1.c"
#pragma GCC diagnostic pop
#endif

static napi_value fail(napi_env env, const char *msg) { return napi_args_fail(env, "ERR_TACIT_SECP256K1", msg); }

static int bytes_of(napi_env env, napi_value v, uint8_t **data, size_t *len) { return napi_args_typed(env, v, napi_uint8_array, (void **)data, len); }

static napi_value int_value(napi_env env, int32_t x) { return napi_args_int(env, x); }

#ifdef HAVE_LIBSECP256K1_SOURCE
static secp256k1_context *ctx; /* read-only after creation: its G table serves every thread */
static pthread_once_t ctx_once = PTHREAD_ONCE_INIT;
static void make_ctx(void) { ctx = secp256k1_context_create(SECP256K1_CONTEXT_VERIFY); }

/* The library reports misuse through a callback; here it only marks the call as failed. */
static void note_error(const char *msg, void *data) {
  (void)msg;
  *(int *)data = 1;
}

typedef struct {
  const secp256k1_ge *points;
  const secp256k1_scalar *scalars;
  const size_t *index; /* the terms whose scalar is not 1 */
} terms;

static int term_at(secp256k1_scalar *sc, secp256k1_ge *pt, size_t idx, void *data) {
  const terms *t = (const terms *)data;
  *sc = t->scalars[t->index[idx]];
  *pt = t->points[t->index[idx]];
  return 1;
}

/*
 * msm(points, scalars, base, out) → 1 when out (33 bytes) holds the compressed
 * base·G + Σ scalars[i]·points[i]; 0 when that sum is the identity; −(i + 1) when point i does
 * not decode to a point on the curve; −(count + 2) when a scalar is not below the order;
 * −(count + 3) when the library could not run (out of memory).
 * `base` is a 32-byte scalar or null (no G term).
 */
static napi_value msm(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  pthread_once(&ctx_once, make_ctx);
  if (argc < 4 || !ctx) return fail(env, "msm(points, scalars, base, out)");
  uint8_t *pts, *sc, *base = NULL, *out;
  size_t plen, slen, blen = 0, olen;
  napi_valuetype bt;
  napi_typeof(env, argv[2], &bt);
  if (!bytes_of(env, argv[0], &pts, &plen) || !bytes_of(env, argv[1], &sc, &slen) || !bytes_of(env, argv[3], &out, &olen))
    return fail(env, "msm: expected Uint8Array points, Uint8Array scalars and a 33-byte output");
  if (bt != napi_null && bt != napi_undefined && (!bytes_of(env, argv[2], &base, &blen) || blen != 32)) return fail(env, "msm: base must be 32 bytes or null");
  if (plen % 33 != 0 || slen != plen / 33 * 32 || olen != 33) return fail(env, "msm: lengths do not match");
  size_t n = plen / 33;
  int32_t bad_scalar = -(int32_t)n - 2, no_memory = -(int32_t)n - 3;

  secp256k1_scalar g_sc, *g = NULL;
  int overflow = 0;
  if (base) {
    secp256k1_scalar_set_b32(&g_sc, base, &overflow);
    if (overflow) return int_value(env, bad_scalar);
    g = &g_sc;
  }
  secp256k1_ge *ge = n ? malloc(n * sizeof *ge) : NULL;
  secp256k1_scalar *s = n ? malloc(n * sizeof *s) : NULL;
  size_t *index = n ? malloc(n * sizeof *index) : NULL;
  if (n && (!ge || !s || !index)) {
    free(ge);
    free(s);
    free(index);
    return int_value(env, no_memory);
  }
  int32_t status = 1;
  for (size_t i = 0; i < n && status == 1; i++) {
    if (!secp256k1_eckey_pubkey_parse(&ge[i], pts + 33 * i, 33)) status = -(int32_t)i - 1;
    else {
      secp256k1_scalar_set_b32(&s[i], sc + 32 * i, &overflow);
      if (overflow) status = bad_scalar;
    }
  }
  if (status == 1) {
    int err = 0;
    secp256k1_callback cb = {note_error, &err};
    /* Terms with scalar 1 (FROST's hiding commitments D_i) are plain additions; the rest share
     * one Strauss run, whose scratch is sized for them with room for the allocator's alignment. */
    secp256k1_gej ones, r;
    size_t m = 0;
    secp256k1_gej_set_infinity(&ones);
    for (size_t i = 0; i < n; i++) {
      if (secp256k1_scalar_is_one(&s[i])) secp256k1_gej_add_ge_var(&ones, &ones, &ge[i], NULL);
      else index[m++] = i;
    }
    secp256k1_scratch *scratch = secp256k1_scratch_create(&cb, secp256k1_strauss_scratch_size(m ? m : 1) + 16 * STRAUSS_SCRATCH_OBJECTS);
    terms t = {ge, s, index};
    if (!scratch || !secp256k1_ecmult_multi_var(&cb, &ctx->ecmult_ctx, scratch, &r, g, term_at, &t, m) || err) status = no_memory;
    else if (secp256k1_gej_add_var(&r, &r, &ones, NULL), secp256k1_gej_is_infinity(&r)) status = 0;
    else {
      secp256k1_ge a;
      size_t len = 33;
      secp256k1_ge_set_gej_var(&a, &r);
      if (!secp256k1_eckey_pubkey_serialize(&a, out, &len, 1)) status = no_memory;
    }
    if (scratch) secp256k1_scratch_destroy(&cb, scratch);
  }
  free(ge);
  free(s);
  free(index);
  return int_value(env, status);
}

/* check(points) → −1 when every 33-byte encoding is a curve point, else the first bad index. */
static napi_value check(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  uint8_t *pts;
  size_t plen;
  if (argc < 1 || !bytes_of(env, argv[0], &pts, &plen) || plen % 33 != 0) return fail(env, "check(points): 33-byte encodings");
  for (size_t i = 0; i < plen / 33; i++) {
    secp256k1_ge ge;
    if (!secp256k1_eckey_pubkey_parse(&ge, pts + 33 * i, 33)) return int_value(env, (int32_t)i);
  }
  return int_value(env, -1);
}
#endif

NAPI_MODULE_INIT() {
#ifdef HAVE_LIBSECP256K1_SOURCE
  napi_property_descriptor props[] = {
      {"msm", NULL, msm, NULL, NULL, NULL, napi_default, NULL},
      {"check", NULL, check, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, 2, props);
#else
  (void)fail;
  (void)bytes_of;
  (void)int_value;
#endif
  return exports;
}
