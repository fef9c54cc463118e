/*
 * Native OT-extension kernels (src/ot/native-kernels.ts): the bit transpose, the truncated
 * correlation-robust hash, SoftSpokenOT's seed expansion and the triangular Gilboa sums of
 * src/mpc/semi2k/ot-triples.ts, working in place on views of the OT kernel's WebAssembly
 * memory or on JavaScript arrays.
 *
 * Why this exists (docs/ot.md): in the WebAssembly path a batch makes one pass over memory
 * per kernel — streams, combine, transpose, XOR with Δ, AES, truncation, copies in and out —
 * and profiles of the triples put ~26% of the compute in the transpose (V8 has no byte shift,
 * each i8x16.shl is three instructions) and ~35% in the passes around the AES. Here the
 * transpose uses SSE2 unpacks and pmovmskb (AVX2 or AVX-512 where the CPU has them; column
 * blocks outer, so each block's output rows are finished while in L1), and the passes are
 * fused in tiles that stay in L1. The AES (AES-128-CTR for the seeds, AES-128-ECB under the
 * public fixed key for the hash) is the CPU's vector AES where it has VAES
 * (ot-kernels-aes.h, FIPS-197 by the round instructions, tested against node:crypto), else
 * OpenSSL's EVP as in native/ot-aes.c — no other cryptography is implemented here, only where
 * its output goes. Every function computes the same bytes as its WebAssembly twin in
 * assembly/ot.ts (test/ot/native-kernels.test.ts).
 *
 * Files: this one (helpers, transpose/hash entry points, exports), ot-kernels-aes.h (vector
 * AES), -transpose.h, -gilboa.h (triangular Gilboa sums), -softspoken.h (one SoftSpokenOT
 * block), -triples.h (a triples chunk in one call), -cot.h (correlated-OT words).
 *
 *   transpose(out, in, R, W)           out (8W rows × R/8 bytes) = bit transpose of in (R rows × W bytes)
 *   crHashLow(key, rows, delta, out)   out[j] = low 64 bits of π(x_j) ⊕ x_j, x_j = rows_j ⊕ delta
 *                                      (delta empty: no XOR); π = AES-128-ECB under key
 *   gilboaSendTri(d, out, h0, h1, a)   assembly/ot.ts gilboaSendTri (d zeroed by the caller)
 *   gilboaRecvTri(out, ht, d, b)       assembly/ot.ts gilboaRecvTri
 *   gilboaRecvTriSums(out, hs, d, b)   the same from hs[e] = Σ_k ht[64e + k]·2^k (what ssTriplesRecv keeps)
 *   ssBlock(keys, d, punctured, counter, k, W, cols, u, r, corr, corrBits)
 *                                      one SoftSpokenOT block: the AES-CTR seed streams
 *                                      (as native/ot-aes.c ctrStreams) combined in L1-sized
 *                                      tiles (assembly/ot.ts ssCombine + xorSelectedColumns)
 *   transposeHashLow(key, cols, W, delta, h0, h1)
 *                                      transpose + crHashLow (h0 without Δ, h1 with) in L1 tiles
 *   ssTriplesRecv(hashKey, keys, counter, W, r, message, hs)
 *   ssTriplesSend(hashKey, keys, ds, counter, W, msg, delta, a, d, out)
 *                                      a chunk of the triples in one call (k = 2): the 64 ssBlock
 *                                      calls, transposeHashLow and (sender) gilboaSendTri, in
 *                                      L2-sized sub-batches and L1 tiles (see ss_triples_recv)
 *   kkrtValues(key, q, s, digests, cand, out), kkrtRowValues(key, rows, out), oprfDigests(…)
 *                                      the OPRF PSI's values (ot-kernels-kkrt.h)
 *   aesVaesLevel(), aes128Blocks(key, counter, in, out, level)
 *                                      the vector AES's level and a test hook (test/ot/vector-aes.test.ts)
 *
 * Where the time goes, measured (docs/ot.md): the transposes and the passes around the AES
 * cost more than the AES itself when each ran over a whole 4 MB chunk in memory, so the
 * triples' chunk is one call whose columns, rows and hashes stay in cache.
 *
 * Static buffers and OpenSSL contexts (as in native/ot-aes.c): one caller at a time, i.e. the
 * main thread of a party process, never several worker threads at once.
 *
 * Built by scripts/build.mjs like the other native shims; without it the WebAssembly kernels run.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include "napi-args.h"
#include <openssl/evp.h>
#include <stdint.h>
#include <string.h>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("O3") /* unrolls the 16-vector transpose into registers (2x at -O2's speed) */
#endif
#if (defined(__x86_64__) || defined(_M_X64)) && !defined(OT_KERNELS_PORTABLE) /* -DOT_KERNELS_PORTABLE: test the plain C path */
#include <immintrin.h>
#define HAVE_X86 1
#endif
#include "ot-kernels-aes.h" /* AES-128 on VAES where the CPU has it; OpenSSL otherwise */

