/*
 * Part of native/ot-kernels.c (included once, after its helpers): the OPRF PSI's per-item work
 * (src/psi/oprf/kkrt.ts, run-oprf-psi.ts) in one call, where the JavaScript path made a
 * WebAssembly pass, a copy in, a copy out and a fresh node:crypto buffer for each of its
 * steps (at 2^20 items the sender spent ~8 s of its ~13 s there, most of it in garbage
 * collection). The bytes are those of the JavaScript path (test/psi/oprf-native.test.ts):
 *
 *   code C(d)       = [π(d ⊕ t) ⊕ (d ⊕ t)]_{t<4}, t XORed into byte 0 (kkrt.ts codewords,
 *                     assembly/ot.ts expandKeys), π = AES-128 under the public fixed key
 *   H(row)          = MMO chaining over the row's four blocks from h = 0:
 *                     h ← π(h ⊕ z_b) ⊕ (h ⊕ z_b) (kkrt.ts rowHash); a value is H's first 12 bytes
 *   sender's value  of item j at hash i: H(q[cand[3j+i]] ⊕ (C(d_j with byte 4 ^= i) ∧ s)),
 *                     written at slot 3j + i (run-oprf-psi.ts asSender)
 *
 *   kkrtValues(key, q, s, digests, cand, out)   the sender's 3 values an item (36 bytes)
 *   kkrtRowValues(key, rows, out)               H of each 64-byte row, truncated (12 bytes)
 *   oprfDigests(prefix, packed, ends, bins, digests, cand)
 *                                               the ids' SHA-256 digests and bins (below)
 */
#ifndef OT_KERNELS_KKRT_H
#define OT_KERNELS_KKRT_H

#define KKRT_VALUE 12
#define KKRT_TILE 256 /* rows a step: 16 KB of rows, 4 KB of chaining values */

/* out[j] = the first 12 bytes of H(rows[j]) for `count` 64-byte rows. */
static int kkrt_row_values(const unsigned char *rows, size_t count, unsigned char *out) {
  static uint64_t x[2 * KKRT_TILE] __attribute__((aligned(64))), y[2 * KKRT_TILE] __attribute__((aligned(64)));
  for (size_t j0 = 0; j0 < count; j0 += KKRT_TILE) {
    size_t n = count - j0 < KKRT_TILE ? count - j0 : KKRT_TILE;
    memset(y, 0, 16 * n); /* h = 0; y holds h between steps */
    for (int b = 0; b < 4; b++) {
      for (size_t j = 0; j < n; j++) {
        const unsigned char *z = rows + 64 * (j0 + j) + 16 * b;
        x[2 * j] = y[2 * j] ^ ld64(z);
        x[2 * j + 1] = y[2 * j + 1] ^ ld64(z + 8);
      }
      if (!ecb_blocks((const unsigned char *)x, (unsigned char *)y, n)) return 0;
      for (size_t j = 0; j < 2 * n; j++) y[j] ^= x[j];
    }
    for (size_t j = 0; j < n; j++) memcpy(out + KKRT_VALUE * (j0 + j), y + 2 * j, KKRT_VALUE);
  }
  return 1;
}

/* The sender's values: for item j < count and hash i < 3, out[(3j + i)·12 …] (see the header). */
static int kkrt_values(const unsigned char *q, size_t qRows, const unsigned char *s, const unsigned char *digests, const uint32_t *cand, size_t count,
                       unsigned char *out) {
  enum { ITEMS = KKRT_TILE / 3 }; /* 85 items, 255 rows a step */
  static uint64_t codeIn[8 * 3 * ITEMS] __attribute__((aligned(64))), code[8 * 3 * ITEMS] __attribute__((aligned(64)));
  static unsigned char rows[64 * 3 * ITEMS] __attribute__((aligned(64)));
  for (size_t j0 = 0; j0 < count; j0 += ITEMS) {
    size_t n = count - j0 < ITEMS ? count - j0 : ITEMS;
    for (size_t j = 0; j < n; j++)
      for (int i = 0; i < 3; i++)
        for (int t = 0; t < 4; t++) {
          unsigned char *blk = (unsigned char *)codeIn + 16 * (12 * j + 4 * i + t);
          memcpy(blk, digests + 16 * (j0 + j), 16);
          blk[4] ^= (unsigned char)i;
          blk[0] ^= (unsigned char)t;
        }
    if (!ecb_blocks((const unsigned char *)codeIn, (unsigned char *)code, 12 * n)) return 0;
    for (size_t k = 0; k < 24 * n; k++) code[k] ^= codeIn[k];
    for (size_t r = 0; r < 3 * n; r++) {
      uint32_t bin = cand[3 * j0 + r];
      if (bin >= qRows) return -1;
      const unsigned char *qr = q + 64 * (size_t)bin;
      const unsigned char *c = (const unsigned char *)code + 64 * r;
      unsigned char *row = rows + 64 * r;
      for (int w = 0; w < 8; w++) {
        uint64_t v = ld64(qr + 8 * w) ^ (ld64(c + 8 * w) & ld64(s + 8 * w));
        memcpy(row + 8 * w, &v, 8);
      }
    }
    if (!kkrt_row_values(rows, 3 * n, out + KKRT_VALUE * 3 * j0)) return 0;
  }
  return 1;
}

