/*
 * Part of native/paillier-bn.c (included there, not compiled alone): SecureBoost's encrypted
 * histograms — ciphertexts kept in Montgomery form per tree, and the products per (node,
 * feature, bin) with feature grouping. Uses the Modulus type and helpers defined before the
 * include.
 */
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
