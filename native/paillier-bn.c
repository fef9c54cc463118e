/*
 * Montgomery arithmetic mod n² for Paillier, through the OpenSSL that Node is built with
 * (BN_mod_mul_montgomery and friends, exported by the node binary), batched so that one N-API
 * call does thousands of multiplications on fixed-width big-endian byte strings.
 *
 * Why this exists: a 4096-bit multiplication mod n² costs ~25 µs with JavaScript BigInt on the
 * 2-vCPU build machine (a product and a division, both allocating), ~1-2 µs in OpenSSL's
 * Montgomery code. SecureBoost's feature holders do one such product per row, feature and
 * tree level (the encrypted histogram), and the short-exponent encryption randomness is ~56
 * of them with a fixed-base comb. No cryptography is implemented in this file: the scheme
 * (what is multiplied with what) lives in src/he/; this is modular arithmetic only.
 *
 *   modulus(m)                                   -> handle (Montgomery context of m)
 *   mulMany(h, a, b, out)                        out_i = a_i * b_i mod m
 *   encryptMany(hN, ms, rhos, cipherBytes, out)  out_i = (1 + m_i·n)·rhos_i mod n² (h of n)
 *   histogram(h, cts, cipherOfRow, slotOfRow, bins, features, stride, slots, out)
 *        out[(s*features + f)*stride + b] = prod of cts[cipherOfRow[r]] over rows r with
 *        slotOfRow[r] = s, bins[r*features + f] = b (1 when empty)
 *   loadCiphertexts(h, cts)                      -> handle: cts in Montgomery form, for histogram
 *   packMany(h, cells, group, bits, out)         out_j = Horner over cells j*group … :
 *        acc = c_last; acc = acc^(2^bits) * c_i downwards (SecureBoost+ cipher compression)
 *   powMany(h, bases, exps, expBytes, out)       out_i = bases_i^exps_i mod m (public exponents)
 *   comb(h, base, maxBits, window)               -> table of base^(j*2^(window*i)) (Montgomery form)
 *   combPow(table, exps, expBytes, out)          out_i = base^exps_i mod m
 *   crtKey / decryptMany / crtCombPow            the private key's CRT arithmetic (below)
 *
 * Built by scripts/build.mjs when a C compiler and Node's headers are present; without it
 * src/he/native.ts reports "not built" and the BigInt path computes the same functions (the
 * tests compare the two).
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <openssl/bn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  BIGNUM *m;
  BN_MONT_CTX *mont;
  BN_CTX *ctx;
  size_t width; /* bytes of an element */
} Modulus;

typedef struct {
  Modulus *mod; /* borrowed; the JS side keeps the modulus handle alive */
  BIGNUM **t;   /* rows * (1 << window), Montgomery form */
  int rows, window;
} Comb;

static napi_value fail(napi_env env, const char *msg) {
  napi_throw_error(env, "ERR_TACIT_PAILLIER_BN", msg);
  return NULL;
}

static int bytes_of(napi_env env, napi_value v, napi_typedarray_type want, void **data, size_t *len) {
  bool is = false;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return 0;
  napi_typedarray_type type;
  napi_value ab;
  size_t off;
  if (napi_get_typedarray_info(env, v, &type, len, data, &ab, &off) != napi_ok || type != want) return 0;
  return 1;
}

static void *external_of(napi_env env, napi_value v) {
  napi_valuetype t;
  void *p = NULL;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_external) return NULL;
  if (napi_get_value_external(env, v, &p) != napi_ok) return NULL;
  return p;
}

static void free_modulus(napi_env env, void *data, void *hint) {
  (void)env, (void)hint;
  Modulus *m = data;
  BN_free(m->m);
  BN_MONT_CTX_free(m->mont);
  BN_CTX_free(m->ctx);
  free(m);
}

static void free_comb(napi_env env, void *data, void *hint) {
  (void)env, (void)hint;
  Comb *c = data;
  for (int i = 0; i < c->rows << c->window; i++) BN_free(c->t[i]);
  free(c->t);
  free(c);
}

static int get_int(napi_env env, napi_value v, int32_t *out) { return napi_get_value_int32(env, v, out) == napi_ok; }

static napi_value modulus(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  void *p;
  size_t len;
  if (argc < 1 || !bytes_of(env, argv[0], napi_uint8_array, &p, &len) || len == 0) return fail(env, "modulus(m: Uint8Array)");
  Modulus *m = calloc(1, sizeof *m);
  m->m = BN_bin2bn(p, (int)len, NULL);
  m->ctx = BN_CTX_new();
  m->mont = BN_MONT_CTX_new();
  m->width = len;
  if (!m->m || !m->ctx || !m->mont || !BN_is_odd(m->m) || !BN_MONT_CTX_set(m->mont, m->m, m->ctx)) {
    free_modulus(env, m, NULL);
    return fail(env, "modulus: not an odd modulus");
  }
  napi_value out;
  napi_create_external(env, m, free_modulus, NULL, &out);
  return out;
}

