/*
 * Multi-scalar multiplication on secp256k1 over public inputs, through the OpenSSL Node itself
 * is built with (EC_POINTs_mul: interleaved wNAF, Möller 2001 / Bernstein's "Straus"
 * interleaving; variable time, so public scalars and points only).
 *
 * Why this exists: a FROST signer (RFC 9591 §4.5) computes the group commitment
 * R = Σ D_i + Σ ρ_i·E_i over every signer's nonce commitments, and checks z·G − c·Y = R and,
 * to blame, z_i·G = D_i + ρ_i·E_i + c·λ_i·Y_i. In BigInt (noble's field arithmetic, ~10 µs a
 * point addition here) a 14-signer group commitment costs ~10 ms per signer; fourteen signer
 * processes sharing two cores spend most of a 14-of-20 signature there. OpenSSL's Montgomery
 * field arithmetic does the same multiplication ~20x faster. Node's node:crypto exposes no
 * point arithmetic (ECDH gives k·P's x only), hence this binding to its EC API. No
 * cryptography is implemented in this file; secrets never reach it (nonces and shares are
 * multiplied by OpenSSL's constant-time ladder through node:crypto, src/keys/ec.ts).
 *
 * Inputs: points as concatenated SEC1 encodings of one length (33 compressed or 65
 * uncompressed bytes, decoded and checked to be on the curve by OpenSSL; the identity is
 * refused), scalars as 32-byte big-endian integers below the group order (the caller's
 * canonical scalars). Built by scripts/build.mjs with Node's own headers; without them
 * src/keys/ec.ts computes the same sums with noble (the tests compare the two).
 */
#define NAPI_VERSION 8
#define OPENSSL_SUPPRESS_DEPRECATED /* EC_POINTs_mul: deprecated in 3.0 for EC_POINT_mul, which takes one point */
#include <node_api.h>
#include "napi-args.h"
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

static EC_GROUP *group;
static const BIGNUM *order;
static pthread_once_t group_once = PTHREAD_ONCE_INIT;

static void make_group(void) {
  group = EC_GROUP_new_by_curve_name(NID_secp256k1);
  if (group) order = EC_GROUP_get0_order(group);
}

static napi_value fail(napi_env env, const char *msg) { return napi_args_fail(env, "ERR_TACIT_SECP256K1", msg); }

static int bytes_of(napi_env env, napi_value v, uint8_t **data, size_t *len) { return napi_args_typed(env, v, napi_uint8_array, (void **)data, len); }

static napi_value int_value(napi_env env, int32_t x) { return napi_args_int(env, x); }

/*
 * msm(points, stride, scalars, base, out) → 1 when out (33 bytes) holds the compressed
 * base·G + Σ scalars[i]·points[i]; 0 when that sum is the identity; −(i + 1) when point i does
 * not decode to a point on the curve; −(count + 2) when a scalar is not below the order.
 * `base` is a 32-byte scalar or null (no G term).
 */