/* One context per mode, each given its cipher once: re-keying with a NULL cipher skips OpenSSL 3's
 * per-call algorithm fetch, which costs more than the key schedule. */
static EVP_CIPHER_CTX *ecb_ctx, *ctr_ctx;
static unsigned char ecb_key[16];
static aes128_key ecb_vkey; /* the same key for aes128_ecb */
static int ecb_ready;

static int ecb_use_key(const unsigned char *key) {
  if (ecb_ready && !memcmp(key, ecb_key, 16)) return 1;
  if (EVP_EncryptInit_ex(ecb_ctx, NULL, NULL, key, NULL) != 1 || EVP_CIPHER_CTX_set_padding(ecb_ctx, 0) != 1) return 0;
  if (aes_vaes_level()) aes128_expand(key, &ecb_vkey);
  memcpy(ecb_key, key, 16);
  ecb_ready = 1;
  return 1;
}

/* y = AES_ecb_key(x), n blocks, under the key of the last ecb_use_key: VAES where there is, else OpenSSL. */
static int ecb_blocks(const unsigned char *x, unsigned char *y, size_t n) {
  int level = aes_vaes_level(), got = 0;
  if (level) {
    aes128_ecb(&ecb_vkey, x, y, n, level);
    return 1;
  }
  return EVP_EncryptUpdate(ecb_ctx, y, &got, x, (int)(16 * n)) == 1 && (size_t)got == 16 * n;
}

static napi_value fail(napi_env env, const char *msg) { return napi_args_fail(env, "ERR_INVALID_ARG_VALUE", msg); }

static int typed_bytes(napi_env env, napi_value v, unsigned char **data, size_t *len) {
  return napi_args_typed(env, v, napi_uint8_array, (void **)data, len);
}

#include "ot-kernels-transpose.h" /* transpose_any, transpose128 */

static napi_value transpose(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  unsigned char *out, *in;
  size_t olen, ilen;
  int32_t R, W;
  if (argc < 4 || !typed_bytes(env, argv[0], &out, &olen) || !typed_bytes(env, argv[1], &in, &ilen) ||
      napi_get_value_int32(env, argv[2], &R) != napi_ok || napi_get_value_int32(env, argv[3], &W) != napi_ok || R <= 0 || W <= 0 ||
      R % 16 || W % 16 || ilen < (size_t)R * (size_t)W || olen < (size_t)R * (size_t)W || (out < in + ilen && in < out + olen))
    return fail(env, "transpose(out, in, R, W): R, W positive multiples of 16, in and out R·W bytes each, not overlapping");
  transpose_any(out, in, (size_t)R, (size_t)W, (size_t)W);
  return NULL;
}

/* ---- truncated correlation-robust hash ------------------------------------------------ */

#define TILE 256 /* blocks per AES call: 4 KB in, 4 KB out, both in L1 */

/* out[j] = low 64 bits of π(x_j) ⊕ x_j, x_j = rows_j ⊕ (d0, d1), for `count` rows; π keyed by ecb_use_key. */
static int hash_low(const unsigned char *rows, size_t count, uint64_t d0, uint64_t d1, unsigned char *out) {
  /* x and y 64 bytes apart modulo 4 KB: loads of x never alias the stores to y (4K aliasing) */
  static uint64_t buf[4 * TILE + 8];
  uint64_t *x = buf, *y = buf + 2 * TILE + 8;
  for (size_t j0 = 0; j0 < count; j0 += TILE) {
    size_t n = count - j0 < TILE ? count - j0 : TILE;
    memcpy(x, rows + 16 * j0, 16 * n);
    if (d0 | d1)
      for (size_t j = 0; j < n; j++) {
        x[2 * j] ^= d0;
        x[2 * j + 1] ^= d1;
      }
    int got = 0;
    if (EVP_EncryptUpdate(ecb_ctx, (unsigned char *)y, &got, (const unsigned char *)x, (int)(16 * n)) != 1 || (size_t)got != 16 * n) return 0;
    for (size_t j = 0; j < n; j++) {
      uint64_t h = y[2 * j] ^ x[2 * j];
      memcpy(out + 8 * (j0 + j), &h, 8);
    }
  }
  return 1;
}

