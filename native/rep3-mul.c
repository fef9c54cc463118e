/*
 * rep3's local product with its zero-sharing, fused in one pass (src/mpc/rep3/product-kernel.ts),
 * reading and writing the engine's BigUint64Arrays where they are.
 *
 *   mul(out, x0, x1, y0, y1, kSelf, kNext, start, boolean)
 *     out[i] = x0[i]·(y0[i] + y1[i]) + x1[i]·y0[i] + S[start+i] − N[start+i]   (mod 2^64)
 *     or, with `boolean`, (x0 & (y0 ^ y1)) ^ (x1 & y0) ^ S ^ N on 64-bit words,
 *   where S and N are the AES-128-CTR keystreams of the 16-byte seeds kSelf and kNext read as
 *   little-endian 64-bit words (IV 0, 128-bit big-endian counter: exactly the stream
 *   src/crypto/prg.ts draws from a seed), from element `start` on. kSelf = null: no mask
 *   (S = N = 0), for products whose local terms a truncation masks.
 *
 * Why this exists: the WebAssembly path (src/crypto/ring64.ts rep3Mul) copies the four inputs
 * into the kernel's memory and the result out, and draws the 16 MB of keystream a product of
 * 10^6 needs from node:crypto's `cipher.update`, which returns a fresh Buffer per call; a
 * profile of three party processes showed those copies, the buffers and their garbage
 * collection costing about as much as the TLS that carries the product. Here the keystream
 * goes into two 8 KiB buffers that stay in L1 and each element is read and written once.
 * No cryptography is implemented in this file: AES is OpenSSL's (the one Node is built with,
 * AES-NI); what is keyed with which seed is decided in src/mpc/rep3/.
 *
 * Built by scripts/build.mjs when a C compiler and Node's headers are present; without it the
 * TypeScript side runs the WebAssembly path, which gives the same values (the tests compare
 * both with a BigInt reference).
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include "napi-args.h"
#include <openssl/evp.h>
#include <stdint.h>
#include <string.h>

#define BLOCK 1024 /* elements per keystream buffer: 8 KiB each, two of them in L1 */

static const unsigned char ZEROS[BLOCK * 8];

static napi_value fail(napi_env env, const char *msg) { return napi_args_fail(env, "ERR_INVALID_ARG_VALUE", msg); }

static int words(napi_env env, napi_value v, uint64_t **data, size_t *len) {
  return napi_args_typed(env, v, napi_biguint64_array, (void **)data, len);
}

static int seed(napi_env env, napi_value v, const unsigned char **key) {
  size_t len;
  return napi_args_typed(env, v, napi_uint8_array, (void **)key, &len) && len == 16;
}

/* An AES-128-CTR context on `key` positioned at byte 8·start of its stream. */
static EVP_CIPHER_CTX *stream_at(const unsigned char *key, uint64_t start) {
  EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
  if (!c) return NULL;
  unsigned char iv[16] = {0};
  uint64_t block = start / 2; /* two 64-bit words per AES block */
  for (int i = 0; i < 8; i++) iv[15 - i] = (unsigned char)(block >> (8 * i));
  int n = 0;
  unsigned char skip[8];
  if (EVP_EncryptInit_ex(c, EVP_aes_128_ctr(), NULL, key, iv) != 1 || ((start & 1) && EVP_EncryptUpdate(c, skip, &n, ZEROS, 8) != 1)) {
    EVP_CIPHER_CTX_free(c);
    return NULL;
  }
  return c;
}

static napi_value mul(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value argv[9];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  uint64_t *out, *x0, *x1, *y0, *y1;
  size_t n, l1, l2, l3, l4;
  const unsigned char *ks = NULL, *kn = NULL;
  napi_valuetype t;
  double start;
  bool boolean;
  if (argc < 9 || !words(env, argv[0], &out, &n) || !words(env, argv[1], &x0, &l1) || !words(env, argv[2], &x1, &l2) ||
      !words(env, argv[3], &y0, &l3) || !words(env, argv[4], &y1, &l4) || l1 != n || l2 != n || l3 != n || l4 != n)
    return fail(env, "rep3 mul(out, x0, x1, y0, y1, kSelf, kNext, start, boolean): five BigUint64Arrays of one length");
  if (napi_typeof(env, argv[5], &t) != napi_ok) return NULL;
  int masked = t != napi_null;
  if (masked && (!seed(env, argv[5], &ks) || !seed(env, argv[6], &kn)))
    return fail(env, "rep3 mul: kSelf and kNext must be 16-byte Uint8Arrays (or kSelf null for no mask)");
  if (napi_get_value_double(env, argv[7], &start) != napi_ok || start < 0 || start > 9007199254740991.0 || start != (double)(uint64_t)start ||
      napi_get_value_bool(env, argv[8], &boolean) != napi_ok)
    return fail(env, "rep3 mul: start must be a non-negative integer and boolean a boolean");
  EVP_CIPHER_CTX *cs = NULL, *cn = NULL;
  if (masked) {
    cs = stream_at(ks, (uint64_t)start);
    cn = stream_at(kn, (uint64_t)start);
    if (!cs || !cn) {
      EVP_CIPHER_CTX_free(cs);
      EVP_CIPHER_CTX_free(cn);
      return fail(env, "rep3 mul: OpenSSL AES-CTR failed");
    }
  }
  uint64_t s[BLOCK], m[BLOCK];
  if (!masked) {
    memset(s, 0, sizeof s);
    memset(m, 0, sizeof m);
  }
  int ok = 1;
  for (size_t off = 0; off < n && ok; off += BLOCK) {
    size_t len = n - off < BLOCK ? n - off : BLOCK;
    int got = 0;
    if (masked) {
      ok = EVP_EncryptUpdate(cs, (unsigned char *)s, &got, ZEROS, (int)(len * 8)) == 1 && (size_t)got == len * 8 &&
           EVP_EncryptUpdate(cn, (unsigned char *)m, &got, ZEROS, (int)(len * 8)) == 1 && (size_t)got == len * 8;
      if (!ok) break;
    }
    const uint64_t *a0 = x0 + off, *a1 = x1 + off, *b0 = y0 + off, *b1 = y1 + off;
    uint64_t *o = out + off;
    /* The keystream bytes are little-endian words on x86 and ARM, as in the JavaScript path. */
    if (boolean)
      for (size_t i = 0; i < len; i++) o[i] = (a0[i] & (b0[i] ^ b1[i])) ^ (a1[i] & b0[i]) ^ s[i] ^ m[i];
    else
      for (size_t i = 0; i < len; i++) o[i] = a0[i] * (b0[i] + b1[i]) + a1[i] * b0[i] + s[i] - m[i];
  }
  EVP_CIPHER_CTX_free(cs);
  EVP_CIPHER_CTX_free(cn);
  if (!ok) return fail(env, "rep3 mul: OpenSSL AES-CTR failed");
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"mul", NULL, mul, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(rep3_mul, init)