/* kkrtValues(key, q, s, digests, cand, out) */
static napi_value kkrt_values_js(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  unsigned char *key, *q, *s, *digests, *out;
  uint32_t *cand;
  size_t kl, ql, sl, dl, cl, ol;
  if (argc < 6 || !typed_bytes(env, argv[0], &key, &kl) || kl != 16 || !typed_bytes(env, argv[1], &q, &ql) || ql % 64 ||
      !typed_bytes(env, argv[2], &s, &sl) || sl != 64 || !typed_bytes(env, argv[3], &digests, &dl) || dl % 16 ||
      !napi_args_typed(env, argv[4], napi_uint32_array, (void **)&cand, &cl) || cl != 3 * (dl / 16) ||
      !typed_bytes(env, argv[5], &out, &ol) || ol != 3 * KKRT_VALUE * (dl / 16))
    return fail(env, "kkrtValues(key, q, s, digests, cand, out): a 16-byte key, q of 64-byte rows, s 64 bytes, 16-byte digests, 3 bins an item (Uint32Array), out 36 bytes an item");
  if (!ecb_use_key(key)) return fail(env, "kkrtValues: OpenSSL AES-ECB failed");
  int r = kkrt_values(q, ql / 64, s, digests, cand, dl / 16, out);
  if (r < 0) return fail(env, "kkrtValues: a bin index is past q's rows");
  if (!r) return fail(env, "kkrtValues: OpenSSL AES-ECB failed");
  return NULL;
}

/* kkrtRowValues(key, rows, out) */
static napi_value kkrt_row_values_js(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  unsigned char *key, *rows, *out;
  size_t kl, rl, ol;
  if (argc < 3 || !typed_bytes(env, argv[0], &key, &kl) || kl != 16 || !typed_bytes(env, argv[1], &rows, &rl) || rl % 64 ||
      !typed_bytes(env, argv[2], &out, &ol) || ol != KKRT_VALUE * (rl / 64))
    return fail(env, "kkrtRowValues(key, rows, out): a 16-byte key, 64-byte rows, out 12 bytes a row");
  if (!ecb_use_key(key) || !kkrt_row_values(rows, rl / 64, out)) return fail(env, "kkrtRowValues: OpenSSL AES-ECB failed");
  return NULL;
}

/*
 * oprfDigests(prefix, packed, ends, bins, digests, cand): for id j = packed[ends[j-1], ends[j]),
 * d = SHA-256(prefix ‖ id) (OpenSSL's; SHA-NI where the CPU has it), digests[16j …] = d[0, 16)
 * and cand[3j + i] = u32le(d[16 + 4i …]) mod bins — run-oprf-psi.ts digestIds, one call for all
 * ids instead of a hash object and a Buffer each.
 */
static napi_value oprf_digests_js(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  unsigned char *prefix, *packed, *digests;
  uint32_t *ends, *cand, bins;
  size_t pl, kl, el, dl, cl;
  if (argc < 6 || !typed_bytes(env, argv[0], &prefix, &pl) || !typed_bytes(env, argv[1], &packed, &kl) ||
      !napi_args_typed(env, argv[2], napi_uint32_array, (void **)&ends, &el) || napi_get_value_uint32(env, argv[3], &bins) != napi_ok || bins == 0 ||
      !typed_bytes(env, argv[4], &digests, &dl) || dl != 16 * el || !napi_args_typed(env, argv[5], napi_uint32_array, (void **)&cand, &cl) || cl != 3 * el)
    return fail(env, "oprfDigests(prefix, packed, ends, bins, digests, cand): bytes, packed ids, their end offsets (Uint32Array), bins > 0, 16 bytes and 3 bins (Uint32Array) an id");
  for (size_t j = 0, start = 0; j < el; start = ends[j++])
    if (ends[j] < start || ends[j] > kl) return fail(env, "oprfDigests: the end offsets must rise and stay within the packed ids");
  EVP_MD_CTX *base = EVP_MD_CTX_new(), *c = EVP_MD_CTX_new();
  int ok = base && c && EVP_DigestInit_ex(base, EVP_sha256(), NULL) == 1 && EVP_DigestUpdate(base, prefix, pl) == 1;
  unsigned char d[32];
  for (size_t j = 0, start = 0; ok && j < el; start = ends[j++]) {
    unsigned int len = 0;
    ok = EVP_MD_CTX_copy_ex(c, base) == 1 && EVP_DigestUpdate(c, packed + start, ends[j] - start) == 1 && EVP_DigestFinal_ex(c, d, &len) == 1;
    if (!ok) break;
    memcpy(digests + 16 * j, d, 16);
    for (int i = 0; i < 3; i++) {
      uint32_t v = (uint32_t)d[16 + 4 * i] | (uint32_t)d[17 + 4 * i] << 8 | (uint32_t)d[18 + 4 * i] << 16 | (uint32_t)d[19 + 4 * i] << 24;
      cand[3 * j + i] = v % bins;
    }
  }
  EVP_MD_CTX_free(base);
  EVP_MD_CTX_free(c);
  if (!ok) return fail(env, "oprfDigests: OpenSSL SHA-256 failed");
  return NULL;
}

#endif