/* a (plain, < m) into Montgomery form, into r. */
static int to_mont(Modulus *m, BIGNUM *r, const unsigned char *a) {
  if (!BN_bin2bn(a, (int)m->width, r)) return 0;
  if (BN_ucmp(r, m->m) >= 0) return 0;
  return BN_to_montgomery(r, r, m->mont, m->ctx);
}

static int put(Modulus *m, BIGNUM *mont_form, BIGNUM *tmp, unsigned char *out) {
  if (!BN_from_montgomery(tmp, mont_form, m->mont, m->ctx)) return 0;
  return BN_bn2binpad(tmp, out, (int)m->width) == (int)m->width;
}

static napi_value mul_many(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  Modulus *m = argc == 4 ? external_of(env, argv[0]) : NULL;
  void *a, *b, *o;
  size_t la, lb, lo;
  if (!m || !bytes_of(env, argv[1], napi_uint8_array, &a, &la) || !bytes_of(env, argv[2], napi_uint8_array, &b, &lb) || !bytes_of(env, argv[3], napi_uint8_array, &o, &lo) ||
      la != lb || la != lo || la % m->width)
    return fail(env, "mulMany(h, a, b, out): equal lengths, whole elements");
  BIGNUM *x = BN_new(), *y = BN_new();
  int ok = 1;
  for (size_t i = 0; ok && i < la; i += m->width) {
    ok = to_mont(m, x, (unsigned char *)a + i) && BN_bin2bn((unsigned char *)b + i, (int)m->width, y) && BN_ucmp(y, m->m) < 0 &&
         BN_mod_mul_montgomery(x, x, y, m->mont, m->ctx) && BN_bn2binpad(x, (unsigned char *)o + i, (int)m->width) == (int)m->width;
  }
  BN_free(x), BN_free(y);
  return ok ? NULL : fail(env, "mulMany: an operand is not below the modulus");
}

/*
 * encryptMany(hN, ms, rhos, cipherBytes, out): out_i = (1 + m_i·n)·ρ_i mod n², computed as
 * ρ + n·(m·ρ mod n) (since m·n·ρ ≡ n·(m·ρ mod n) mod n²): products mod n, not mod n².
 */
static napi_value encrypt_many(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  Modulus *m = argc == 5 ? external_of(env, argv[0]) : NULL;
  void *ms, *rs, *o;
  size_t lm, lr, lo;
  int32_t cb;
  if (!m || !bytes_of(env, argv[1], napi_uint8_array, &ms, &lm) || !bytes_of(env, argv[2], napi_uint8_array, &rs, &lr) || !get_int(env, argv[3], &cb) ||
      !bytes_of(env, argv[4], napi_uint8_array, &o, &lo) || cb < (int32_t)m->width || lm % m->width || lr != (lm / m->width) * (size_t)cb || lo != lr)
    return fail(env, "encryptMany(hN, ms, rhos, cipherBytes, out)");
  BIGNUM *n2 = BN_new(), *x = BN_new(), *r = BN_new(), *t = BN_new();
  int ok = n2 && x && r && t && BN_sqr(n2, m->m, m->ctx) && BN_num_bytes(n2) <= cb, range = 1;
  for (size_t i = 0; ok && i < lm / m->width; i++) {
    ok = BN_bin2bn((unsigned char *)ms + i * m->width, (int)m->width, x) && BN_bin2bn((unsigned char *)rs + i * (size_t)cb, cb, r);
    if (ok && (BN_ucmp(x, m->m) >= 0 || BN_is_zero(r) || BN_ucmp(r, n2) >= 0)) { range = 0; break; }
    ok = ok && BN_nnmod(t, r, m->m, m->ctx) && BN_to_montgomery(x, x, m->mont, m->ctx) && BN_mod_mul_montgomery(t, x, t, m->mont, m->ctx) &&
         BN_mul(t, t, m->m, m->ctx) && BN_add(t, t, r) && (BN_ucmp(t, n2) < 0 || BN_sub(t, t, n2)) &&
         BN_bn2binpad(t, (unsigned char *)o + i * (size_t)cb, cb) == cb;
  }
  BN_free(n2), BN_free(x), BN_clear_free(r), BN_free(t);
  if (!range) return fail(env, "encryptMany: a plaintext is not below n or a randomness value not below n²");
  return ok ? NULL : fail(env, "encryptMany: OpenSSL failed");
}

/*
 * loadCiphertexts(h, cts) -> handle: the ciphertexts in Montgomery form, once per tree, so that
 * the histograms of every level (histogram(h, handle, ...)) skip the conversion of each row.
 */
