/*
 * Part of native/ot-kernels.c (included once, after its helpers and the transposes): one
 * SoftSpokenOT block of k columns (src/ot/softspoken.ts) — the seed streams and their combine.
 */
#ifndef OT_KERNELS_SOFTSPOKEN_H
#define OT_KERNELS_SOFTSPOKEN_H

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

#endif
