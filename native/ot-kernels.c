/*
 * Native OT-extension kernels (src/ot/native-kernels.ts): the bit transpose, the truncated
 * correlation-robust hash and the triangular Gilboa sums of src/mpc/semi2k/ot-triples.ts,
 * working in place on views of the OT kernel's WebAssembly memory.
 *
 * Loop order: column bytes outer, row blocks inner, so the output rows of one column block
 * (R·2 or R·4 bytes) are finished while they are in L1 instead of being revisited R/16 times
 * across the whole batch.
 *
 * Why this exists: profiles of 10^6 SoftSpokenOT Beaver triples (docs/ot.md, "Where the time
 * goes") put ~40% of a party's time in the WebAssembly transpose (V8 has no byte shift, so
 * every i8x16.shl becomes three instructions, and two-operand shuffles become pshufb pairs)
 * and another ~25% in passes over memory around the hash (XOR with Δ, copying the low words
 * out). Here the transpose uses SSE2 unpacks and pmovmskb (AVX2 where the CPU has it: two
 * 16×16 blocks per instruction), and the hash runs in tiles that stay in L1: OpenSSL's
 * AES-128-ECB (the same EVP call as native/ot-aes.c) encrypts a tile, and the XOR with the
 * input and the truncation to 64 bits happen on it before it leaves the cache. Every function
 * has a WebAssembly twin in assembly/ot.ts computing the same bytes (test/ot/native.test.ts).
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
 *
 * Built by scripts/build.mjs like the other native shims; without it the WebAssembly kernels run.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <string.h>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("O3") /* unrolls the 16-vector transpose into registers (2x at -O2's speed) */
#endif
#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define HAVE_X86 1
#endif

static EVP_CIPHER_CTX *ctx;

static napi_value fail(napi_env env, const char *msg) {
  napi_throw_error(env, "ERR_INVALID_ARG_VALUE", msg);
  return NULL;
}

static int typed_bytes(napi_env env, napi_value v, unsigned char **data, size_t *len) {
  bool is;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return 0;
  napi_typedarray_type type;
  napi_value ab;
  size_t off;
  void *p;
  if (napi_get_typedarray_info(env, v, &type, len, &p, &ab, &off) != napi_ok || type != napi_uint8_array) return 0;
  *data = (unsigned char *)p;
  return 1;
}

/* ---- transpose ---------------------------------------------------------------------- */

/* Portable reference: one bit at a time (used where there is no SSE2). */
static void transpose_bits(unsigned char *out, const unsigned char *in, size_t R, size_t W) {
  size_t outRow = R >> 3;
  memset(out, 0, R * W);
  for (size_t r = 0; r < R; r++)
    for (size_t c = 0; c < 8 * W; c++)
      if ((in[r * W + (c >> 3)] >> (c & 7)) & 1) out[c * outRow + (r >> 3)] |= (unsigned char)(1 << (r & 7));
}

#ifdef HAVE_X86
/*
 * One 16×16-byte block at a time: four rounds of byte interleaving (vector i with i + 8)
 * leave byte c of the sixteen rows in vector c; then eight shift-and-movemask steps emit its
 * eight output rows (bit 7 − s of each byte after s shifts; the 64-bit shift only spills
 * into bits that are never read).
 */
