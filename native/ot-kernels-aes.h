/*
 * AES-128 for the OT kernels (native/ot-kernels.c) on vector AES: four blocks per instruction
 * with VAES + AVX-512, two with VAES + AVX2 — where the OpenSSL 3.0 that Node 20 is built with
 * runs 128-bit AES-NI only for CTR and ECB (profiles of 10^6 triples put ~22 % of a party's
 * CPU in OpenSSL's aesni_ctr32_encrypt_blocks and aesni_encrypt8). The cipher is FIPS-197
 * AES-128 done by the CPU's own AES round instructions (no tables, constant time); the key
 * schedule is the AESKEYGENASSIST one of Gueron, "Intel Advanced Encryption Standard (AES)
 * New Instructions Set" (Intel white paper 323641, 2010), §4. Nothing here decides what is
 * encrypted under which key: that is src/ot/'s.
 *
 *   aes128_expand(key, k)              the 11 round keys of a 16-byte key
 *   aes128_ecb(k, in, out, n, level)   out = AES_k(in), n blocks
 *   aes128_ctr(k, ctr, out, n, level)  out = the CTR keystream from the 128-bit big-endian
 *                                      counter block 0^64 ‖ u64be(ctr): the stream of OpenSSL's
 *                                      aes-128-ctr (and src/crypto/prg.ts) resumed at block ctr
 *
 * `level` says which instructions to use (aes_vaes_level(): 2 = AVX-512, 1 = AVX2, 0 = none,
 * when the caller must use OpenSSL instead); TACIT_OT_VAES=0 forces 0 and TACIT_OT_SIMD=avx2
 * (which caps every OT kernel at AVX2) caps it at 1.
 * test/ot/vector-aes.test.ts holds every level to node:crypto and FIPS-197's vector.
 */
#ifndef AES_VAES_H
#define AES_VAES_H
#ifdef HAVE_X86
#include <stdlib.h>

typedef struct {
  __m128i rk[11];
} aes128_key;

/* TACIT_OT_SIMD=avx2: every OT kernel stays at AVX2 (the vector AES here, the transpose and combine). */
static int ot_simd_capped_avx2(void) {
  const char *cap = getenv("TACIT_OT_SIMD");
  return cap && !strcmp(cap, "avx2");
}

static int aes_vaes_level(void) {
  static int level = -1;
  if (level < 0) {
    const char *env = getenv("TACIT_OT_VAES");
    __builtin_cpu_init();
    int vaes = __builtin_cpu_supports("vaes") && __builtin_cpu_supports("aes");
    level = !vaes ? 0 : __builtin_cpu_supports("avx512f") ? 2 : __builtin_cpu_supports("avx2") ? 1 : 0;
    if (env && !strcmp(env, "0")) level = 0;
    else if (ot_simd_capped_avx2() && level > 1) level = 1;
  }
  return level;
}

__attribute__((target("aes,sse4.1"))) static inline __m128i aes_expand_step(__m128i k, __m128i t) {
  t = _mm_shuffle_epi32(t, 0xff);
  k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
  k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
  k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
  return _mm_xor_si128(k, t);
}

__attribute__((target("aes,sse4.1"))) static void aes128_expand(const unsigned char *key, aes128_key *k) {
  __m128i *r = k->rk;
  r[0] = _mm_loadu_si128((const __m128i *)key);
#define AES_EXPAND(i, rcon) r[i] = aes_expand_step(r[i - 1], _mm_aeskeygenassist_si128(r[i - 1], rcon))
  AES_EXPAND(1, 0x01);
  AES_EXPAND(2, 0x02);
  AES_EXPAND(3, 0x04);
  AES_EXPAND(4, 0x08);
  AES_EXPAND(5, 0x10);
  AES_EXPAND(6, 0x20);
  AES_EXPAND(7, 0x40);
  AES_EXPAND(8, 0x80);
  AES_EXPAND(9, 0x1b);
  AES_EXPAND(10, 0x36);
#undef AES_EXPAND
}

/* ---- AVX-512: four blocks a register, four registers a step ---- */