static napi_value msm(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 5 || !group) return fail(env, "msm(points, stride, scalars, base, out)");
  uint8_t *pts, *sc, *base = NULL, *out;
  size_t plen, slen, blen = 0, olen;
  int32_t stride;
  napi_valuetype bt;
  napi_typeof(env, argv[3], &bt);
  if (!bytes_of(env, argv[0], &pts, &plen) || napi_get_value_int32(env, argv[1], &stride) != napi_ok || !bytes_of(env, argv[2], &sc, &slen) ||
      !bytes_of(env, argv[4], &out, &olen))
    return fail(env, "msm: expected Uint8Array points, a stride, Uint8Array scalars and a 33-byte output");
  if (bt != napi_null && bt != napi_undefined && (!bytes_of(env, argv[3], &base, &blen) || blen != 32)) return fail(env, "msm: base must be 32 bytes or null");
  if ((stride != 33 && stride != 65) || plen % (size_t)stride != 0 || slen != plen / (size_t)stride * 32 || olen != 33) return fail(env, "msm: lengths do not match");
  size_t n = plen / (size_t)stride;
  int32_t status = 1;
  BN_CTX *ctx = BN_CTX_new();
  EC_POINT **P = (EC_POINT **)calloc(n ? n : 1, sizeof(EC_POINT *));
  BIGNUM **K = (BIGNUM **)calloc(n ? n : 1, sizeof(BIGNUM *));
  BIGNUM *g = base ? BN_bin2bn(base, 32, NULL) : NULL;
  EC_POINT *r = EC_POINT_new(group);
  if (!ctx || !P || !K || !r || (base && !g)) {
    status = -(int32_t)n - 3;
    goto done;
  }
  if (g && BN_cmp(g, order) >= 0) {
    status = -(int32_t)n - 2;
    goto done;
  }
  for (size_t i = 0; i < n; i++) {
    P[i] = EC_POINT_new(group);
    K[i] = BN_bin2bn(sc + 32 * i, 32, NULL);
    if (!P[i] || !K[i]) {
      status = -(int32_t)n - 3;
      goto done;
    }
    if (EC_POINT_oct2point(group, P[i], pts + (size_t)stride * i, (size_t)stride, ctx) != 1 || EC_POINT_is_at_infinity(group, P[i])) {
      status = -(int32_t)i - 1;
      goto done;
    }
    if (BN_cmp(K[i], order) >= 0) {
      status = -(int32_t)n - 2;
      goto done;
    }
  }
  if (EC_POINTs_mul(group, r, g, n, (const EC_POINT **)P, (const BIGNUM **)K, ctx) != 1) {
    status = -(int32_t)n - 3;
    goto done;
  }
  if (EC_POINT_is_at_infinity(group, r)) status = 0;
  else if (EC_POINT_point2oct(group, r, POINT_CONVERSION_COMPRESSED, out, 33, ctx) != 33) status = -(int32_t)n - 3;
done:
  for (size_t i = 0; P && K && i < n; i++) {
    EC_POINT_free(P[i]);
    BN_free(K[i]);
  }
  free(P);
  free(K);
  BN_free(g);
  EC_POINT_free(r);
  BN_CTX_free(ctx);
  if (status == -(int32_t)n - 3) return fail(env, "msm: OpenSSL failed (out of memory?)");
  return int_value(env, status);
}

/* check(points, stride) → −1 when every point decodes to a point on the curve (not the identity), else the index of the first that does not. */
static napi_value check(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  uint8_t *pts;
  size_t plen;
  int32_t stride;
  if (argc < 2 || !group || !bytes_of(env, argv[0], &pts, &plen) || napi_get_value_int32(env, argv[1], &stride) != napi_ok || (stride != 33 && stride != 65) ||
      plen % (size_t)stride != 0)
    return fail(env, "check(points, stride)");
  BN_CTX *ctx = BN_CTX_new();
  EC_POINT *p = EC_POINT_new(group);
  if (!ctx || !p) {
    EC_POINT_free(p);
    BN_CTX_free(ctx);
    return fail(env, "check: out of memory");
  }
  int32_t bad = -1;
  for (size_t i = 0; i < plen / (size_t)stride; i++) {
    if (EC_POINT_oct2point(group, p, pts + (size_t)stride * i, (size_t)stride, ctx) != 1 || EC_POINT_is_at_infinity(group, p)) {
      bad = (int32_t)i;
      break;
    }
  }
  EC_POINT_free(p);
  BN_CTX_free(ctx);
  return int_value(env, bad);
}

static napi_value init(napi_env env, napi_value exports) {
  pthread_once(&group_once, make_group);
  if (!group) return fail(env, "OpenSSL has no secp256k1 group");
  napi_property_descriptor props[] = {
      {"msm", NULL, msm, NULL, NULL, NULL, napi_enumerable, NULL},
      {"check", NULL, check, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(secp256k1_msm, init)