static void transpose_sse2(unsigned char *out, const unsigned char *in, size_t R, size_t W) {
  const size_t outRow = R >> 3;
  for (size_t cb = 0; cb < W; cb += 16) {
    for (size_t ib = 0; ib < R; ib += 16) {
      const unsigned char *rowBase = in + ib * W;
      __m128i a[16], b[16];
      for (int i = 0; i < 16; i++) a[i] = _mm_loadu_si128((const __m128i *)(rowBase + i * W + cb));
      for (int round = 0; round < 4; round++) {
        for (int i = 0; i < 8; i++) {
          b[2 * i] = _mm_unpacklo_epi8(a[i], a[i + 8]);
          b[2 * i + 1] = _mm_unpackhi_epi8(a[i], a[i + 8]);
        }
        memcpy(a, b, sizeof a);
      }
      unsigned char *o = out + (cb << 3) * outRow + (ib >> 3);
      for (int c = 0; c < 16; c++) {
        __m128i v = a[c];
        unsigned char *oc = o + (size_t)c * 8 * outRow;
        for (int s = 7; s >= 0; s--) {
          uint16_t bits = (uint16_t)_mm_movemask_epi8(v);
          memcpy(oc + (size_t)s * outRow, &bits, 2);
          v = _mm_slli_epi64(v, 1);
        }
      }
    }
  }
}

/* The same with 256-bit vectors: lane 0 is the block at column byte cb, lane 1 the one at cb + 16. */
__attribute__((target("avx2"))) static void transpose_avx2(unsigned char *out, const unsigned char *in, size_t R, size_t W) {
  const size_t outRow = R >> 3;
  for (size_t cb = 0; cb < W; cb += 32) {
    for (size_t ib = 0; ib < R; ib += 16) {
      const unsigned char *rowBase = in + ib * W;
      __m256i a[16], b[16];
      for (int i = 0; i < 16; i++) a[i] = _mm256_loadu_si256((const __m256i *)(rowBase + i * W + cb));
      for (int round = 0; round < 4; round++) {
        for (int i = 0; i < 8; i++) {
          b[2 * i] = _mm256_unpacklo_epi8(a[i], a[i + 8]);
          b[2 * i + 1] = _mm256_unpackhi_epi8(a[i], a[i + 8]);
        }
        memcpy(a, b, sizeof a);
      }
      unsigned char *o0 = out + (cb << 3) * outRow + (ib >> 3);
      unsigned char *o1 = o0 + (16 << 3) * outRow;
      for (int c = 0; c < 16; c++) {
        __m256i v = a[c];
        size_t base = (size_t)c * 8 * outRow;
        for (int s = 7; s >= 0; s--) {
          uint32_t bits = (uint32_t)_mm256_movemask_epi8(v);
          uint16_t lo = (uint16_t)bits, hi = (uint16_t)(bits >> 16);
          memcpy(o0 + base + (size_t)s * outRow, &lo, 2);
          memcpy(o1 + base + (size_t)s * outRow, &hi, 2);
          v = _mm256_slli_epi64(v, 1);
        }
      }
    }
  }
}
#endif

static int has_avx2(void) {
#ifdef HAVE_X86
  static int known = -1;
  if (known < 0) {
    __builtin_cpu_init();
    known = __builtin_cpu_supports("avx2") ? 1 : 0;
  }
  return known;
#else
  return 0;
#endif
}

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
#ifdef HAVE_X86
  if (has_avx2() && W % 32 == 0) transpose_avx2(out, in, (size_t)R, (size_t)W);
  else transpose_sse2(out, in, (size_t)R, (size_t)W);
#else
  transpose_bits(out, in, (size_t)R, (size_t)W);
#endif
  return NULL;
}

/* ---- truncated correlation-robust hash ------------------------------------------------ */

#define TILE 256 /* blocks per AES call: 4 KB in, 4 KB out, both in L1 */