#define AES_ROUNDS_512(x, rk)                                   \
  do {                                                          \
    x = _mm512_xor_si512(x, rk[0]);                             \
    _Pragma("GCC unroll 9") for (int r_ = 1; r_ < 10; r_++) x = _mm512_aesenc_epi128(x, rk[r_]); \
    x = _mm512_aesenclast_epi128(x, rk[10]);                    \
  } while (0)

#define AES_ROUNDS_512x4(x0, x1, x2, x3, rk)                                                        \
  do {                                                                                              \
    x0 = _mm512_xor_si512(x0, rk[0]);                                                               \
    x1 = _mm512_xor_si512(x1, rk[0]);                                                               \
    x2 = _mm512_xor_si512(x2, rk[0]);                                                               \
    x3 = _mm512_xor_si512(x3, rk[0]);                                                               \
    _Pragma("GCC unroll 9") for (int r_ = 1; r_ < 10; r_++) {                                      \
      x0 = _mm512_aesenc_epi128(x0, rk[r_]);                                                        \
      x1 = _mm512_aesenc_epi128(x1, rk[r_]);                                                        \
      x2 = _mm512_aesenc_epi128(x2, rk[r_]);                                                        \
      x3 = _mm512_aesenc_epi128(x3, rk[r_]);                                                        \
    }                                                                                               \
    x0 = _mm512_aesenclast_epi128(x0, rk[10]);                                                      \
    x1 = _mm512_aesenclast_epi128(x1, rk[10]);                                                      \
    x2 = _mm512_aesenclast_epi128(x2, rk[10]);                                                      \
    x3 = _mm512_aesenclast_epi128(x3, rk[10]);                                                      \
  } while (0)

__attribute__((target("vaes,avx512f"))) static void aes128_ecb_512(const aes128_key *k, const unsigned char *in, unsigned char *out, size_t n) {
  __m512i rk[11];
  for (int r = 0; r < 11; r++) rk[r] = _mm512_broadcast_i32x4(k->rk[r]);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    __m512i x0 = _mm512_loadu_si512(in + 16 * i), x1 = _mm512_loadu_si512(in + 16 * i + 64);
    __m512i x2 = _mm512_loadu_si512(in + 16 * i + 128), x3 = _mm512_loadu_si512(in + 16 * i + 192);
    AES_ROUNDS_512x4(x0, x1, x2, x3, rk);
    _mm512_storeu_si512(out + 16 * i, x0);
    _mm512_storeu_si512(out + 16 * i + 64, x1);
    _mm512_storeu_si512(out + 16 * i + 128, x2);
    _mm512_storeu_si512(out + 16 * i + 192, x3);
  }
  for (; i < n; i += 4) {
    __mmask8 m = n - i >= 4 ? 0xff : (__mmask8)((1u << (2 * (n - i))) - 1); /* two 64-bit lanes a block */
    __m512i x = _mm512_maskz_loadu_epi64(m, in + 16 * i);
    AES_ROUNDS_512(x, rk);
    _mm512_mask_storeu_epi64(out + 16 * i, m, x);
  }
}

