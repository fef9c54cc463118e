/*
 * AES-256-GCM records of the bulk channel (src/net/bulk-channel.ts), sealed and opened IN
 * PLACE through the OpenSSL that Node itself is built with (EVP, AES-NI + PCLMUL).
 *
 * Why this exists: node:crypto's `cipher.update` returns a fresh Buffer for every call, so a
 * record costs an allocation of its size on each side on top of the cipher's work; here a
 * record is sealed in the sender's pooled record buffer and opened in the receiver's reusable
 * one. No cryptography is designed here: the record format and nonce rule are bulk-channel.ts's.
 *
 *   seal(key, counter, rec, len)   rec = [4 bytes][len plaintext][16 spare]: writes the u32
 *                                  big-endian length into rec[0,4), encrypts rec[4,4+len) in
 *                                  place with rec[0,4) as additional data and nonce
 *                                  0^32 ‖ u64be(counter), and the 16-byte tag behind it
 *   open(key, counter, rec, len)   rec = [4-byte length][len ciphertext][16 tag]: decrypts in
 *                                  place and returns 1 if the tag verified, else 0 (the caller
 *                                  must then not use rec[4,4+len))
 *
 * Built by scripts/build.mjs when a C compiler and Node's headers are present; without it
 * bulk-channel.ts produces byte-identical records with node:crypto (test/net/bulk-channel.test.ts).
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include "napi-args.h"
#include <openssl/evp.h>
#include <stdint.h>
#include <string.h>

static EVP_CIPHER_CTX *ctx;

static napi_value fail(napi_env env, const char *msg) { return napi_args_fail(env, "ERR_INVALID_ARG_VALUE", msg); }

static void nonce_of(double counter, unsigned char iv[12]) {
  uint64_t c = (uint64_t)counter;
  memset(iv, 0, 4);
  for (int i = 0; i < 8; i++) iv[11 - i] = (unsigned char)(c >> (8 * i));
}

/* Unpacks (key, counter, rec, len); 1 if rec holds 4 + len + 16 bytes and the key is 32. */
static int args(napi_env env, napi_callback_info info, unsigned char **key, double *counter, unsigned char **rec, int32_t *len) {
  size_t argc = 4, klen, rlen;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  return argc >= 4 && napi_args_typed(env, argv[0], napi_uint8_array, (void **)key, &klen) && klen == 32 &&
         napi_get_value_double(env, argv[1], counter) == napi_ok && *counter >= 0 && *counter < 281474976710656.0 &&
         napi_args_typed(env, argv[2], napi_uint8_array, (void **)rec, &rlen) && napi_get_value_int32(env, argv[3], len) == napi_ok &&
         *len >= 0 && rlen >= (size_t)*len + 20;
}

static napi_value seal(napi_env env, napi_callback_info info) {
  unsigned char *key, *rec, iv[12];
  double counter;
  int32_t len;
  if (!args(env, info, &key, &counter, &rec, &len)) return fail(env, "seal(key, counter, rec, len): a 32-byte key, a counter below 2^48, rec of 4 + len + 16 bytes");
  rec[0] = (unsigned char)(len >> 24);
  rec[1] = (unsigned char)(len >> 16);
  rec[2] = (unsigned char)(len >> 8);
  rec[3] = (unsigned char)len;
  nonce_of(counter, iv);
  int n = 0;
  if (EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, iv) != 1 || EVP_EncryptUpdate(ctx, NULL, &n, rec, 4) != 1 ||
      (len > 0 && EVP_EncryptUpdate(ctx, rec + 4, &n, rec + 4, len) != 1) || EVP_EncryptFinal_ex(ctx, rec + 4 + len, &n) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, rec + 4 + len) != 1)
    return fail(env, "seal: OpenSSL AES-256-GCM failed");
  return NULL;
}

static napi_value open_record(napi_env env, napi_callback_info info) {
  unsigned char *key, *rec, iv[12];
  double counter;
  int32_t len;
  if (!args(env, info, &key, &counter, &rec, &len)) return fail(env, "open(key, counter, rec, len): a 32-byte key, a counter below 2^48, rec of 4 + len + 16 bytes");
  nonce_of(counter, iv);
  int n = 0;
  if (EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, iv) != 1 || EVP_DecryptUpdate(ctx, NULL, &n, rec, 4) != 1 ||
      (len > 0 && EVP_DecryptUpdate(ctx, rec + 4, &n, rec + 4, len) != 1) ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, rec + 4 + len) != 1)
    return fail(env, "open: OpenSSL AES-256-GCM failed");
  return napi_args_int(env, EVP_DecryptFinal_ex(ctx, rec + 4 + len, &n) == 1 ? 1 : 0);
}

static napi_value init(napi_env env, napi_value exports) {
  ctx = EVP_CIPHER_CTX_new();
  napi_property_descriptor props[] = {
    {"seal", NULL, seal, NULL, NULL, NULL, napi_enumerable, NULL},
    {"open", NULL, open_record, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(aead_gcm, init)
