/*
 * Batched X25519 (RFC 7748 §5) for the DH-PSI's masking key, through the OpenSSL that Node
 * itself is built with (the EVP_PKEY X25519 derive), called once per batch of points.
 *
 * Why this exists: Node exposes X25519 only as `crypto.diffieHellman()` on KeyObjects, so
 * every peer point must first become a public KeyObject (~10 µs from a JWK) and every call
 * pays the JavaScript wrapper (~7 µs), on top of OpenSSL's ~50 µs for the ladder itself
 * (measured on the 2-vCPU build machine; docs/psi.md). A PSI does two of these per id per
 * party, so the wrapper is a fifth of its time. Here one N-API call runs a whole batch.
 *
 * Per point, the batch calls OpenSSL's X25519 function `ossl_x25519` (crypto/ec/curve25519.c:
 * the clamped Montgomery ladder of RFC 7748, returning 0 for the all-zero output of a
 * small-order point), which Node's binary exports. It is not part of OpenSSL's public API,
 * so it is looked up at load time; where it is missing the batch goes through the public
 * EVP interface instead (a fresh peer EVP_PKEY per point and one reused EVP_PKEY_CTX), which
 * computes the same function ~6 µs a point slower. `path()` says which is in use. No
 * cryptography is implemented in this file.
 *
 * The private key is generated inside OpenSSL and never crosses into JavaScript; the
 * handle's finalizer (or `destroy`) frees it, and OpenSSL clears the scalar on free.
 * `importKey` exists for the RFC 7748 test vectors.
 *
 * Built by scripts/build.mjs with the C compiler and Node's own headers when both are
 * present; without them `src/psi/masking-key.ts` falls back to the KeyObject path, which
 * computes the same function (the tests compare the two).
 */
#define _GNU_SOURCE /* RTLD_DEFAULT */
#define NAPI_VERSION 8
#include <node_api.h>
#include "napi-args.h"
#include <openssl/evp.h>
#include <openssl/crypto.h>
#include <dlfcn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef int (*X25519Fn)(uint8_t out[32], const uint8_t scalar[32], const uint8_t point[32]);
static X25519Fn raw_x25519;

typedef struct {
  EVP_PKEY *key;
  EVP_PKEY_CTX *ctx;
  uint8_t scalar[32]; /* the same private key, raw, for raw_x25519 */
} MaskingKey;

static void release(MaskingKey *k) {
  if (k->ctx) EVP_PKEY_CTX_free(k->ctx);
  if (k->key) EVP_PKEY_free(k->key);
  OPENSSL_cleanse(k->scalar, sizeof k->scalar);
  k->ctx = NULL;
  k->key = NULL;
}

static void finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  MaskingKey *k = (MaskingKey *)data;
  release(k);
  free(k);
}

static napi_value fail(napi_env env, const char *code, const char *msg) { return napi_args_fail(env, code, msg); }

static napi_value wrap(napi_env env, EVP_PKEY *key) {
  if (!key) return fail(env, "ERR_TACIT_X25519", "OpenSSL could not create an X25519 key");
  MaskingKey *k = (MaskingKey *)calloc(1, sizeof(MaskingKey));
  if (!k) {
    EVP_PKEY_free(key);
    return fail(env, "ERR_TACIT_X25519", "out of memory");
  }
  k->key = key;
  k->ctx = EVP_PKEY_CTX_new(key, NULL);
  size_t len = sizeof k->scalar;
  if (!k->ctx || EVP_PKEY_derive_init(k->ctx) != 1 || EVP_PKEY_get_raw_private_key(key, k->scalar, &len) != 1 || len != 32) {
    release(k);
    free(k);
    return fail(env, "ERR_TACIT_X25519", "OpenSSL could not start an X25519 derivation");
  }
  napi_value out;
  if (napi_create_external(env, k, finalize, NULL, &out) != napi_ok) {
    release(k);
    free(k);
    return fail(env, "ERR_TACIT_X25519", "could not wrap the key");
  }
  return out;
}

/* newKey(): a fresh random X25519 private key. */
static napi_value new_key(napi_env env, napi_callback_info info) {
  (void)info;
  EVP_PKEY *key = NULL;
  EVP_PKEY_CTX *g = EVP_PKEY_CTX_new_id(EVP_PKEY_X25519, NULL);
  if (!g || EVP_PKEY_keygen_init(g) != 1 || EVP_PKEY_keygen(g, &key) != 1) key = NULL;
  if (g) EVP_PKEY_CTX_free(g);
  return wrap(env, key);
}