typedef struct {
  Modulus *mod; /* borrowed; the JS side keeps the modulus handle alive */
  BIGNUM **c;
  size_t k;
} Loaded;

static void free_loaded(napi_env env, void *data, void *hint) {
  (void)env, (void)hint;
  Loaded *l = data;
  for (size_t i = 0; l->c && i < l->k; i++) BN_free(l->c[i]);
  free(l->c);
  free(l);
}

static napi_value load_ciphertexts(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  Modulus *m = argc == 2 ? external_of(env, argv[0]) : NULL;
  void *cts;
  size_t lc;
  if (!m || !bytes_of(env, argv[1], napi_uint8_array, &cts, &lc) || lc % m->width) return fail(env, "loadCiphertexts(h, cts): whole elements");
  Loaded *l = calloc(1, sizeof *l);
  int ok = l != NULL;
  if (ok) l->mod = m, l->k = lc / m->width, l->c = calloc(l->k ? l->k : 1, sizeof *l->c), ok = l->c != NULL;
  for (size_t i = 0; ok && i < l->k; i++) ok = (l->c[i] = BN_new()) && to_mont(m, l->c[i], (unsigned char *)cts + i * m->width);
  if (!ok) {
    if (l) free_loaded(env, l, NULL);
    return fail(env, "loadCiphertexts: an element is not below the modulus");
  }
  napi_value out;
  napi_create_external(env, l, free_loaded, NULL, &out);
  return out;
}

/*
 * Feature grouping (exact: the same products, reassociated). A row adds its ciphertext to one
 * bin of every feature, so a node of N rows costs N·F products done feature by feature. For a
 * group of k features the rows are first multiplied together per distinct k-tuple of bins (N
 * products), then each tuple's product goes into its k bins (k·D products for D distinct
 * tuples): cheaper whenever D is well below N, as at the upper levels of a tree. The group
 * size (1, 2 or 3) is chosen per node and position by counting D first (no products).
 */
#define TUPLE_CAP 65536

typedef struct {
  BIGNUM **t;       /* TUPLE_CAP accumulators, reused */
  uint32_t *stamp;  /* which accumulators hold a value of the current group */
  uint32_t *seen;   /* for counting distinct tuples */
  uint32_t *touched;
  uint32_t cur, seenCur;
} Groups;

static size_t tuple_of(const uint8_t *rb, int32_t f, int k, int32_t stride) {
  size_t t = 0;
  for (int j = 0; j < k; j++) t = t * (size_t)stride + rb[f + j];
  return t;
}

static size_t distinct(Groups *g, const uint8_t *bin, const int32_t *list, size_t N, int32_t F, int32_t f, int k, int32_t stride) {
  size_t d = 0;
  g->seenCur++;
  for (size_t i = 0; i < N; i++) {
    size_t t = tuple_of(bin + (size_t)list[i] * F, f, k, stride);
    if (g->seen[t] != g->seenCur) g->seen[t] = g->seenCur, d++;
  }
  return d;
}

