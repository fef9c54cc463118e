/*
 * Part of native/ot-kernels.c (included once): the bit transposes of OT extension — a
 * portable one, SSE2 and AVX2 16×16-byte blocks for any R, and transpose128 for the 128-row
 * matrices of the triples (32 rows a step, one 32-bit store per movemask).
 */
#ifndef OT_KERNELS_TRANSPOSE_H
#define OT_KERNELS_TRANSPOSE_H

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
static void transpose_sse2(unsigned char *out, const unsigned char *in, size_t R, size_t W, size_t stride) {
  const size_t outRow = R >> 3;
  for (size_t cb = 0; cb < W; cb += 16) {
    for (size_t ib = 0; ib < R; ib += 16) {
      const unsigned char *rowBase = in + ib * stride;
      __m128i a[16], b[16];
      for (int i = 0; i < 16; i++) a[i] = _mm_loadu_si128((const __m128i *)(rowBase + i * stride + cb));
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
__attribute__((target("avx2"))) static void transpose_avx2(unsigned char *out, const unsigned char *in, size_t R, size_t W, size_t stride) {
  const size_t outRow = R >> 3;
  for (size_t cb = 0; cb < W; cb += 32) {
    for (size_t ib = 0; ib < R; ib += 16) {
      const unsigned char *rowBase = in + ib * stride;
      __m256i a[16], b[16];
      for (int i = 0; i < 16; i++) a[i] = _mm256_loadu_si256((const __m256i *)(rowBase + i * stride + cb));
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

static int has_avx2(void) {
  static int known = -1;
  if (known < 0) {
    __builtin_cpu_init();
    known = __builtin_cpu_supports("avx2") ? 1 : 0;
  }
  return known;
}

/* AVX-512 (F + BW) for the 128-row transpose, unless TACIT_OT_SIMD=avx2 caps the kernels at AVX2. */
static int has_avx512bw(void) {
  static int known = -1;
  if (known < 0) {
    __builtin_cpu_init();
    known = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && !ot_simd_capped_avx2() ? 1 : 0;
  }
  return known;
}
#endif

/* in: R rows of W bytes, `stride` bytes apart; out: 8W rows of R/8 bytes. */
static void transpose_any(unsigned char *out, const unsigned char *in, size_t R, size_t W, size_t stride) {
#ifdef HAVE_X86
  if (has_avx2() && W % 32 == 0) transpose_avx2(out, in, R, W, stride);
  else transpose_sse2(out, in, R, W, stride);
#else
  if (stride == W) transpose_bits(out, in, R, W);
  else
    for (size_t r = 0; r < R; r++) /* compact the rows first: the portable path is slow anyway */
      for (size_t c = 0; c < 8 * W; c++) {
        size_t o = c * (R >> 3) + (r >> 3);
        if (!r || (r & 7) == 0) out[o] = 0;
        if ((in[r * stride + (c >> 3)] >> (c & 7)) & 1) out[o] |= (unsigned char)(1 << (r & 7));
      }
#endif
}

#ifdef HAVE_X86
/*
 * R = 128 only (the OT extension's matrices): 32 rows at a time, row i in the low lane and row
 * i + 16 in the high lane of vector i, so after the four unpack rounds a movemask gives four
 * whole bytes of one output row (rows ib … ib + 31) — one 32-bit store where transpose_avx2
 * makes two 16-bit ones, and a 16-byte column step (len a multiple of 16).
 */
__attribute__((target("avx2"))) static void transpose128_avx2(unsigned char *out, const unsigned char *in, size_t len, size_t stride) {
  for (size_t cb = 0; cb < len; cb += 16) {
    for (size_t ib = 0; ib < 128; ib += 32) {
      const unsigned char *lo = in + ib * stride + cb, *hi = lo + 16 * stride;
      __m256i a[16], b[16];
      for (int i = 0; i < 16; i++)
        a[i] = _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)(lo + i * stride))), _mm_loadu_si128((const __m128i *)(hi + i * stride)), 1);
      for (int round = 0; round < 4; round++) {
        for (int i = 0; i < 8; i++) {
          b[2 * i] = _mm256_unpacklo_epi8(a[i], a[i + 8]);
          b[2 * i + 1] = _mm256_unpackhi_epi8(a[i], a[i + 8]);
        }
        memcpy(a, b, sizeof a);
      }
      unsigned char *o = out + (cb << 3) * 16 + (ib >> 3);
      for (int c = 0; c < 16; c++) {
        __m256i v = a[c];
        unsigned char *oc = o + (size_t)c * 8 * 16;
        for (int s = 7; s >= 0; s--) {
          uint32_t bits = (uint32_t)_mm256_movemask_epi8(v);
          memcpy(oc + (size_t)s * 16, &bits, 4);
          v = _mm256_slli_epi64(v, 1);
        }
      }
    }
  }
}

/*
 * The same with AVX-512: 64 rows at a time, rows i, i + 16, i + 32, i + 48 in the four lanes of
 * vector i, so a mask move gives eight whole bytes of one output row (rows ib … ib + 63): one
 * 64-bit store, and half the unpacks and moves of transpose128_avx2 per row.
 */
__attribute__((target("avx512f,avx512bw"))) static void transpose128_avx512(unsigned char *out, const unsigned char *in, size_t len, size_t stride) {
  for (size_t cb = 0; cb < len; cb += 16) {
    for (size_t ib = 0; ib < 128; ib += 64) {
      const unsigned char *r0 = in + ib * stride + cb;
      __m512i a[16], b[16];
      for (int i = 0; i < 16; i++) {
        __m512i v = _mm512_castsi128_si512(_mm_loadu_si128((const __m128i *)(r0 + i * stride)));
        v = _mm512_inserti32x4(v, _mm_loadu_si128((const __m128i *)(r0 + (i + 16) * stride)), 1);
        v = _mm512_inserti32x4(v, _mm_loadu_si128((const __m128i *)(r0 + (i + 32) * stride)), 2);
        a[i] = _mm512_inserti32x4(v, _mm_loadu_si128((const __m128i *)(r0 + (i + 48) * stride)), 3);
      }
      for (int round = 0; round < 4; round++) {
        for (int i = 0; i < 8; i++) {
          b[2 * i] = _mm512_unpacklo_epi8(a[i], a[i + 8]);
          b[2 * i + 1] = _mm512_unpackhi_epi8(a[i], a[i + 8]);
        }
        memcpy(a, b, sizeof a);
      }
      unsigned char *o = out + (cb << 3) * 16 + (ib >> 3);
      for (int c = 0; c < 16; c++) {
        __m512i v = a[c];
        unsigned char *oc = o + (size_t)c * 8 * 16;
        for (int s = 7; s >= 0; s--) {
          uint64_t bits = (uint64_t)_mm512_movepi8_mask(v);
          memcpy(oc + (size_t)s * 16, &bits, 8);
          v = _mm512_slli_epi64(v, 1);
        }
      }
    }
  }
}
#endif

/* transpose_any for R = 128 (out rows of 16 bytes), len a multiple of 16. */
static void transpose128(unsigned char *out, const unsigned char *in, size_t len, size_t stride) {
#ifdef HAVE_X86
  if (has_avx512bw()) return transpose128_avx512(out, in, len, stride);
  if (has_avx2()) return transpose128_avx2(out, in, len, stride);
#endif
  transpose_any(out, in, 128, len, stride);
}

#endif