static napi_value cr_hash_low(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  unsigned char *key, *rows, *delta, *out;
  size_t klen, rlen, dlen, olen;
  if (argc < 4 || !typed_bytes(env, argv[0], &key, &klen) || klen != 16 || !typed_bytes(env, argv[1], &rows, &rlen) || rlen % 16 ||
      !typed_bytes(env, argv[2], &delta, &dlen) || (dlen != 0 && dlen != 16) || !typed_bytes(env, argv[3], &out, &olen) || olen < rlen / 2)
    return fail(env, "crHashLow(key, rows, delta, out): a 16-byte key, 16-byte rows, delta of 16 bytes or empty, out 8 bytes a row");
  uint64_t d0 = 0, d1 = 0;
  if (dlen) {
    memcpy(&d0, delta, 8);
    memcpy(&d1, delta + 8, 8);
  }
  if (!ecb_use_key(key) || !hash_low(rows, rlen / 16, d0, d1, out)) return fail(env, "crHashLow: OpenSSL AES-ECB failed");
  return NULL;
}

#include "ot-kernels-gilboa.h"     /* gilboaSendTri, gilboaRecvTri, gilboaRecvTriSums */
#include "ot-kernels-softspoken.h" /* ssBlock's kernel, seed streams */
#include "ot-kernels-kkrt.h"       /* kkrtValues, kkrtRowValues (the OPRF PSI) */

static int opt_bytes(napi_env env, napi_value v, unsigned char **data, size_t *len) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) == napi_ok && (t == napi_undefined || t == napi_null)) {
    *data = NULL;
    *len = 0;
    return 1;
  }
  return typed_bytes(env, v, data, len);
}

/* ssBlock(keys, d, punctured, counter, k, W, cols, u, r, corr, corrBits); u, r, corr may be undefined. */
static napi_value ss_block_js(napi_env env, napi_callback_info info) {
  size_t argc = 11;
  napi_value argv[11];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  unsigned char *keys, *cols, *u, *r, *corr;
  size_t kl, cl, ul, rl, ol;
  int32_t d, k, W, corrBits;
  bool punctured;
  double counter;
  if (argc < 11 || !typed_bytes(env, argv[0], &keys, &kl) || napi_get_value_int32(env, argv[1], &d) != napi_ok ||
      napi_get_value_bool(env, argv[2], &punctured) != napi_ok || napi_get_value_double(env, argv[3], &counter) != napi_ok || counter < 0 ||
      napi_get_value_int32(env, argv[4], &k) != napi_ok || k < 1 || k > 8 || napi_get_value_int32(env, argv[5], &W) != napi_ok || W <= 0 ||
      W % 16 || kl != (size_t)16 << k || d < 0 || d >= (1 << k) || !typed_bytes(env, argv[6], &cols, &cl) || cl < (size_t)k * (size_t)W ||
      !opt_bytes(env, argv[7], &u, &ul) || (u && ul < (size_t)W) || !opt_bytes(env, argv[8], &r, &rl) || (r && rl < (size_t)W) ||
      !opt_bytes(env, argv[9], &corr, &ol) || (corr && ol < (size_t)W) || napi_get_value_int32(env, argv[10], &corrBits) != napi_ok)
    return fail(env, "ssBlock(keys, d, punctured, counter, k, W, cols, u?, r?, corr?, corrBits): 2^k keys, W a positive multiple of 16, cols k·W bytes, u/r/corr W bytes");
  if (!ss_block(keys, d, punctured, (uint64_t)counter, k, (size_t)W, cols, (size_t)W, u, r, corr, corrBits, NULL)) return fail(env, "ssBlock: OpenSSL AES-CTR failed");
  return NULL;
}

/*
 * The triple path's rows never go to memory: per tile of HT_TILE column bytes, the 128 × HT_TILE
 * block of `cols` (128 rows of W bytes) is transposed into 8·HT_TILE rows in L1 and hashed at
 * once: h0[j] = low64 H(row_j), and with h1, h1[j] = low64 H(row_j ⊕ Δ).
 */
#define HT_TILE 256

