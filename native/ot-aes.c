/*
 * AES for OT extension (src/ot/aes-native.ts), through the OpenSSL that Node itself is built
 * with (EVP aes-128-ctr and aes-128-ecb, AES-NI), writing into buffers the caller provides —
 * in practice views of the OT kernel's WebAssembly memory.
 *
 * Why this exists: node:crypto's `cipher.update` returns a fresh Buffer for every call. OT
 * extension runs ~6 GB of AES per party for 10^6 Beaver triples (seed expansion of
 * SoftSpokenOT and the correlation-robust hash), and profiles of the triple generation showed
 * about a quarter of its time in garbage-collecting those buffers and another tenth in copying
 * them into the kernel's memory. Here the keystream and the hash input/output stay where the
 * kernels read them. No cryptography is implemented in this file: what is encrypted under
 * which key is decided in src/ot/.
 *
 *   ctrStreams(keys, skip, counter, out, W)  for s < keys.length / 16, s != skip:
 *        out[s·W, (s+1)·W) = the AES-128-CTR keystream of key s from block `counter`
 *        (128-bit big-endian counter: the stream src/crypto/prg.ts draws from IV 0)
 *   ecb(key, in, out)                        out = AES-128-ECB_key(in), no padding
 *
 * Built by scripts/build.mjs when a C compiler and Node's headers are present; without it
 * src/ot/aes-native.ts computes the same functions with node:crypto (the tests compare the two).
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include "napi-args.h"
#include <openssl/evp.h>
#include <stdint.h>
#include <string.h>

static EVP_CIPHER_CTX *ctx;

static napi_value fail(napi_env env, const char *msg) { return napi_args_fail(env, "ERR_INVALID_ARG_VALUE", msg); }

static int typed_bytes(napi_env env, napi_value v, unsigned char **data, size_t *len) {
  return napi_args_typed(env, v, napi_uint8_array, (void **)data, len);
}

static int keystream(const unsigned char *key, double counter, unsigned char *out, size_t len) {
  unsigned char iv[16] = {0};
  uint64_t c = (uint64_t)counter;
  for (int i = 0; i < 8; i++) iv[15 - i] = (unsigned char)(c >> (8 * i));
  int n = 0;
  memset(out, 0, len);
  if (EVP_EncryptInit_ex(ctx, EVP_aes_128_ctr(), NULL, key, iv) != 1) return 0;
  return EVP_EncryptUpdate(ctx, out, &n, out, (int)len) == 1 && (size_t)n == len;
}

static napi_value ctr_streams(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  unsigned char *keys, *out;
  size_t klen, olen;
  int32_t skip, w;
  double counter;
  if (argc < 5 || !typed_bytes(env, argv[0], &keys, &klen) || klen % 16 || napi_get_value_int32(env, argv[1], &skip) != napi_ok ||
      napi_get_value_double(env, argv[2], &counter) != napi_ok || counter < 0 || !typed_bytes(env, argv[3], &out, &olen) ||
      napi_get_value_int32(env, argv[4], &w) != napi_ok || w <= 0 || w % 16 || olen < (klen / 16) * (size_t)w)
    return fail(env, "ctrStreams(keys, skip, counter, out, W): keys 16 bytes each, W a positive multiple of 16, out W bytes per key");
  for (size_t s = 0; s < klen / 16; s++) {
    if ((int32_t)s == skip) continue;
    if (!keystream(keys + 16 * s, counter, out + s * (size_t)w, (size_t)w)) return fail(env, "ctrStreams: OpenSSL AES-CTR failed");
  }
  return NULL;
}

static napi_value ecb(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  unsigned char *key, *in, *out;
  size_t klen, ilen, olen;
  if (argc < 3 || !typed_bytes(env, argv[0], &key, &klen) || klen != 16 || !typed_bytes(env, argv[1], &in, &ilen) || ilen % 16 ||
      !typed_bytes(env, argv[2], &out, &olen) || olen < ilen)
    return fail(env, "ecb(key, in, out): a 16-byte key, whole blocks in, out at least as long");
  int n = 0;
  if (EVP_EncryptInit_ex(ctx, EVP_aes_128_ecb(), NULL, key, NULL) != 1 || EVP_CIPHER_CTX_set_padding(ctx, 0) != 1 ||
      EVP_EncryptUpdate(ctx, out, &n, in, (int)ilen) != 1 || (size_t)n != ilen)
    return fail(env, "ecb: OpenSSL AES-ECB failed");
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  ctx = EVP_CIPHER_CTX_new();
  napi_property_descriptor props[] = {
    {"ctrStreams", NULL, ctr_streams, NULL, NULL, NULL, napi_enumerable, NULL},
    {"ecb", NULL, ecb, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(ot_aes, init)
