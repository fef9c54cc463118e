/*
 * Part of native/ot-kernels.c (included once, after the kernels it composes): the triples'
 * whole chunk in one call per role — ss_block, th_tile and gilboa_send_tri of ot-kernels.c
 * run in L2-sized sub-batches so a chunk's columns, rows and hashes stay in cache
 * (docs/ot.md, "Second pass"). src/ot/native-kernels.ts ssTriplesRecv / ssTriplesSend.
 */
#ifndef OT_KERNELS_TRIPLES_H
#define OT_KERNELS_TRIPLES_H

/* ---- the triples' whole chunk in one call (k = 2): SoftSpokenOT, transpose, hash, Gilboa ---- */

/*
 * ssBlock, transposeHashLow (and for the sender gilboaSendTri) over a chunk of m = 8W OTs,
 * in sub-batches of SUB_W column bytes: the 128 columns of a sub-batch (padded rows, 64 bytes
 * over SUB_W so they do not share cache sets) stay in L2 between being combined and being
 * transposed, where the separate calls wrote and re-read 128·W bytes (4 MB a chunk) through
 * memory; the sender's hashes never leave L1 (Gilboa's sums run per tile of 32 elements,
 * whose 260-byte corrections end on a word). Each seed stream gets its own OpenSSL context,
 * keyed once a chunk and continued sub-batch after sub-batch (a key schedule per 4 KB would
 * cost a third of the AES). The bytes are those of the separate kernels (test/ot/native-kernels.test.ts).
 */
#define SS_K 2
#define SS_BLOCKS 64
#define SS_SEEDS (SS_BLOCKS << SS_K)
#define SUB_W 4096
#define SUB_STRIDE (SUB_W + 64)

static struct seed_stream seed_ctx[SS_SEEDS];

/*
 * Keys every seed stream but the punctured ones (ds[i], when ds) at stream block `counter` —
 * on VAES when the chunk's blocks cannot carry out of the counter's low 64 bits (always, in
 * practice: counters count blocks from 0), else through OpenSSL.
 */
static int seed_contexts(const unsigned char *keys, const unsigned char *ds, uint64_t counter, size_t W) {
  unsigned char iv[16] = {0};
  for (int i = 0; i < 8; i++) iv[15 - i] = (unsigned char)(counter >> (8 * i));
  int vaes = aes_vaes_level() && counter + W / 16 >= counter;
  for (int s = 0; s < SS_SEEDS; s++) {
    if (ds && (s & 3) == ds[s >> 2]) continue;
    struct seed_stream *st = seed_ctx + s;
    st->vaes = vaes;
    if (vaes) {
      aes128_expand(keys + 16 * s, &st->key);
      st->ctr = counter;
      continue;
    }
    if (!st->evp) {
      st->evp = EVP_CIPHER_CTX_new();
      if (!st->evp || EVP_EncryptInit_ex(st->evp, EVP_aes_128_ctr(), NULL, NULL, NULL) != 1) return 0;
    }
    if (EVP_EncryptInit_ex(st->evp, NULL, NULL, keys + 16 * s, iv) != 1) return 0;
  }
  return 1;
}

static unsigned char sub_cols[128 * SUB_STRIDE] __attribute__((aligned(64)));

/*
 * Receiver: message u^i ⊕ r (64 blocks of W bytes) and, per element e (OTs 64e … 64e + 63),
 * hs[e] = Σ_k low64 H(t_{64e+k})·2^k — the part of its Gilboa share that does not wait for the
 * corrections, summed while the tile's hashes are in L1 (8 bytes an element kept, not 512).
 */
static int ss_triples_recv(const unsigned char *keys, uint64_t counter, size_t W, const unsigned char *r, unsigned char *message, unsigned char *hs) {
  static uint64_t ht[8 * HT_TILE] __attribute__((aligned(64)));
  if (!seed_contexts(keys, NULL, counter, W)) return 0;
  for (size_t w0 = 0; w0 < W; w0 += SUB_W) {
    size_t len = W - w0 < SUB_W ? W - w0 : SUB_W;
    for (int i = 0; i < SS_BLOCKS; i++)
      if (!ss_block(keys + (16 << SS_K) * i, 0, 0, 0, SS_K, len, sub_cols + (size_t)SS_K * i * SUB_STRIDE, SUB_STRIDE, message + (size_t)i * W + w0, r + w0,
                    NULL, 0, seed_ctx + (i << SS_K)))
        return 0;
    for (size_t t0 = 0; t0 < len; t0 += HT_TILE) {
      size_t tl = len - t0 < HT_TILE ? len - t0 : HT_TILE;
      if (!th_tile(sub_cols + t0, SUB_STRIDE, tl, 0, 0, 0, (unsigned char *)ht, NULL)) return 0;
      for (size_t e = 0, e0 = (w0 + t0) / 8; e < tl / 8; e++) {
        uint64_t sum = gilboa_hash_sum((const unsigned char *)(ht + 64 * e));
        memcpy(hs + 8 * (e0 + e), &sum, 8);
      }
    }
  }
  return 1;
}

