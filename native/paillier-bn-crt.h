/*
 * Part of native/paillier-bn.c (included there, not compiled alone): the private key's CRT
 * arithmetic. Uses the Modulus/Comb types and helpers defined before the include.
 */
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