static int typed_bytes(napi_env env, napi_value v, unsigned char **data, size_t *len) {
  return napi_args_typed(env, v, napi_uint8_array, (void **)data, len);
}

/* importKey(scalar: Uint8Array(32)): a key from raw bytes (test vectors only). */
static napi_value import_key(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  unsigned char *raw;
  size_t len;
  if (argc < 1 || !typed_bytes(env, argv[0], &raw, &len) || len != 32) return fail(env, "ERR_INVALID_ARG_TYPE", "importKey needs a 32-byte Uint8Array");
  return wrap(env, EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, raw, 32));
}

static MaskingKey *unwrap(napi_env env, napi_value v) {
  napi_valuetype t;
  void *p = NULL;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_external) return NULL;
  if (napi_get_value_external(env, v, &p) != napi_ok) return NULL;
  return (MaskingKey *)p;
}

/*
 * mask(key, points, out): out[32i..] = X25519(k, points[32i..]) for every 32-byte point.
 * Returns -1, or the index of the first point OpenSSL refused (a small-order point gives the
 * all-zero output, which RFC 7748 §6.1 lets and OpenSSL makes callers reject); `out` up to
 * that index is written. `out` may be `points`.
 */
static napi_value mask(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  MaskingKey *k = argc >= 1 ? unwrap(env, argv[0]) : NULL;
  if (!k) return fail(env, "ERR_INVALID_ARG_TYPE", "mask needs a key from newKey()");
  if (!k->ctx) return fail(env, "ERR_TACIT_X25519", "mask: the key was destroyed");
  unsigned char *in, *out;
  size_t inLen, outLen;
  if (argc < 3 || !typed_bytes(env, argv[1], &in, &inLen) || !typed_bytes(env, argv[2], &out, &outLen)) {
    return fail(env, "ERR_INVALID_ARG_TYPE", "mask needs (key, points: Uint8Array, out: Uint8Array)");
  }
  if (inLen % 32 != 0 || outLen < inLen) return fail(env, "ERR_OUT_OF_RANGE", "mask: points must be whole 32-byte values and out as long");
  int64_t bad = -1;
  unsigned char shared[32];
  for (size_t off = 0; off < inLen; off += 32) {
    int ok;
    if (raw_x25519) {
      ok = raw_x25519(shared, k->scalar, in + off) == 1;
    } else {
      EVP_PKEY *peer = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, in + off, 32);
      size_t sl = sizeof shared;
      ok = peer != NULL && EVP_PKEY_derive_set_peer(k->ctx, peer) == 1 && EVP_PKEY_derive(k->ctx, shared, &sl) == 1 && sl == 32;
      if (peer) EVP_PKEY_free(peer);
    }
    if (!ok) {
      bad = (int64_t)(off / 32);
      break;
    }
    memcpy(out + off, shared, 32);
  }
  OPENSSL_cleanse(shared, sizeof shared);
  napi_value r;
  napi_create_int64(env, bad, &r);
  return r;
}

/* destroy(key): frees the key now (the finalizer would, later). */
static napi_value destroy(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  MaskingKey *k = argc >= 1 ? unwrap(env, argv[0]) : NULL;
  if (k) release(k);
  return NULL;
}

/* path(): "ossl_x25519" or "evp", the route `mask` takes. */
static napi_value path(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value r;
  napi_create_string_utf8(env, raw_x25519 ? "ossl_x25519" : "evp", NAPI_AUTO_LENGTH, &r);
  return r;
}

static napi_value init(napi_env env, napi_value exports) {
  if (!getenv("TACIT_X25519_EVP")) raw_x25519 = (X25519Fn)dlsym(RTLD_DEFAULT, "ossl_x25519");
  napi_property_descriptor props[] = {
    {"path", NULL, path, NULL, NULL, NULL, napi_enumerable, NULL},
    {"newKey", NULL, new_key, NULL, NULL, NULL, napi_enumerable, NULL},
    {"importKey", NULL, import_key, NULL, NULL, NULL, napi_enumerable, NULL},
    {"mask", NULL, mask, NULL, NULL, NULL, napi_enumerable, NULL},
    {"destroy", NULL, destroy, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(x25519_batch, init)