static napi_value histogram(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value argv[9];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  Modulus *m = argc == 9 ? external_of(env, argv[0]) : NULL;
  void *cts = NULL, *cor, *sor, *bins, *out;
  size_t lc = 0, lr1, lr2, lb, lo;
  int32_t F, stride, slots;
  /* argv[1]: the ciphertexts as bytes, or a handle from loadCiphertexts (already in Montgomery form) */
  Loaded *loaded = m && !bytes_of(env, argv[1], napi_uint8_array, &cts, &lc) ? external_of(env, argv[1]) : NULL;
  if (loaded) lc = loaded->k * m->width;
  if (!m || (!loaded && !cts) || (loaded && loaded->mod != m) || !bytes_of(env, argv[2], napi_int32_array, &cor, &lr1) ||
      !bytes_of(env, argv[3], napi_int32_array, &sor, &lr2) || !bytes_of(env, argv[4], napi_uint8_array, &bins, &lb) || !get_int(env, argv[5], &F) ||
      !get_int(env, argv[6], &stride) || !get_int(env, argv[7], &slots) || !bytes_of(env, argv[8], napi_uint8_array, &out, &lo))
    return fail(env, "histogram(h, cts, cipherOfRow, slotOfRow, bins, features, stride, slots, out)");
  size_t rows = lr1, k = lc / m->width, cells = (size_t)slots * F * stride;
  if (lc % m->width || lr2 != rows || lb != rows * (size_t)F || lo != cells * m->width || F < 0 || stride < 1 || stride > 256 || slots < 0)
    return fail(env, "histogram: inconsistent sizes");
  const int32_t *cipherOfRow = cor, *slotOfRow = sor;
  const uint8_t *bin = bins;
  BIGNUM **c = loaded ? loaded->c : calloc(k ? k : 1, sizeof *c), **acc = calloc(cells ? cells : 1, sizeof *acc);
  size_t *start = calloc((size_t)slots + 1, sizeof *start);
  int32_t *list = malloc((rows ? rows : 1) * sizeof *list);
  Groups g = {calloc(TUPLE_CAP, sizeof(BIGNUM *)), calloc(TUPLE_CAP, sizeof(uint32_t)), calloc(TUPLE_CAP, sizeof(uint32_t)), malloc(TUPLE_CAP * sizeof(uint32_t)), 0, 0};
  BIGNUM *tmp = BN_new();
  int ok = c && acc && start && list && tmp && g.t && g.stamp && g.seen && g.touched;
  /* Rows of each slot (counting sort); only the ciphertexts of counted rows go into Montgomery form. */
  for (size_t r = 0; ok && r < rows; r++) {
    int32_t ci = cipherOfRow[r], s = slotOfRow[r];
    if (ci < 0 || s < 0) continue;
    if ((size_t)ci >= k || s >= slots) { ok = 0; break; }
    for (int32_t f = 0; f < F; f++) if (bin[r * (size_t)F + f] >= stride) ok = 0;
    if (!c[ci]) ok = ok && (c[ci] = BN_new()) && to_mont(m, c[ci], (unsigned char *)cts + (size_t)ci * m->width);
    start[s + 1]++;
  }
  for (int32_t s = 0; ok && s < slots; s++) start[s + 1] += start[s];
  if (ok) {
    size_t *fill = calloc((size_t)slots + 1, sizeof *fill);
    ok = fill != NULL;
    if (ok) memcpy(fill, start, ((size_t)slots + 1) * sizeof *fill);
    for (size_t r = 0; ok && r < rows; r++) if (cipherOfRow[r] >= 0 && slotOfRow[r] >= 0) list[fill[slotOfRow[r]]++] = (int32_t)r;
    free(fill);
  }
  for (int32_t s = 0; ok && s < slots; s++) {
    const int32_t *L = list + start[s];
    size_t N = start[s + 1] - start[s];
    size_t base = (size_t)s * F * stride;
    for (int32_t f = 0; ok && f < F;) {
      /* Cost per feature of a group of size kk: N for kk = 1, (N + kk·D) / kk otherwise. */
      int kk = 1;
      double best = (double)N;
      for (int t = 2; t <= 3 && f + t <= F; t++) {
        size_t space = 1;
        for (int j = 0; j < t; j++) space *= (size_t)stride;
        if (space > TUPLE_CAP) break;
        double cost = (double)(N + (size_t)t * distinct(&g, bin, L, N, F, f, t, stride)) / t;
        if (cost < best * 0.95) best = cost, kk = t;
      }
      if (kk == 1) {
        for (size_t i = 0; ok && i < N; i++) {
          int32_t r = L[i];
          BIGNUM *x = c[cipherOfRow[r]];
          BIGNUM **a = &acc[base + (size_t)f * stride + bin[(size_t)r * F + f]];
          if (!*a) ok = (*a = BN_dup(x)) != NULL;
          else ok = BN_mod_mul_montgomery(*a, *a, x, m->mont, m->ctx);
        }
      } else {
        size_t nt = 0;
        g.cur++;
        for (size_t i = 0; ok && i < N; i++) {
          int32_t r = L[i];
          BIGNUM *x = c[cipherOfRow[r]];
          size_t t = tuple_of(bin + (size_t)r * F, f, kk, stride);
          if (g.stamp[t] != g.cur) {
            g.stamp[t] = g.cur;
            g.touched[nt++] = (uint32_t)t;
            if (!g.t[t]) g.t[t] = BN_new();
            ok = g.t[t] && BN_copy(g.t[t], x) != NULL;
          } else ok = BN_mod_mul_montgomery(g.t[t], g.t[t], x, m->mont, m->ctx);
        }
        for (size_t i = 0; ok && i < nt; i++) {
          size_t t = g.touched[i], rest = t;
          for (int j = kk - 1; ok && j >= 0; j--) {
            size_t b = rest % (size_t)stride;
            rest /= (size_t)stride;
            BIGNUM **a = &acc[base + (size_t)(f + j) * stride + b];
            if (!*a) ok = (*a = BN_dup(g.t[t])) != NULL;
            else ok = BN_mod_mul_montgomery(*a, *a, g.t[t], m->mont, m->ctx);
          }
        }
      }
      f += kk;
    }
  }
  for (size_t i = 0; ok && i < cells; i++) {
    unsigned char *dst = (unsigned char *)out + i * m->width;
    if (acc[i]) ok = put(m, acc[i], tmp, dst);
    else {
      memset(dst, 0, m->width);
      dst[m->width - 1] = 1;
    }
  }
  if (c && !loaded) {
    for (size_t i = 0; i < k; i++) BN_free(c[i]);
    free(c);
  }
  if (acc) for (size_t i = 0; i < cells; i++) BN_free(acc[i]);
  if (g.t) for (size_t i = 0; i < TUPLE_CAP; i++) BN_free(g.t[i]);
  free(acc), free(start), free(list), free(g.t), free(g.stamp), free(g.seen), free(g.touched), BN_free(tmp);
  return ok ? NULL : fail(env, "histogram: a ciphertext, row index or bin is out of range");
}