/* Sender: from the receiver's message, corrections d (260 bytes an element) and out[e] (gilboa_send_tri) for W/8 elements a. */
static int ss_triples_send(const unsigned char *keys, const unsigned char *ds, uint64_t counter, size_t W, const unsigned char *msg, uint64_t d0, uint64_t d1,
                           const unsigned char *a, unsigned char *d, unsigned char *out) {
  static uint64_t h0[8 * HT_TILE] __attribute__((aligned(64))), h1[8 * HT_TILE] __attribute__((aligned(64)));
  if (!seed_contexts(keys, ds, counter, W)) return 0;
  for (size_t w0 = 0; w0 < W; w0 += SUB_W) {
    size_t len = W - w0 < SUB_W ? W - w0 : SUB_W;
    for (int i = 0; i < SS_BLOCKS; i++)
      if (!ss_block(keys + (16 << SS_K) * i, ds[i], 1, 0, SS_K, len, sub_cols + (size_t)SS_K * i * SUB_STRIDE, SUB_STRIDE, NULL, NULL,
                    msg + (size_t)i * W + w0, ds[i], seed_ctx + (i << SS_K)))
        return 0;
    for (size_t t0 = 0; t0 < len; t0 += HT_TILE) {
      size_t tl = len - t0 < HT_TILE ? len - t0 : HT_TILE, e0 = (w0 + t0) / 8;
      if (!th_tile(sub_cols + t0, SUB_STRIDE, tl, 1, d0, d1, (unsigned char *)h0, (unsigned char *)h1)) return 0;
      gilboa_send_tri(d + 260 * e0, out + 8 * e0, (const unsigned char *)h0, (const unsigned char *)h1, a + 8 * e0, tl / 8);
    }
  }
  return 1;
}

/* ssTriplesRecv(hashKey, keys, counter, W, r, message, hs) */
static napi_value ss_triples_recv_js(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  unsigned char *hkey, *keys, *r, *message, *hs;
  size_t hkl, kl, rl, ml, hl;
  double counter;
  int32_t W;
  if (argc < 7 || !typed_bytes(env, argv[0], &hkey, &hkl) || hkl != 16 || !typed_bytes(env, argv[1], &keys, &kl) || kl != 16 * SS_SEEDS ||
      napi_get_value_double(env, argv[2], &counter) != napi_ok || counter < 0 ||
      napi_get_value_int32(env, argv[3], &W) != napi_ok || W <= 0 || W % 16 || !typed_bytes(env, argv[4], &r, &rl) || rl != (size_t)W ||
      !typed_bytes(env, argv[5], &message, &ml) || ml != (size_t)SS_BLOCKS * (size_t)W || !typed_bytes(env, argv[6], &hs, &hl) || hl < (size_t)W ||
      (message < r + rl && r < message + ml))
    return fail(env, "ssTriplesRecv(hashKey, keys, counter, W, r, message, hs): a 16-byte key, 256 seed keys (k = 2), W a positive multiple of 16, r W bytes, message 64·W bytes, hs W bytes (a word an element)");
  if (!ecb_use_key(hkey) || !ss_triples_recv(keys, (uint64_t)counter, (size_t)W, r, message, hs)) return fail(env, "ssTriplesRecv: OpenSSL AES failed");
  return NULL;
}

/* ssTriplesSend(hashKey, keys, ds, counter, W, msg, delta, a, d, out) */
static napi_value ss_triples_send_js(napi_env env, napi_callback_info info) {
  size_t argc = 10;
  napi_value argv[10];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  unsigned char *hkey, *keys, *ds, *msg, *delta, *a, *d, *out;
  size_t hkl, kl, dsl, ml, dl, al, ddl, ol;
  double counter;
  int32_t W;
  if (argc < 10 || !typed_bytes(env, argv[0], &hkey, &hkl) || hkl != 16 || !typed_bytes(env, argv[1], &keys, &kl) || kl != 16 * SS_SEEDS ||
      !typed_bytes(env, argv[2], &ds, &dsl) || dsl != SS_BLOCKS ||
      napi_get_value_double(env, argv[3], &counter) != napi_ok || counter < 0 || napi_get_value_int32(env, argv[4], &W) != napi_ok || W <= 0 || W % 16 ||
      !typed_bytes(env, argv[5], &msg, &ml) || ml != (size_t)SS_BLOCKS * (size_t)W || !typed_bytes(env, argv[6], &delta, &dl) || dl != 16 ||
      !typed_bytes(env, argv[7], &a, &al) || al != (size_t)W || !typed_bytes(env, argv[8], &d, &ddl) || ddl < 260 * ((size_t)W / 8) ||
      !typed_bytes(env, argv[9], &out, &ol) || ol < (size_t)W)
    return fail(env, "ssTriplesSend(hashKey, keys, ds, counter, W, msg, delta, a, d, out): a 16-byte key, 256 seed keys, 64 block values, W a positive multiple of 16, msg 64·W bytes, a and out W bytes, d 260·W/8 bytes");
  for (int i = 0; i < SS_BLOCKS; i++)
    if (ds[i] > 3) return fail(env, "ssTriplesSend: block values are 2-bit");
  uint64_t d0, d1;
  memcpy(&d0, delta, 8);
  memcpy(&d1, delta + 8, 8);
  if (!ecb_use_key(hkey) || !ss_triples_send(keys, ds, (uint64_t)counter, (size_t)W, msg, d0, d1, a, d, out)) return fail(env, "ssTriplesSend: OpenSSL AES failed");
  return NULL;
}

#endif