/*
 * Per tile: the 128 × HT_TILE block is first gathered into a contiguous buffer. The columns are
 * W bytes apart and W is a power of two in practice (a chunk of 4096 elements: 32 KB), so
 * read in place every row of a tile falls into the same L1 and L2 set and the transpose's
 * loads came from L3 (measured: the transpose ran at 2.5 GB/s, more CPU than all the hashing's
 * AES); the gather reads each row's HT_TILE bytes once, in order. H(row) is then encrypted
 * straight from the rows in one EVP call per tile, and H(row ⊕ Δ) from one XORed copy.
 */
/* One tile: columns [t0, t0 + len) of 128 rows `stride` bytes apart → 8·len hashes at h0 (and h1). */
static int th_tile(const unsigned char *cols, size_t stride, size_t len, int withDelta, uint64_t d0, uint64_t d1, unsigned char *h0, unsigned char *h1) {
  static unsigned char gathered[128 * HT_TILE] __attribute__((aligned(64)));
  static uint64_t rows[2 * 8 * HT_TILE] __attribute__((aligned(64)));
  /* x and y 64 bytes apart modulo 4 KB: loads of x never alias the stores to y (4K aliasing) */
  static uint64_t xy[4 * 8 * HT_TILE + 8] __attribute__((aligned(64)));
  uint64_t *x = xy, *y = xy + 2 * 8 * HT_TILE + 8;
  const size_t n = 8 * len;
  if (stride % 4096 == 0) { /* every row in one cache set: gather first (see transpose_hash_tiles) */
    for (size_t i = 0; i < 128; i++) memcpy(gathered + i * len, cols + i * stride, len);
    transpose128((unsigned char *)rows, gathered, len, len);
  } else
    transpose128((unsigned char *)rows, cols, len, stride);
  if (!ecb_blocks((const unsigned char *)rows, (unsigned char *)y, n)) return 0;
  for (size_t j = 0; j < n; j++) {
    uint64_t h = y[2 * j] ^ rows[2 * j];
    memcpy(h0 + 8 * j, &h, 8);
  }
  if (!withDelta) return 1;
  for (size_t j = 0; j < n; j++) {
    x[2 * j] = rows[2 * j] ^ d0;
    x[2 * j + 1] = rows[2 * j + 1] ^ d1;
  }
  if (!ecb_blocks((const unsigned char *)x, (unsigned char *)y, n)) return 0;
  for (size_t j = 0; j < n; j++) {
    uint64_t h = y[2 * j] ^ x[2 * j];
    memcpy(h1 + 8 * j, &h, 8);
  }
  return 1;
}

static int transpose_hash_tiles(const unsigned char *cols, size_t W, int withDelta, uint64_t d0, uint64_t d1, unsigned char *h0, unsigned char *h1) {
  for (size_t t0 = 0; t0 < W; t0 += HT_TILE) {
    size_t len = W - t0 < HT_TILE ? W - t0 : HT_TILE;
    if (!th_tile(cols + t0, W, len, withDelta, d0, d1, h0 + 64 * t0, withDelta ? h1 + 64 * t0 : NULL)) return 0;
  }
  return 1;
}

static napi_value transpose_hash_low(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  unsigned char *key, *cols, *delta, *h0, *h1;
  size_t klen, clen, dlen, l0, l1;
  int32_t W;
  if (argc < 6 || !typed_bytes(env, argv[0], &key, &klen) || klen != 16 || !typed_bytes(env, argv[1], &cols, &clen) ||
      napi_get_value_int32(env, argv[2], &W) != napi_ok || W <= 0 || W % 16 || clen < 128 * (size_t)W || !opt_bytes(env, argv[3], &delta, &dlen) ||
      (delta && dlen != 16) || !typed_bytes(env, argv[4], &h0, &l0) || l0 < 64 * (size_t)W || !opt_bytes(env, argv[5], &h1, &l1) ||
      (h1 && (l1 < 64 * (size_t)W || !delta)))
    return fail(env, "transposeHashLow(key, cols, W, delta?, h0, h1?): 128 columns of W bytes, h0 (and h1 with delta) 8 bytes per row (8W rows)");
  uint64_t d0 = 0, d1 = 0;
  if (delta) {
    memcpy(&d0, delta, 8);
    memcpy(&d1, delta + 8, 8);
  }
  if (!ecb_use_key(key) || !transpose_hash_tiles(cols, (size_t)W, h1 != NULL, d0, d1, h0, h1)) return fail(env, "transposeHashLow: OpenSSL AES-ECB failed");
  return NULL;
}

#include "ot-kernels-triples.h" /* ssTriplesRecv, ssTriplesSend */
#include "ot-kernels-cot.h"     /* cotSendWords, cotRecvWords, unpackBitWords, weightedSumWords */