static napi_value pack_many(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  Modulus *m = argc == 5 ? external_of(env, argv[0]) : NULL;
  void *cells, *o;
  size_t lc, lo;
  int32_t group, bits;
  if (!m || !bytes_of(env, argv[1], napi_uint8_array, &cells, &lc) || !get_int(env, argv[2], &group) || !get_int(env, argv[3], &bits) ||
      !bytes_of(env, argv[4], napi_uint8_array, &o, &lo) || group < 1 || bits < 1 || lc % m->width)
    return fail(env, "packMany(h, cells, group, bits, out)");
  size_t count = lc / m->width, outs = (count + (size_t)group - 1) / (size_t)group;
  if (lo != outs * m->width) return fail(env, "packMany: output size");
  BIGNUM *acc = BN_new(), *x = BN_new(), *tmp = BN_new();
  int ok = acc && x && tmp;
  for (size_t j = 0; ok && j < outs; j++) {
    size_t first = j * (size_t)group, last = first + (size_t)group - 1;
    if (last >= count) last = count - 1;
    ok = to_mont(m, acc, (unsigned char *)cells + last * m->width);
    for (size_t i = last; ok && i-- > first;) {
      for (int32_t t = 0; ok && t < bits; t++) ok = BN_mod_mul_montgomery(acc, acc, acc, m->mont, m->ctx);
      ok = ok && to_mont(m, x, (unsigned char *)cells + i * m->width) && BN_mod_mul_montgomery(acc, acc, x, m->mont, m->ctx);
    }
    ok = ok && put(m, acc, tmp, (unsigned char *)o + j * m->width);
  }
  BN_free(acc), BN_free(x), BN_free(tmp);
  return ok ? NULL : fail(env, "packMany: an operand is not below the modulus");
}

static napi_value pow_many(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  Modulus *m = argc == 5 ? external_of(env, argv[0]) : NULL;
  void *b, *e, *o;
  size_t lb, le, lo;
  int32_t eb;
  if (!m || !bytes_of(env, argv[1], napi_uint8_array, &b, &lb) || !bytes_of(env, argv[2], napi_uint8_array, &e, &le) || !get_int(env, argv[3], &eb) || eb < 1 ||
      !bytes_of(env, argv[4], napi_uint8_array, &o, &lo) || lb % m->width || lb != lo || le != (lb / m->width) * (size_t)eb)
    return fail(env, "powMany(h, bases, exps, expBytes, out)");
  BIGNUM *x = BN_new(), *k = BN_new();
  int ok = x && k;
  for (size_t i = 0; ok && i < lb / m->width; i++) {
    ok = BN_bin2bn((unsigned char *)b + i * m->width, (int)m->width, x) && BN_ucmp(x, m->m) < 0 && BN_bin2bn((unsigned char *)e + i * (size_t)eb, eb, k) &&
         BN_mod_exp_mont(x, x, k, m->m, m->ctx, m->mont) && BN_bn2binpad(x, (unsigned char *)o + i * m->width, (int)m->width) == (int)m->width;
  }
  BN_free(x), BN_free(k);
  return ok ? NULL : fail(env, "powMany: a base is not below the modulus");
}

static napi_value comb(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  Modulus *m = argc == 4 ? external_of(env, argv[0]) : NULL;
  void *b;
  size_t lb;
  int32_t maxBits, w;
  if (!m || !bytes_of(env, argv[1], napi_uint8_array, &b, &lb) || lb != m->width || !get_int(env, argv[2], &maxBits) || !get_int(env, argv[3], &w) || w < 1 ||
      w > 12 || maxBits < 1 || maxBits > 8192)
    return fail(env, "comb(h, base, maxBits, window)");
  Comb *c = calloc(1, sizeof *c);
  c->mod = m;
  c->window = w;
  c->rows = (maxBits + w - 1) / w;
  c->t = calloc((size_t)c->rows << w, sizeof *c->t);
  BIGNUM *g = BN_new();
  int ok = c->t && g && to_mont(m, g, b);
  for (int i = 0; ok && i < c->rows; i++) {
    BIGNUM **row = c->t + ((size_t)i << w);
    row[0] = NULL; /* the identity: skipped by combPow */
    ok = (row[1] = BN_dup(g)) != NULL;
    for (int j = 2; ok && j < (1 << w); j++) {
      ok = (row[j] = BN_new()) && BN_mod_mul_montgomery(row[j], row[j - 1], g, m->mont, m->ctx);
    }
    if (ok) ok = BN_mod_mul_montgomery(g, row[(1 << w) - 1], g, m->mont, m->ctx); /* g^(2^w) */
  }
  BN_free(g);
  if (!ok) {
    free_comb(env, c, NULL);
    return fail(env, "comb: base is not below the modulus");
  }
  napi_value out;
  napi_create_external(env, c, free_comb, NULL, &out);
  return out;
}

