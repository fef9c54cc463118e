/*
 * The per-OT arithmetic of the one-way correlated OTs and bit conversions of dealer-free semi2k
 * (src/mpc/semi2k/ot-pairwise.ts cotAsSender / cotAsReceiver, ot-bits.ts), on JavaScript
 * arrays in place — the same sums as assembly/ot.ts cotSend, cotRecv, unpackBits and
 * weightedSum, without copying megabytes of hashes in and out of the WebAssembly memory.
 * Included once, by ot-kernels.c (which has typed_bytes, fail, ld64 and st64).
 *
 *   cotSendWords(d, s, h0, h1, c)   d_j = H(q_j) − H(q_j ⊕ Δ) + c_j,  s_j = −H(q_j)
 *   cotRecvWords(v, ht, d, bits)    v_j = H(t_j) + r_j·d_j             (r_j: bit j of bits, LSB first)
 *   unpackBitWords(out, x, w)       out[e·w + k] = bit k of x[e], k < w
 *   weightedSumWords(out, x, w)     out[e] = Σ_k w[k]·x[e·64 + k]      (mod 2^64)
 */


static napi_value cot_send_words(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  unsigned char *d, *s, *h0, *h1, *c;
  size_t dl, sl, l0, l1, cl;
  if (argc < 5 || !typed_bytes(env, argv[0], &d, &dl) || !typed_bytes(env, argv[1], &s, &sl) || !typed_bytes(env, argv[2], &h0, &l0) ||
      !typed_bytes(env, argv[3], &h1, &l1) || !typed_bytes(env, argv[4], &c, &cl) || cl % 8 || dl < cl || sl < cl || l0 < cl || l1 < cl)
    return fail(env, "cotSendWords(d, s, h0, h1, c): c a whole number of words, d, s, h0 and h1 at least as long");
  for (size_t o = 0; o < cl; o += 8) {
    uint64_t x = ld64(h0 + o);
    st64(d + o, x - ld64(h1 + o) + ld64(c + o));
    st64(s + o, (uint64_t)0 - x);
  }
  return NULL;
}

static napi_value cot_recv_words(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  unsigned char *v, *ht, *d, *bits;
  size_t vl, tl, dl, bl;
  if (argc < 4 || !typed_bytes(env, argv[0], &v, &vl) || !typed_bytes(env, argv[1], &ht, &tl) || !typed_bytes(env, argv[2], &d, &dl) ||
      !typed_bytes(env, argv[3], &bits, &bl) || vl % 8 || tl < vl || dl < vl || 8 * bl < vl / 8)
    return fail(env, "cotRecvWords(v, ht, d, bits): v a whole number of words, ht and d at least as long, one bit per word");
  for (size_t j = 0; j < vl / 8; j++) {
    uint64_t m = (uint64_t)0 - (uint64_t)((bits[j >> 3] >> (j & 7)) & 1);
    st64(v + 8 * j, ld64(ht + 8 * j) + (ld64(d + 8 * j) & m));
  }
  return NULL;
}

static napi_value unpack_bit_words(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  unsigned char *out, *x;
  size_t ol, xl;
  int32_t w = 0;
  if (argc < 3 || !typed_bytes(env, argv[0], &out, &ol) || !typed_bytes(env, argv[1], &x, &xl) || napi_get_value_int32(env, argv[2], &w) != napi_ok ||
      w < 1 || w > 64 || xl % 8 || ol != (xl / 8) * (size_t)w * 8)
    return fail(env, "unpackBitWords(out, x, w): 1 ≤ w ≤ 64, x whole words, out w words per word of x");
  for (size_t e = 0; e < xl / 8; e++) {
    uint64_t v = ld64(x + 8 * e);
    unsigned char *o = out + 8 * e * (size_t)w;
    for (int k = 0; k < w; k++) st64(o + 8 * k, (v >> k) & 1);
  }
  return NULL;
}

static napi_value weighted_sum_words(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  unsigned char *out, *x, *w;
  size_t ol, xl, wl;
  if (argc < 3 || !typed_bytes(env, argv[0], &out, &ol) || !typed_bytes(env, argv[1], &x, &xl) || !typed_bytes(env, argv[2], &w, &wl) ||
      wl != 512 || ol % 8 || xl < ol * 64)
    return fail(env, "weightedSumWords(out, x, w): w 64 words, x 64 words per word of out");
  uint64_t wk[64];
  memcpy(wk, w, 512);
  for (size_t e = 0; e < ol / 8; e++) {
    const unsigned char *xe = x + 512 * e;
    uint64_t acc = 0;
    for (int k = 0; k < 64; k++) acc += wk[k] * ld64(xe + 8 * k);
    st64(out + 8 * e, acc);
  }
  return NULL;
}
