/*
 * Part of native/ot-kernels.c (included once, after its helpers): the triangular Gilboa sums
 * of the triples (src/mpc/semi2k/ot-triples.ts) — the sender's packed corrections and output
 * words, the receiver's output from its hashes (or their sums) and the corrections.
 */
#ifndef OT_KERNELS_GILBOA_H
#define OT_KERNELS_GILBOA_H

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

#endif