/* base^x in Montgomery form into acc for a big-endian exponent x of eb bytes; 0 when x = 0. */
static int comb_eval(Comb *c, const unsigned char *x, int32_t eb, BIGNUM *acc, int *ok) {
  Modulus *m = c->mod;
  int started = 0, mask = (1 << c->window) - 1;
  for (int i = 0; *ok && i < c->rows; i++) {
    /* window i: bits [i*w, i*w + w) counted from the least significant bit of x */
    int d = 0;
    for (int t = 0; t < c->window; t++) {
      int bit = i * c->window + t;
      if (bit >= eb * 8) break;
      d |= ((x[eb - 1 - bit / 8] >> (bit % 8)) & 1) << t;
    }
    d &= mask;
    if (!d) continue;
    BIGNUM *v = c->t[((size_t)i << c->window) + (size_t)d];
    if (!started) *ok = BN_copy(acc, v) != NULL, started = 1;
    else *ok = BN_mod_mul_montgomery(acc, acc, v, m->mont, m->ctx);
  }
  return started;
}

static napi_value comb_pow(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  Comb *c = argc == 4 ? external_of(env, argv[0]) : NULL;
  void *e, *o;
  size_t le, lo;
  int32_t eb;
  if (!c || !bytes_of(env, argv[1], napi_uint8_array, &e, &le) || !get_int(env, argv[2], &eb) || eb < 1 || !bytes_of(env, argv[3], napi_uint8_array, &o, &lo))
    return fail(env, "combPow(table, exps, expBytes, out)");
  Modulus *m = c->mod;
  size_t count = le / (size_t)eb;
  if (le % (size_t)eb || lo != count * m->width || (size_t)eb * 8 > (size_t)c->rows * c->window) return fail(env, "combPow: sizes do not match the table");
  BIGNUM *acc = BN_new(), *tmp = BN_new();
  int ok = acc && tmp;
  for (size_t k = 0; ok && k < count; k++) {
    int started = comb_eval(c, (unsigned char *)e + k * (size_t)eb, eb, acc, &ok);
    unsigned char *dst = (unsigned char *)o + k * m->width;
    if (!started) {
      memset(dst, 0, m->width);
      dst[m->width - 1] = 1;
    } else if (ok) ok = put(m, acc, tmp, dst);
  }
  BN_free(acc), BN_free(tmp);
  return ok ? NULL : fail(env, "combPow: OpenSSL failed");
}

/*
 * The private key's CRT arithmetic (Paillier 1999 §7): decryption as two half-size powers
 * c^(p−1) mod p² and c^(q−1) mod q² (OpenSSL's constant-time Montgomery exponentiation, the
 * exponents being secret) recombined by Garner; and, for the key holder, the randomness
 * h_s^α mod n² as h_s^α mod p² and mod q² by two half-size combs, recombined likewise.
 *
 *   crtKey(p, q, hp, hq, qInvP, q2InvP2, nBytes, cipherBytes) -> handle
 *   decryptMany(key, cts, out)              out_i = Dec(cts_i), nBytes each
 *   crtCombPow(key, tableP, tableQ, exps, expBytes, out)   out_i = h^exps_i mod n² (cipherBytes each)
 */
typedef struct {
  BIGNUM *p, *q, *p2, *q2, *n2, *pm1, *qm1, *hp, *hq, *qInvP, *q2InvP2;
  BN_MONT_CTX *mp2, *mq2;
  BN_CTX *ctx;
  size_t nBytes, cBytes;
} CrtKey;

static void free_crt(napi_env env, void *data, void *hint) {
  (void)env, (void)hint;
  CrtKey *k = data;
  BN_clear_free(k->p), BN_clear_free(k->q), BN_clear_free(k->p2), BN_clear_free(k->q2), BN_free(k->n2), BN_clear_free(k->pm1), BN_clear_free(k->qm1);
  BN_clear_free(k->hp), BN_clear_free(k->hq), BN_clear_free(k->qInvP), BN_clear_free(k->q2InvP2);
  BN_MONT_CTX_free(k->mp2), BN_MONT_CTX_free(k->mq2), BN_CTX_free(k->ctx);
  free(k);
}