/* ---- test hooks: the VAES AES against node:crypto (test/ot/vector-aes.test.ts) ---- */

/* aesVaesLevel(): 2 = AVX-512, 1 = AVX2, 0 = OpenSSL only (TACIT_OT_VAES applied). */
static napi_value aes_level_js(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value v;
  napi_create_int32(env, aes_vaes_level(), &v);
  return v;
}

/* aes128Blocks(key, counter, in, out, level): counter < 0: out = ECB(in); else out = the CTR keystream from block counter (in ignored). */
static napi_value aes_blocks_js(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  unsigned char *key, *in, *out;
  size_t kl, il, ol;
  double counter;
  int32_t level;
  if (argc < 5 || !typed_bytes(env, argv[0], &key, &kl) || kl != 16 || napi_get_value_double(env, argv[1], &counter) != napi_ok ||
      !typed_bytes(env, argv[2], &in, &il) || !typed_bytes(env, argv[3], &out, &ol) || napi_get_value_int32(env, argv[4], &level) != napi_ok ||
      ol % 16 || (counter < 0 && il != ol) || level < 1 || level > aes_vaes_level() || counter >= 9007199254740992.0)
    return fail(env, "aes128Blocks(key, counter, in, out, level): a 16-byte key, whole blocks, in as long as out for ECB, a level this CPU has");
  aes128_key k;
  aes128_expand(key, &k);
  if (counter < 0) aes128_ecb(&k, in, out, ol / 16, level);
  else aes128_ctr(&k, (uint64_t)counter, out, ol / 16, level);
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  ecb_ctx = EVP_CIPHER_CTX_new();
  ctr_ctx = EVP_CIPHER_CTX_new();
  if (!ecb_ctx || !ctr_ctx || EVP_EncryptInit_ex(ecb_ctx, EVP_aes_128_ecb(), NULL, NULL, NULL) != 1 ||
      EVP_EncryptInit_ex(ctr_ctx, EVP_aes_128_ctr(), NULL, NULL, NULL) != 1) {
    napi_throw_error(env, NULL, "ot-kernels: OpenSSL AES contexts could not be created");
    return NULL;
  }
  (void)transpose_bits;
  napi_property_descriptor props[] = {
    {"transpose", NULL, transpose, NULL, NULL, NULL, napi_enumerable, NULL},
    {"crHashLow", NULL, cr_hash_low, NULL, NULL, NULL, napi_enumerable, NULL},
    {"gilboaSendTri", NULL, gilboa_send, NULL, NULL, NULL, napi_enumerable, NULL},
    {"gilboaRecvTri", NULL, gilboa_recv, NULL, NULL, NULL, napi_enumerable, NULL},
    {"gilboaRecvTriSums", NULL, gilboa_recv_sums, NULL, NULL, NULL, napi_enumerable, NULL},
    {"aesVaesLevel", NULL, aes_level_js, NULL, NULL, NULL, napi_enumerable, NULL},
    {"kkrtValues", NULL, kkrt_values_js, NULL, NULL, NULL, napi_enumerable, NULL},
    {"kkrtRowValues", NULL, kkrt_row_values_js, NULL, NULL, NULL, napi_enumerable, NULL},
    {"oprfDigests", NULL, oprf_digests_js, NULL, NULL, NULL, napi_enumerable, NULL},
    {"aes128Blocks", NULL, aes_blocks_js, NULL, NULL, NULL, napi_enumerable, NULL},
    {"ssBlock", NULL, ss_block_js, NULL, NULL, NULL, napi_enumerable, NULL},
    {"transposeHashLow", NULL, transpose_hash_low, NULL, NULL, NULL, napi_enumerable, NULL},
    {"ssTriplesRecv", NULL, ss_triples_recv_js, NULL, NULL, NULL, napi_enumerable, NULL},
    {"ssTriplesSend", NULL, ss_triples_send_js, NULL, NULL, NULL, napi_enumerable, NULL},
    {"cotSendWords", NULL, cot_send_words, NULL, NULL, NULL, napi_enumerable, NULL},
    {"cotRecvWords", NULL, cot_recv_words, NULL, NULL, NULL, napi_enumerable, NULL},
    {"unpackBitWords", NULL, unpack_bit_words, NULL, NULL, NULL, napi_enumerable, NULL},
    {"weightedSumWords", NULL, weighted_sum_words, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(ot_kernels, init)