__attribute__((target("vaes,avx512f,avx512bw"))) static void aes128_ctr_512(const aes128_key *k, uint64_t ctr, unsigned char *out, size_t n) {
  __m512i rk[11];
  for (int r = 0; r < 11; r++) rk[r] = _mm512_broadcast_i32x4(k->rk[r]);
  /* lanes hold (low qword = counter, high qword = 0); reversing each lane's 16 bytes gives the big-endian block */
  const __m512i rev = _mm512_broadcast_i32x4(_mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
  const __m512i four = _mm512_set_epi64(0, 4, 0, 4, 0, 4, 0, 4);
  __m512i c = _mm512_set_epi64(0, (long long)(ctr + 3), 0, (long long)(ctr + 2), 0, (long long)(ctr + 1), 0, (long long)ctr);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    __m512i x0 = _mm512_shuffle_epi8(c, rev);
    c = _mm512_add_epi64(c, four);
    __m512i x1 = _mm512_shuffle_epi8(c, rev);
    c = _mm512_add_epi64(c, four);
    __m512i x2 = _mm512_shuffle_epi8(c, rev);
    c = _mm512_add_epi64(c, four);
    __m512i x3 = _mm512_shuffle_epi8(c, rev);
    c = _mm512_add_epi64(c, four);
    AES_ROUNDS_512x4(x0, x1, x2, x3, rk);
    _mm512_storeu_si512(out + 16 * i, x0);
    _mm512_storeu_si512(out + 16 * i + 64, x1);
    _mm512_storeu_si512(out + 16 * i + 128, x2);
    _mm512_storeu_si512(out + 16 * i + 192, x3);
  }
  for (; i < n; i += 4) {
    __mmask8 m = n - i >= 4 ? 0xff : (__mmask8)((1u << (2 * (n - i))) - 1);
    __m512i x = _mm512_shuffle_epi8(c, rev);
    c = _mm512_add_epi64(c, four);
    AES_ROUNDS_512(x, rk);
    _mm512_mask_storeu_epi64(out + 16 * i, m, x);
  }
}

/* ---- AVX2: two blocks a register, four registers a step ---- */

#define AES_ROUNDS_256(x, rk)                                   \
  do {                                                          \
    x = _mm256_xor_si256(x, rk[0]);                             \
    _Pragma("GCC unroll 9") for (int r_ = 1; r_ < 10; r_++) x = _mm256_aesenc_epi128(x, rk[r_]); \
    x = _mm256_aesenclast_epi128(x, rk[10]);                    \
  } while (0)

#define AES_ROUNDS_256x4(x0, x1, x2, x3, rk)                    \
  do {                                                          \
    x0 = _mm256_xor_si256(x0, rk[0]);                           \
    x1 = _mm256_xor_si256(x1, rk[0]);                           \
    x2 = _mm256_xor_si256(x2, rk[0]);                           \
    x3 = _mm256_xor_si256(x3, rk[0]);                           \
    _Pragma("GCC unroll 9") for (int r_ = 1; r_ < 10; r_++) {   \
      x0 = _mm256_aesenc_epi128(x0, rk[r_]);                    \
      x1 = _mm256_aesenc_epi128(x1, rk[r_]);                    \
      x2 = _mm256_aesenc_epi128(x2, rk[r_]);                    \
      x3 = _mm256_aesenc_epi128(x3, rk[r_]);                    \
    }                                                           \
    x0 = _mm256_aesenclast_epi128(x0, rk[10]);                  \
    x1 = _mm256_aesenclast_epi128(x1, rk[10]);                  \
    x2 = _mm256_aesenclast_epi128(x2, rk[10]);                  \
    x3 = _mm256_aesenclast_epi128(x3, rk[10]);                  \
  } while (0)

/* One block with AES-NI (the odd last block of the AVX2 paths). */
__attribute__((target("aes,sse4.1"))) static inline __m128i aes128_block(const aes128_key *k, __m128i x) {
  x = _mm_xor_si128(x, k->rk[0]);
  for (int r = 1; r < 10; r++) x = _mm_aesenc_si128(x, k->rk[r]);
  return _mm_aesenclast_si128(x, k->rk[10]);
}

__attribute__((target("vaes,avx2,aes"))) static void aes128_ecb_256(const aes128_key *k, const unsigned char *in, unsigned char *out, size_t n) {
  __m256i rk[11];
  for (int r = 0; r < 11; r++) rk[r] = _mm256_broadcastsi128_si256(k->rk[r]);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256i x0 = _mm256_loadu_si256((const __m256i *)(in + 16 * i)), x1 = _mm256_loadu_si256((const __m256i *)(in + 16 * i + 32));
    __m256i x2 = _mm256_loadu_si256((const __m256i *)(in + 16 * i + 64)), x3 = _mm256_loadu_si256((const __m256i *)(in + 16 * i + 96));
    AES_ROUNDS_256x4(x0, x1, x2, x3, rk);
    _mm256_storeu_si256((__m256i *)(out + 16 * i), x0);
    _mm256_storeu_si256((__m256i *)(out + 16 * i + 32), x1);
    _mm256_storeu_si256((__m256i *)(out + 16 * i + 64), x2);
    _mm256_storeu_si256((__m256i *)(out + 16 * i + 96), x3);
  }
  for (; i + 2 <= n; i += 2) {
    __m256i x = _mm256_loadu_si256((const __m256i *)(in + 16 * i));
    AES_ROUNDS_256(x, rk);
    _mm256_storeu_si256((__m256i *)(out + 16 * i), x);
  }
  if (i < n) _mm_storeu_si128((__m128i *)(out + 16 * i), aes128_block(k, _mm_loadu_si128((const __m128i *)(in + 16 * i))));
}