static BIGNUM *bn_arg(napi_env env, napi_value v) {
  void *p;
  size_t len;
  if (!bytes_of(env, v, napi_uint8_array, &p, &len) || len == 0) return NULL;
  return BN_bin2bn(p, (int)len, NULL);
}

static napi_value crt_key(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t nb, cb;
  if (argc != 8 || !get_int(env, argv[6], &nb) || !get_int(env, argv[7], &cb) || nb < 1 || cb < nb) return fail(env, "crtKey(p, q, hp, hq, qInvP, q2InvP2, nBytes, cipherBytes)");
  CrtKey *k = calloc(1, sizeof *k);
  if (!k) return fail(env, "crtKey: out of memory");
  k->p = bn_arg(env, argv[0]), k->q = bn_arg(env, argv[1]), k->hp = bn_arg(env, argv[2]), k->hq = bn_arg(env, argv[3]);
  k->qInvP = bn_arg(env, argv[4]), k->q2InvP2 = bn_arg(env, argv[5]);
  k->nBytes = (size_t)nb, k->cBytes = (size_t)cb;
  k->ctx = BN_CTX_new();
  k->p2 = BN_new(), k->q2 = BN_new(), k->n2 = BN_new(), k->pm1 = BN_new(), k->qm1 = BN_new();
  k->mp2 = BN_MONT_CTX_new(), k->mq2 = BN_MONT_CTX_new();
  int ok = k->p && k->q && k->hp && k->hq && k->qInvP && k->q2InvP2 && k->ctx && k->p2 && k->q2 && k->n2 && k->pm1 && k->qm1 && k->mp2 && k->mq2 &&
           BN_is_odd(k->p) && BN_is_odd(k->q) && BN_sqr(k->p2, k->p, k->ctx) && BN_sqr(k->q2, k->q, k->ctx) && BN_mul(k->n2, k->p2, k->q2, k->ctx) &&
           BN_copy(k->pm1, k->p) && BN_sub_word(k->pm1, 1) && BN_copy(k->qm1, k->q) && BN_sub_word(k->qm1, 1) &&
           BN_MONT_CTX_set(k->mp2, k->p2, k->ctx) && BN_MONT_CTX_set(k->mq2, k->q2, k->ctx) && BN_num_bytes(k->n2) <= cb;
  if (ok) {
    BN_set_flags(k->pm1, BN_FLG_CONSTTIME), BN_set_flags(k->qm1, BN_FLG_CONSTTIME);
  }
  if (!ok) {
    free_crt(env, k, NULL);
    return fail(env, "crtKey: malformed key material");
  }
  napi_value out;
  napi_create_external(env, k, free_crt, NULL, &out);
  return out;
}

/* m_p = L_p(c^(p−1) mod p²)·h_p mod p, for one prime; 0 when c is not a unit mod p. */
static int half_decrypt(CrtKey *k, const BIGNUM *c, BIGNUM *prime, BIGNUM *sq, BIGNUM *e, BN_MONT_CTX *mont, BIGNUM *h, BIGNUM *out, BIGNUM *t) {
  if (!BN_nnmod(t, c, sq, k->ctx) || !BN_mod(out, t, prime, k->ctx) || BN_is_zero(out)) return 0;
  if (!BN_mod_exp_mont_consttime(out, t, e, sq, k->ctx, mont) || !BN_sub_word(out, 1) || !BN_div(out, NULL, out, prime, k->ctx)) return 0;
  return BN_mod_mul(out, out, h, prime, k->ctx);
}

