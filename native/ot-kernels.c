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
 * transpose uses SSE2 unpacks and pmovmskb (AVX2 where the CPU has it: two 16×16 blocks per
 * instruction; column blocks outer, so each block's output rows are finished while in L1),
 * and the passes are fused in tiles that stay in L1: the AES itself is always OpenSSL's EVP
 * (AES-128-CTR for the seeds, AES-128-ECB under the public fixed key for the hash), as in
 * native/ot-aes.c — no cryptography is implemented here, only where its output goes. Every
 * function computes the same bytes as its WebAssembly twin in assembly/ot.ts
 * (test/ot/native-kernels.test.ts).
 *
 *   transpose(out, in, R, W)           out (8W rows × R/8 bytes) = bit transpose of in (R rows × W bytes)
 *   crHashLow(key, rows, delta, out)   out[j] = low 64 bits of π(x_j) ⊕ x_j, x_j = rows_j ⊕ delta
 *                                      (delta empty: no XOR); π = AES-128-ECB under key
 *   gilboaSendTri(d, out, h0, h1, a)   assembly/ot.ts gilboaSendTri (d zeroed by the caller)
 *   gilboaRecvTri(out, ht, d, b)       assembly/ot.ts gilboaRecvTri
 *   ssBlock(keys, d, punctured, counter, k, W, cols, u, r, corr, corrBits)
 *                                      one SoftSpokenOT block: the AES-CTR seed streams
 *                                      (as native/ot-aes.c ctrStreams) combined in L1-sized
 *                                      tiles (assembly/ot.ts ssCombine + xorSelectedColumns)
 *   transposeHashLow(key, cols, W, delta, h0, h1)
 *                                      transpose + crHashLow (h0 without Δ, h1 with) in L1 tiles
 *   ssTriplesRecv(hashKey, keys, counter, W, r, message, ht)
 *   ssTriplesSend(hashKey, keys, ds, counter, W, msg, delta, a, d, out)
 *                                      a chunk of the triples in one call (k = 2): the 64 ssBlock
 *                                      calls, transposeHashLow and (sender) gilboaSendTri, in
 *                                      L2-sized sub-batches and L1 tiles (see ss_triples_recv)
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
#include "aes-vaes.h" /* AES-128 on VAES where the CPU has it; OpenSSL otherwise */

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

/* ---- triangular Gilboa ---------------------------------------------------------------- */

static inline uint64_t ld64(const unsigned char *p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
}

/*
 * Sender: per element e, for OT k < 64, d_k = h0 − h1 + a mod 2^(64−k) packed in 64 − k bits
 * (2080 bits an element, the stream never restarts), out[e] = −Σ_k h0·2^k. Packing uses a
 * 128-bit accumulator: whole words are written as they fill.
 */
/*
 * Elements two at a time (n even, as every caller has it): a pair's corrections are exactly 65
 * words, so the packing restarts at bit 0 every pair and, with the k loops unrolled, every
 * shift and word boundary in it is a constant the compiler folds.
 */
#define GILBOA_SEND_ONE(E)                                               \
  do {                                                                   \
    uint64_t ae = ld64(a + 8 * (E)), sum = 0;                            \
    const unsigned char *p0 = h0 + 512 * (E), *p1 = h1 + 512 * (E);      \
    _Pragma("GCC unroll 64") for (unsigned k = 0; k < 64; k++) {         \
      uint64_t s = ld64(p0 + 8 * k);                                     \
      sum -= s << k;                                                     \
      uint64_t v = s - ld64(p1 + 8 * k) + ae;                            \
      unsigned width = 64 - k;                                           \
      if (k) v &= ((uint64_t)1 << width) - 1;                            \
      acc |= (unsigned __int128)v << fill;                               \
      fill += width;                                                     \
      if (fill >= 64) {                                                  \
        uint64_t word = (uint64_t)acc;                                   \
        memcpy(dp, &word, 8);                                            \
        dp += 8;                                                         \
        acc >>= 64;                                                      \
        fill -= 64;                                                      \
      }                                                                  \
    }                                                                    \
    memcpy(out + 8 * (E), &sum, 8);                                      \
  } while (0)

static void gilboa_send_tri(unsigned char *d, unsigned char *out, const unsigned char *h0, const unsigned char *h1, const unsigned char *a, size_t n) {
  for (size_t e = 0; e + 1 < n; e += 2) {
    unsigned __int128 acc = 0;
    unsigned fill = 0;
    unsigned char *dp = d + 260 * e;
    GILBOA_SEND_ONE(e);
    GILBOA_SEND_ONE(e + 1);
  }
}

/*
 * Receiver: out[e] = Σ_k (ht_k + bit_k(b[e])·d_k)·2^k with the corrections packed as above.
 * Element e's fields start on byte 260·e, so field k's place is a constant: d_k·2^k is the
 * 64-bit window that ends where field k ends, its low k bits (the previous field's) cleared.
 * Each window is read on its own (no running bit accumulator: the 64 fields do not wait on
 * each other), and only bytes of the element's own 260 are touched.
 */
/* Σ_k bit_k(be)·d_k·2^k over element e's 64 packed corrections (starting at de). */
static inline uint64_t gilboa_corr_sum(const unsigned char *de, uint64_t be) {
  uint64_t sum = 0;
  /* unrolled: every window's byte offset and shift is a constant */
  _Pragma("GCC unroll 64") for (unsigned k = 0; k < 64; k++) {
    const unsigned q = 64 * k - k * (k - 1) / 2 - k, sh = q & 7; /* the window's first bit */
    const unsigned char *p = de + (q >> 3);
    uint64_t w = ld64(p) >> sh;
    if (sh) w |= (uint64_t)p[8] << (64 - sh);
    w &= ~(uint64_t)0 << k;
    sum += w & ((uint64_t)0 - ((be >> k) & 1));
  }
  return sum;
}

/* Σ_k ht_k·2^k over one element's 64 hash words. */
static inline uint64_t gilboa_hash_sum(const unsigned char *pt) {
  uint64_t sum = 0;
  _Pragma("GCC unroll 64") for (unsigned k = 0; k < 64; k++) sum += ld64(pt + 8 * k) << k;
  return sum;
}

static void gilboa_recv_tri(unsigned char *out, const unsigned char *ht, const unsigned char *d, const unsigned char *b, size_t n) {
  for (size_t e = 0; e < n; e++) {
    uint64_t sum = gilboa_hash_sum(ht + 512 * e) + gilboa_corr_sum(d + 260 * e, ld64(b + 8 * e));
    memcpy(out + 8 * e, &sum, 8);
  }
}

/* The same from the hash sums hs[e] = Σ_k ht_k·2^k, taken while the hashes were in L1 (ssTriplesRecv). */
static void gilboa_recv_tri_sums(unsigned char *out, const unsigned char *hs, const unsigned char *d, const unsigned char *b, size_t n) {
  for (size_t e = 0; e < n; e++) {
    uint64_t sum = ld64(hs + 8 * e) + gilboa_corr_sum(d + 260 * e, ld64(b + 8 * e));
    memcpy(out + 8 * e, &sum, 8);
  }
}

static napi_value gilboa_send(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  unsigned char *d, *out, *h0, *h1, *a;
  size_t dl, ol, l0, l1, al;
  if (argc < 5 || !typed_bytes(env, argv[0], &d, &dl) || !typed_bytes(env, argv[1], &out, &ol) || !typed_bytes(env, argv[2], &h0, &l0) ||
      !typed_bytes(env, argv[3], &h1, &l1) || !typed_bytes(env, argv[4], &a, &al) || al % 16 || l0 != 64 * al || l1 != l0 || ol < al ||
      dl < (al / 8) * 260)
    return fail(env, "gilboaSendTri(d, out, h0, h1, a): an even count n of a words, 64n hash words each, out n words, d 260n bytes");
  gilboa_send_tri(d, out, h0, h1, a, al / 8);
  return NULL;
}

static napi_value gilboa_recv(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  unsigned char *out, *ht, *d, *b;
  size_t ol, tl, dl, bl;
  if (argc < 4 || !typed_bytes(env, argv[0], &out, &ol) || !typed_bytes(env, argv[1], &ht, &tl) || !typed_bytes(env, argv[2], &d, &dl) ||
      !typed_bytes(env, argv[3], &b, &bl) || bl % 16 || tl != 64 * bl || ol < bl || dl != (bl / 8) * 260)
    return fail(env, "gilboaRecvTri(out, ht, d, b): an even count n of b words, 64n hash words, d 260n bytes, out n words");
  gilboa_recv_tri(out, ht, d, b, bl / 8);
  return NULL;
}

/* ---- test hooks: the VAES AES against node:crypto (test/ot/aes-vaes.test.ts) ---- */

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

static napi_value gilboa_recv_sums(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  unsigned char *out, *hs, *d, *b;
  size_t ol, sl, dl, bl;
  if (argc < 4 || !typed_bytes(env, argv[0], &out, &ol) || !typed_bytes(env, argv[1], &hs, &sl) || !typed_bytes(env, argv[2], &d, &dl) ||
      !typed_bytes(env, argv[3], &b, &bl) || bl % 16 || sl != bl || ol < bl || dl != (bl / 8) * 260)
    return fail(env, "gilboaRecvTriSums(out, hs, d, b): an even count n of b words, n hash sums, d 260n bytes, out n words");
  gilboa_recv_tri_sums(out, hs, d, b, bl / 8);
  return NULL;
}


/* ---- SoftSpokenOT small-field VOLE, one block of k columns ----------------------------- */

#define SS_TILE 32768 /* bytes of each seed's stream per step: 2^k tiles stay in L1/L2 */

static const unsigned char zeros[SS_TILE];

static int ctr_tile(const unsigned char *key, uint64_t counter, unsigned char *out, size_t len) {
  unsigned char iv[16] = {0};
  for (int i = 0; i < 8; i++) iv[15 - i] = (unsigned char)(counter >> (8 * i));
  int n = 0;
  if (EVP_EncryptInit_ex(ctr_ctx, NULL, NULL, key, iv) != 1) return 0;
  return EVP_EncryptUpdate(ctr_ctx, out, &n, zeros, (int)len) == 1 && (size_t)n == len;
}

static inline void st64(unsigned char *p, uint64_t v) { memcpy(p, &v, 8); }

/* A seed's AES-128-CTR stream, keyed once and continued call after call: on VAES (key, ctr) where the CPU has it, else an OpenSSL context. */
struct seed_stream {
  EVP_CIPHER_CTX *evp;
  aes128_key key;
  uint64_t ctr;
  int vaes; /* keyed for aes128_ctr (else evp) */
};

static int stream_next(struct seed_stream *s, unsigned char *out, size_t len) {
  int n = 0;
  if (s->vaes) {
    aes128_ctr(&s->key, s->ctr, out, len / 16, aes_vaes_level());
    s->ctr += len / 16;
    return 1;
  }
  return EVP_EncryptUpdate(s->evp, out, &n, zeros, (int)len) == 1 && (size_t)n == len;
}

#ifdef HAVE_X86
/*
 * ss_block's k = 2 combine on AVX-512, 64 bytes a step: cols_0, cols_1 (and u) from the four
 * streams of a tile; returns the bytes done (a multiple of 64), the caller's SSE loop does the rest.
 */
__attribute__((target("avx512f"))) static size_t ss_combine2_512(const uint64_t *tile, size_t T, int d, int punctured, size_t len, unsigned char *o0,
                                                                  unsigned char *o1, unsigned char *u, const unsigned char *r, const unsigned char *corr, int corrBits) {
  __m512i a[4], c[4], live[4];
  for (int x = 0; x < 4; x++) {
    a[x] = _mm512_set1_epi64(-(long long)((x ^ d) & 1));
    c[x] = _mm512_set1_epi64(-(long long)(((x ^ d) >> 1) & 1));
    live[x] = _mm512_set1_epi64(punctured && x == d ? 0 : -1LL); /* the punctured stream is never written */
  }
  const __m512i m0 = _mm512_set1_epi64(corr && (corrBits & 1) ? -1LL : 0), m1 = _mm512_set1_epi64(corr && (corrBits & 2) ? -1LL : 0);
  const unsigned char *g0 = (const unsigned char *)tile, *g1 = (const unsigned char *)(tile + T), *g2 = (const unsigned char *)(tile + 2 * T),
                      *g3 = (const unsigned char *)(tile + 3 * T);
  size_t v = 0;
  for (; v + 64 <= len; v += 64) {
    __m512i s0 = _mm512_and_si512(_mm512_load_si512(g0 + v), live[0]), s1 = _mm512_and_si512(_mm512_load_si512(g1 + v), live[1]);
    __m512i s2 = _mm512_and_si512(_mm512_load_si512(g2 + v), live[2]), s3 = _mm512_and_si512(_mm512_load_si512(g3 + v), live[3]);
    __m512i cr = corr ? _mm512_loadu_si512(corr + v) : _mm512_setzero_si512();
    __m512i x0 = _mm512_xor_si512(_mm512_xor_si512(_mm512_and_si512(s0, a[0]), _mm512_and_si512(s1, a[1])), _mm512_xor_si512(_mm512_and_si512(s2, a[2]), _mm512_and_si512(s3, a[3])));
    __m512i x1 = _mm512_xor_si512(_mm512_xor_si512(_mm512_and_si512(s0, c[0]), _mm512_and_si512(s1, c[1])), _mm512_xor_si512(_mm512_and_si512(s2, c[2]), _mm512_and_si512(s3, c[3])));
    _mm512_storeu_si512(o0 + v, _mm512_xor_si512(x0, _mm512_and_si512(cr, m0)));
    _mm512_storeu_si512(o1 + v, _mm512_xor_si512(x1, _mm512_and_si512(cr, m1)));
    if (u) {
      __m512i uu = _mm512_xor_si512(_mm512_xor_si512(s0, s1), _mm512_xor_si512(s2, s3));
      if (r) uu = _mm512_xor_si512(uu, _mm512_loadu_si512(r + v));
      _mm512_storeu_si512(u + v, uu);
    }
  }
  return v;
}
#endif

/*
 * src/ot/softspoken.ts, one block i of k columns: with G(s_x) the AES-128-CTR stream of seed
 * x from block `counter` (W bytes), cols_b = ⊕_x bit_b(x ⊕ d)·G(s_x) for b < k (the VOLE
 * sender's v with d = 0, the receiver's w with d = Δ_i, whose own seed is absent and has
 * coefficient 0), then cols_b ^= corr where bit b of corrBits is set (the receiver's
 * correction times Δ_i's bits); and u = ⊕_x G(s_x) ⊕ r when asked. In tiles, so the streams
 * never go to memory: the assembly/ot.ts ssCombine + xorSelectedColumns passes, fused.
 * Buffers may be unaligned (JavaScript messages): words are moved with memcpy.
 */
static int ss_block(const unsigned char *keys, int d, int punctured, uint64_t counter, int k, size_t W, unsigned char *cols, size_t colStride,
                    unsigned char *u, const unsigned char *r, const unsigned char *corr, int corrBits, struct seed_stream *streams) {
  static uint64_t tile[256 * SS_TILE / 8] __attribute__((aligned(64))), acc[SS_TILE / 8];
  const int count = 1 << k;
  const size_t T = SS_TILE / 8;
  for (size_t t0 = 0; t0 < W; t0 += SS_TILE) {
    size_t len = W - t0 < SS_TILE ? W - t0 : SS_TILE;
    for (int x = 0; x < count; x++) {
      uint64_t *g = tile + (size_t)x * T;
      if (punctured && x == d) continue; /* absent; coefficient 0 in every column */
      if (streams) { /* streams already keyed and positioned: they continue */
        if (!stream_next(streams + x, (unsigned char *)g, len)) return 0;
      } else if (!ctr_tile(keys + 16 * x, counter + t0 / 16, (unsigned char *)g, len)) return 0;
    }
    const size_t nw = len / 8;
#ifdef HAVE_X86
    if (k == 2) { /* one pass: four streams in, two columns and u out (assembly/ot.ts ssCombine2) */
      __m128i a[4], c[4];
      for (int x = 0; x < 4; x++) {
        a[x] = _mm_set1_epi64x(-(long long)((x ^ d) & 1));
        c[x] = _mm_set1_epi64x(-(long long)(((x ^ d) >> 1) & 1));
      }
      const __m128i m0 = _mm_set1_epi64x(corr && (corrBits & 1) ? -1LL : 0), m1 = _mm_set1_epi64x(corr && (corrBits & 2) ? -1LL : 0);
      const __m128i zero = _mm_setzero_si128();
      const __m128i *g0 = (const __m128i *)tile, *g1 = (const __m128i *)(tile + T), *g2 = (const __m128i *)(tile + 2 * T), *g3 = (const __m128i *)(tile + 3 * T);
      unsigned char *o0 = cols + t0, *o1 = cols + colStride + t0;
      size_t done = has_avx512bw() ? ss_combine2_512(tile, T, d, punctured, len, o0, o1, u ? u + t0 : NULL, r ? r + t0 : NULL, corr ? corr + t0 : NULL, corrBits) : 0;
      for (size_t v = done / 16; v < len / 16; v++) {
        /* the punctured stream is never written: its coefficient is 0, so mask it out of u too */
        __m128i s0 = punctured && d == 0 ? zero : _mm_load_si128(g0 + v), s1 = punctured && d == 1 ? zero : _mm_load_si128(g1 + v);
        __m128i s2 = punctured && d == 2 ? zero : _mm_load_si128(g2 + v), s3 = punctured && d == 3 ? zero : _mm_load_si128(g3 + v);
        __m128i cr = corr ? _mm_loadu_si128((const __m128i *)(corr + t0 + 16 * v)) : zero;
        __m128i x0 = _mm_xor_si128(_mm_xor_si128(_mm_and_si128(s0, a[0]), _mm_and_si128(s1, a[1])), _mm_xor_si128(_mm_and_si128(s2, a[2]), _mm_and_si128(s3, a[3])));
        __m128i x1 = _mm_xor_si128(_mm_xor_si128(_mm_and_si128(s0, c[0]), _mm_and_si128(s1, c[1])), _mm_xor_si128(_mm_and_si128(s2, c[2]), _mm_and_si128(s3, c[3])));
        _mm_storeu_si128((__m128i *)(o0 + 16 * v), _mm_xor_si128(x0, _mm_and_si128(cr, m0)));
        _mm_storeu_si128((__m128i *)(o1 + 16 * v), _mm_xor_si128(x1, _mm_and_si128(cr, m1)));
        if (u) {
          __m128i uu = _mm_xor_si128(_mm_xor_si128(s0, s1), _mm_xor_si128(s2, s3));
          if (r) uu = _mm_xor_si128(uu, _mm_loadu_si128((const __m128i *)(r + t0 + 16 * v)));
          _mm_storeu_si128((__m128i *)(u + t0 + 16 * v), uu);
        }
      }
      continue;
    }
#endif
    for (int b = 0; b <= k; b++) {
      /* b < k: column b of the block; b = k: u (every stream, plus r) */
      const unsigned char *init = b < k ? (corr && ((corrBits >> b) & 1) ? corr + t0 : NULL) : (r ? r + t0 : NULL);
      unsigned char *dst = b < k ? cols + (size_t)b * colStride + t0 : (u ? u + t0 : NULL);
      if (!dst) break;
      if (init) memcpy(acc, init, len);
      else memset(acc, 0, len);
      for (int x = 0; x < count; x++) {
        if (b < k && !(((x ^ d) >> b) & 1)) continue;
        if (b == k && punctured && x == d) continue;
        const uint64_t *g = tile + (size_t)x * T;
        for (size_t w = 0; w < nw; w++) acc[w] ^= g[w];
      }
      memcpy(dst, acc, len);
    }
  }
  return 1;
}

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