static napi_value cr_hash_low(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  unsigned char *key, *rows, *delta, *out;
  size_t klen, rlen, dlen, olen;
  if (argc < 4 || !typed_bytes(env, argv[0], &key, &klen) || klen != 16 || !typed_bytes(env, argv[1], &rows, &rlen) || rlen % 16 ||
      !typed_bytes(env, argv[2], &delta, &dlen) || (dlen != 0 && dlen != 16) || !typed_bytes(env, argv[3], &out, &olen) || olen < rlen / 2)
    return fail(env, "crHashLow(key, rows, delta, out): a 16-byte key, 16-byte rows, delta of 16 bytes or empty, out 8 bytes a row");
  if (EVP_EncryptInit_ex(ctx, EVP_aes_128_ecb(), NULL, key, NULL) != 1 || EVP_CIPHER_CTX_set_padding(ctx, 0) != 1)
    return fail(env, "crHashLow: OpenSSL AES-ECB failed");
  size_t count = rlen / 16;
  uint64_t d0 = 0, d1 = 0;
  if (dlen) {
    memcpy(&d0, delta, 8);
    memcpy(&d1, delta + 8, 8);
  }
  uint64_t x[2 * TILE], y[2 * TILE];
  for (size_t j0 = 0; j0 < count; j0 += TILE) {
    size_t n = count - j0 < TILE ? count - j0 : TILE;
    memcpy(x, rows + 16 * j0, 16 * n);
    for (size_t j = 0; j < n; j++) {
      x[2 * j] ^= d0;
      x[2 * j + 1] ^= d1;
    }
    int got = 0;
    if (EVP_EncryptUpdate(ctx, (unsigned char *)y, &got, (const unsigned char *)x, (int)(16 * n)) != 1 || (size_t)got != 16 * n)
      return fail(env, "crHashLow: OpenSSL AES-ECB failed");
    for (size_t j = 0; j < n; j++) {
      uint64_t h = y[2 * j] ^ x[2 * j];
      memcpy(out + 8 * (j0 + j), &h, 8);
    }
  }
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
static void gilboa_send_tri(unsigned char *d, unsigned char *out, const unsigned char *h0, const unsigned char *h1, const unsigned char *a, size_t n) {
  unsigned __int128 acc = 0;
  unsigned fill = 0;
  size_t w = 0;
  for (size_t e = 0; e < n; e++) {
    uint64_t ae = ld64(a + 8 * e), sum = 0;
    const unsigned char *p0 = h0 + 512 * e, *p1 = h1 + 512 * e;
    for (unsigned k = 0; k < 64; k++) {
      uint64_t s = ld64(p0 + 8 * k);
      sum -= s << k;
      uint64_t v = s - ld64(p1 + 8 * k) + ae;
      unsigned width = 64 - k;
      if (k) v &= ((uint64_t)1 << width) - 1;
      acc |= (unsigned __int128)v << fill;
      fill += width;
      if (fill >= 64) {
        uint64_t word = (uint64_t)acc;
        memcpy(d + 8 * w++, &word, 8);
        acc >>= 64;
        fill -= 64;
      }
    }
    memcpy(out + 8 * e, &sum, 8);
  }
  if (fill) {
    uint64_t word = (uint64_t)acc;
    memcpy(d + 8 * w, &word, 8);
  }
}

/* Receiver: out[e] = Σ_k (ht_k + bit_k(b[e])·d_k)·2^k, the corrections unpacked as above. */
static void gilboa_recv_tri(unsigned char *out, const unsigned char *ht, const unsigned char *d, const unsigned char *b, size_t n, size_t dlen) {
  unsigned __int128 acc = 0;
  unsigned fill = 0;
  size_t w = 0, words = dlen / 8;
  for (size_t e = 0; e < n; e++) {
    uint64_t be = ld64(b + 8 * e), sum = 0;
    const unsigned char *pt = ht + 512 * e;
    for (unsigned k = 0; k < 64; k++) {
      unsigned width = 64 - k;
      if (fill < width) {
        uint64_t word = w < words ? ld64(d + 8 * w) : 0;
        w++;
        acc |= (unsigned __int128)word << fill;
        fill += 64;
      }
      uint64_t v = (uint64_t)acc;
      acc >>= width;
      fill -= width;
      uint64_t m = (uint64_t)0 - ((be >> k) & 1);
      sum += (ld64(pt + 8 * k) + (v & m)) << k;
    }
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
  gilboa_recv_tri(out, ht, d, b, bl / 8, dl);
  return NULL;
}


/* ---- SoftSpokenOT small-field VOLE, one block of k columns ----------------------------- */

#define SS_TILE 4096 /* bytes of each seed's stream per step: 2^k tiles stay in L1/L2 */

static const unsigned char zeros[SS_TILE];

static int ctr_tile(const unsigned char *key, uint64_t counter, unsigned char *out, size_t len) {
  unsigned char iv[16] = {0};
  for (int i = 0; i < 8; i++) iv[15 - i] = (unsigned char)(counter >> (8 * i));
  int n = 0;
  if (EVP_EncryptInit_ex(ctx, EVP_aes_128_ctr(), NULL, key, iv) != 1) return 0;
  return EVP_EncryptUpdate(ctx, out, &n, zeros, (int)len) == 1 && (size_t)n == len;
}

static inline void st64(unsigned char *p, uint64_t v) { memcpy(p, &v, 8); }

/*
 * src/ot/softspoken.ts, one block i of k columns: with G(s_x) the AES-128-CTR stream of seed
 * x from block `counter` (W bytes), cols_b = ⊕_x bit_b(x ⊕ d)·G(s_x) for b < k (the VOLE
 * sender's v with d = 0, the receiver's w with d = Δ_i, whose own seed is absent and has
 * coefficient 0), then cols_b ^= corr where bit b of corrBits is set (the receiver's
 * correction times Δ_i's bits); and u = ⊕_x G(s_x) ⊕ r when asked. In tiles, so the streams
 * never go to memory: the assembly/ot.ts ssCombine + xorSelectedColumns passes, fused.
 * Buffers may be unaligned (JavaScript messages): words are moved with memcpy.
 */
static int ss_block(const unsigned char *keys, int d, int punctured, uint64_t counter, int k, size_t W, unsigned char *cols, unsigned char *u,
                    const unsigned char *r, const unsigned char *corr, int corrBits) {
  static uint64_t tile[256 * SS_TILE / 8], acc[SS_TILE / 8];
  const int count = 1 << k;
  const size_t T = SS_TILE / 8;
  for (size_t t0 = 0; t0 < W; t0 += SS_TILE) {
    size_t len = W - t0 < SS_TILE ? W - t0 : SS_TILE;
    for (int x = 0; x < count; x++) {
      uint64_t *g = tile + (size_t)x * T;
      if (punctured && x == d) continue; /* absent; coefficient 0 in every column */
      if (!ctr_tile(keys + 16 * x, counter + t0 / 16, (unsigned char *)g, len)) return 0;
    }
    const size_t nw = len / 8;
    for (int b = 0; b <= k; b++) {
      /* b < k: column b of the block; b = k: u (every stream, plus r) */
      const unsigned char *init = b < k ? (corr && ((corrBits >> b) & 1) ? corr + t0 : NULL) : (r ? r + t0 : NULL);
      unsigned char *dst = b < k ? cols + (size_t)b * W + t0 : (u ? u + t0 : NULL);
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
  if (!ss_block(keys, d, punctured, (uint64_t)counter, k, (size_t)W, cols, u, r, corr, corrBits)) return fail(env, "ssBlock: OpenSSL AES-CTR failed");
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  ctx = EVP_CIPHER_CTX_new();
  (void)transpose_bits;
  napi_property_descriptor props[] = {
    {"transpose", NULL, transpose, NULL, NULL, NULL, napi_enumerable, NULL},
    {"crHashLow", NULL, cr_hash_low, NULL, NULL, NULL, napi_enumerable, NULL},
    {"gilboaSendTri", NULL, gilboa_send, NULL, NULL, NULL, napi_enumerable, NULL},
    {"gilboaRecvTri", NULL, gilboa_recv, NULL, NULL, NULL, napi_enumerable, NULL},
    {"ssBlock", NULL, ss_block_js, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(ot_kernels, init)