static napi_value decrypt_many(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  CrtKey *k = argc == 3 ? external_of(env, argv[0]) : NULL;
  void *cts, *o;
  size_t lc, lo;
  if (!k || !bytes_of(env, argv[1], napi_uint8_array, &cts, &lc) || !bytes_of(env, argv[2], napi_uint8_array, &o, &lo) || lc % k->cBytes ||
      lo != (lc / k->cBytes) * k->nBytes)
    return fail(env, "decryptMany(key, cts, out): whole ciphertexts, nBytes out each");
  BIGNUM *c = BN_new(), *mp = BN_new(), *mq = BN_new(), *t = BN_new();
  int ok = c && mp && mq && t, unit = 1;
  for (size_t i = 0; ok && unit && i < lc / k->cBytes; i++) {
    ok = BN_bin2bn((unsigned char *)cts + i * k->cBytes, (int)k->cBytes, c) != NULL;
    if (ok && (BN_is_zero(c) || BN_cmp(c, k->n2) >= 0)) { unit = 0; break; }
    unit = ok && half_decrypt(k, c, k->p, k->p2, k->pm1, k->mp2, k->hp, mp, t) && half_decrypt(k, c, k->q, k->q2, k->qm1, k->mq2, k->hq, mq, t);
    /* Garner: m = m_q + q·((m_p − m_q)·q^(−1) mod p) */
    ok = unit && BN_mod_sub(t, mp, mq, k->p, k->ctx) && BN_mod_mul(t, t, k->qInvP, k->p, k->ctx) && BN_mul(t, t, k->q, k->ctx) && BN_add(t, t, mq) &&
         BN_bn2binpad(t, (unsigned char *)o + i * k->nBytes, (int)k->nBytes) == (int)k->nBytes;
  }
  BN_clear_free(c), BN_clear_free(mp), BN_clear_free(mq), BN_clear_free(t);
  if (!unit) return fail(env, "decryptMany: a ciphertext is not a unit mod n² (or not in (0, n²))");
  return ok ? NULL : fail(env, "decryptMany: OpenSSL failed");
}

static napi_value crt_comb_pow(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  CrtKey *k = argc == 6 ? external_of(env, argv[0]) : NULL;
  Comb *cp = argc == 6 ? external_of(env, argv[1]) : NULL, *cq = argc == 6 ? external_of(env, argv[2]) : NULL;
  void *e, *o;
  size_t le, lo;
  int32_t eb;
  if (!k || !cp || !cq || !bytes_of(env, argv[3], napi_uint8_array, &e, &le) || !get_int(env, argv[4], &eb) || eb < 1 || !bytes_of(env, argv[5], napi_uint8_array, &o, &lo))
    return fail(env, "crtCombPow(key, tableP, tableQ, exps, expBytes, out)");
  size_t count = le / (size_t)eb;
  if (le % (size_t)eb || lo != count * k->cBytes || (size_t)eb * 8 > (size_t)cp->rows * cp->window || (size_t)eb * 8 > (size_t)cq->rows * cq->window ||
      BN_cmp(cp->mod->m, k->p2) != 0 || BN_cmp(cq->mod->m, k->q2) != 0)
    return fail(env, "crtCombPow: sizes or tables do not match the key");
  BIGNUM *a = BN_new(), *b = BN_new(), *t = BN_new();
  int ok = a && b && t;
  for (size_t i = 0; ok && i < count; i++) {
    const unsigned char *x = (unsigned char *)e + i * (size_t)eb;
    int sp = comb_eval(cp, x, eb, a, &ok), sq = ok ? comb_eval(cq, x, eb, b, &ok) : 0;
    ok = ok && (sp ? BN_from_montgomery(a, a, k->mp2, k->ctx) : BN_one(a)) && (sq ? BN_from_montgomery(b, b, k->mq2, k->ctx) : BN_one(b));
    /* ρ = ρ_q + q²·((ρ_p − ρ_q)·(q²)^(−1) mod p²) */
    ok = ok && BN_mod_sub(t, a, b, k->p2, k->ctx) && BN_mod_mul(t, t, k->q2InvP2, k->p2, k->ctx) && BN_mul(t, t, k->q2, k->ctx) && BN_add(t, t, b) &&
         BN_bn2binpad(t, (unsigned char *)o + i * k->cBytes, (int)k->cBytes) == (int)k->cBytes;
  }
  BN_clear_free(a), BN_clear_free(b), BN_clear_free(t);
  return ok ? NULL : fail(env, "crtCombPow: OpenSSL failed");
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"modulus", NULL, modulus, NULL, NULL, NULL, napi_enumerable, NULL},
    {"mulMany", NULL, mul_many, NULL, NULL, NULL, napi_enumerable, NULL},
    {"encryptMany", NULL, encrypt_many, NULL, NULL, NULL, napi_enumerable, NULL},
    {"histogram", NULL, histogram, NULL, NULL, NULL, napi_enumerable, NULL},
    {"loadCiphertexts", NULL, load_ciphertexts, NULL, NULL, NULL, napi_enumerable, NULL},
    {"packMany", NULL, pack_many, NULL, NULL, NULL, napi_enumerable, NULL},
    {"powMany", NULL, pow_many, NULL, NULL, NULL, napi_enumerable, NULL},
    {"comb", NULL, comb, NULL, NULL, NULL, napi_enumerable, NULL},
    {"combPow", NULL, comb_pow, NULL, NULL, NULL, napi_enumerable, NULL},
    {"crtKey", NULL, crt_key, NULL, NULL, NULL, napi_enumerable, NULL},
    {"decryptMany", NULL, decrypt_many, NULL, NULL, NULL, napi_enumerable, NULL},
    {"crtCombPow", NULL, crt_comb_pow, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(paillier_bn, init)