__attribute__((target("vaes,avx2,aes"))) static void aes128_ctr_256(const aes128_key *k, uint64_t ctr, unsigned char *out, size_t n) {
  __m256i rk[11];
  for (int r = 0; r < 11; r++) rk[r] = _mm256_broadcastsi128_si256(k->rk[r]);
  const __m256i rev = _mm256_broadcastsi128_si256(_mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
  const __m256i two = _mm256_set_epi64x(0, 2, 0, 2);
  __m256i c = _mm256_set_epi64x(0, (long long)(ctr + 1), 0, (long long)ctr);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256i x0 = _mm256_shuffle_epi8(c, rev);
    c = _mm256_add_epi64(c, two);
    __m256i x1 = _mm256_shuffle_epi8(c, rev);
    c = _mm256_add_epi64(c, two);
    __m256i x2 = _mm256_shuffle_epi8(c, rev);
    c = _mm256_add_epi64(c, two);
    __m256i x3 = _mm256_shuffle_epi8(c, rev);
    c = _mm256_add_epi64(c, two);
    AES_ROUNDS_256x4(x0, x1, x2, x3, rk);
    _mm256_storeu_si256((__m256i *)(out + 16 * i), x0);
    _mm256_storeu_si256((__m256i *)(out + 16 * i + 32), x1);
    _mm256_storeu_si256((__m256i *)(out + 16 * i + 64), x2);
    _mm256_storeu_si256((__m256i *)(out + 16 * i + 96), x3);
  }
  for (; i + 2 <= n; i += 2) {
    __m256i x = _mm256_shuffle_epi8(c, rev);
    c = _mm256_add_epi64(c, two);
    AES_ROUNDS_256(x, rk);
    _mm256_storeu_si256((__m256i *)(out + 16 * i), x);
  }
  if (i < n) {
    __m128i x = _mm_shuffle_epi8(_mm256_castsi256_si128(c), _mm256_castsi256_si128(rev));
    _mm_storeu_si128((__m128i *)(out + 16 * i), aes128_block(k, x));
  }
}

/* Callers check level > 0 first. The counter may not wrap within the call (ctr + n < 2^64). */
static void aes128_ecb(const aes128_key *k, const unsigned char *in, unsigned char *out, size_t n, int level) {
  if (level >= 2) aes128_ecb_512(k, in, out, n);
  else aes128_ecb_256(k, in, out, n);
}

static void aes128_ctr(const aes128_key *k, uint64_t ctr, unsigned char *out, size_t n, int level) {
  if (level >= 2) aes128_ctr_512(k, ctr, out, n);
  else aes128_ctr_256(k, ctr, out, n);
}

#else /* not x86: OpenSSL only */
typedef struct {
  unsigned char unused;
} aes128_key;
static int aes_vaes_level(void) { return 0; }
static void aes128_expand(const unsigned char *key, aes128_key *k) { (void)key; (void)k; }
static void aes128_ecb(const aes128_key *k, const unsigned char *in, unsigned char *out, size_t n, int level) { (void)k; (void)in; (void)out; (void)n; (void)level; }
static void aes128_ctr(const aes128_key *k, uint64_t ctr, unsigned char *out, size_t n, int level) { (void)k; (void)ctr; (void)out; (void)n; (void)level; }
#endif /* HAVE_X86 */
#endif
