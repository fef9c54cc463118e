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
 *   crtKey(p, q, hp, hq, qInvP, q2InvP2, nBytes, cipherBytes, ep, eq) -> handle
 *        ep, eq: the decryption exponents mod p², q² — p − 1 and q − 1 for standard keys, the
 *        randomness subgroup's orders α_p, α_q for keys with a short decryption exponent
 *   decryptMany(key, cts, out[, threads])   out_i = Dec(cts_i), nBytes each (threads: batch runs or CRT halves)
 *   crtCombPow(key, tableP, tableQ, exps, expBytes, out)   out_i = h^exps_i mod n² (cipherBytes each)
 */
#include <pthread.h>

#define DECRYPT_MAX_THREADS 16

typedef struct {
  BIGNUM *p, *q, *p2, *q2, *n2, *ep, *eq, *hp, *hq, *qInvP, *q2InvP2; /* ep, eq: the decryption exponents */
  BN_MONT_CTX *mp2, *mq2;
  BN_CTX *ctx;
  size_t nBytes, cBytes;
} CrtKey;

static void free_crt(napi_env env, void *data, void *hint) {
  (void)env, (void)hint;
  CrtKey *k = data;
  BN_clear_free(k->p), BN_clear_free(k->q), BN_clear_free(k->p2), BN_clear_free(k->q2), BN_free(k->n2), BN_clear_free(k->ep), BN_clear_free(k->eq);
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
  size_t argc = 10;
  napi_value argv[10];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t nb, cb;
  if (argc != 10 || !get_int(env, argv[6], &nb) || !get_int(env, argv[7], &cb) || nb < 1 || cb < nb) return fail(env, "crtKey(p, q, hp, hq, qInvP, q2InvP2, nBytes, cipherBytes, ep, eq)");
  CrtKey *k = calloc(1, sizeof *k);
  if (!k) return fail(env, "crtKey: out of memory");
  k->p = bn_arg(env, argv[0]), k->q = bn_arg(env, argv[1]), k->hp = bn_arg(env, argv[2]), k->hq = bn_arg(env, argv[3]);
  k->qInvP = bn_arg(env, argv[4]), k->q2InvP2 = bn_arg(env, argv[5]);
  k->nBytes = (size_t)nb, k->cBytes = (size_t)cb;
  k->ctx = BN_CTX_new();
  k->p2 = BN_new(), k->q2 = BN_new(), k->n2 = BN_new(), k->ep = bn_arg(env, argv[8]), k->eq = bn_arg(env, argv[9]);
  k->mp2 = BN_MONT_CTX_new(), k->mq2 = BN_MONT_CTX_new();
  int ok = k->p && k->q && k->hp && k->hq && k->qInvP && k->q2InvP2 && k->ctx && k->p2 && k->q2 && k->n2 && k->ep && k->eq && k->mp2 && k->mq2 &&
           BN_is_odd(k->p) && BN_is_odd(k->q) && BN_sqr(k->p2, k->p, k->ctx) && BN_sqr(k->q2, k->q, k->ctx) && BN_mul(k->n2, k->p2, k->q2, k->ctx) &&
           !BN_is_zero(k->ep) && BN_cmp(k->ep, k->p) < 0 && !BN_is_zero(k->eq) && BN_cmp(k->eq, k->q) < 0 &&
           BN_MONT_CTX_set(k->mp2, k->p2, k->ctx) && BN_MONT_CTX_set(k->mq2, k->q2, k->ctx) && BN_num_bytes(k->n2) <= cb;
  if (ok) {
    BN_set_flags(k->ep, BN_FLG_CONSTTIME), BN_set_flags(k->eq, BN_FLG_CONSTTIME);
  }
  if (!ok) {
    free_crt(env, k, NULL);
    return fail(env, "crtKey: malformed key material");
  }
  napi_value out;
  napi_create_external(env, k, free_crt, NULL, &out);
  return out;
}

/*
 * m_p = L_p(c^e mod p²)·h_p mod p for one prime (which = 0: p, 1: q), into out, with e = p − 1
 * (or α_p, see crtKey). Returns 1, 0 when c is not a unit mod p, −1 when OpenSSL fails. The
 * unit check costs no extra division: c^(p−1) ≡ 1 (mod p) exactly when p ∤ c (Fermat), so the
 * remainder of the L function's division (x − 1)/p is 0 for a unit and non-zero otherwise
 * (x = 0 when p | c); with e = α_p it is 0 exactly when c mod p lies in the subgroup of order
 * α_p, where every ciphertext of such a key lies, so anything else is refused.
 * Only c mod p² enters the power (BN_mod_exp_mont_consttime would reduce it the same way);
 * the exponent p − 1 is secret, hence the constant-time ladder with the key's cached
 * Montgomery context of p² (read-only here, so threads may share it).
 */
static int half_decrypt(const CrtKey *k, BN_CTX *ctx, const BIGNUM *c, int which, BIGNUM *out, BIGNUM *t, BIGNUM *rem) {
  const BIGNUM *prime = which ? k->q : k->p, *sq = which ? k->q2 : k->p2, *e = which ? k->eq : k->ep, *h = which ? k->hq : k->hp;
  BN_MONT_CTX *mont = which ? k->mq2 : k->mp2;
  if (!BN_nnmod(t, c, sq, ctx) || !BN_mod_exp_mont_consttime(t, t, e, sq, ctx, mont) || !BN_sub_word(t, 1) || !BN_div(out, rem, t, prime, ctx)) return -1;
  if (!BN_is_zero(rem)) return 0;
  return BN_mod_mul(out, out, h, prime, ctx) ? 1 : -1;
}

/* Garner: m = m_q + q·((m_p − m_q)·q^(−1) mod p), written as nBytes big-endian. */
static int garner(const CrtKey *k, BN_CTX *ctx, const BIGNUM *mp, const BIGNUM *mq, BIGNUM *t, unsigned char *out) {
  return BN_mod_sub(t, mp, mq, k->p, ctx) && BN_mod_mul(t, t, k->qInvP, k->p, ctx) && BN_mul(t, t, k->q, ctx) && BN_add(t, t, mq) &&
         BN_bn2binpad(t, out, (int)k->nBytes) == (int)k->nBytes;
}

/*
 * One thread's share of a decryptMany call: whole decryptions of ciphertexts [from, to), or
 * (half = 0 / 1) only the p or q half of ciphertext `from`, into res. Each job has its own
 * BN_CTX and temporaries; the key is only read.
 */
typedef struct {
  const CrtKey *k;
  const unsigned char *cts;
  unsigned char *out;
  size_t from, to;
  int half;
  BIGNUM *res;
  int status; /* 1 ok, 0 a non-unit or out-of-range ciphertext, −1 OpenSSL failed */
} DecryptJob;

static void *run_decrypt_job(void *arg) {
  DecryptJob *j = arg;
  const CrtKey *k = j->k;
  BN_CTX *ctx = BN_CTX_new();
  BIGNUM *c = BN_new(), *mp = BN_new(), *mq = BN_new(), *t = BN_new(), *rem = BN_new();
  j->status = ctx && c && mp && mq && t && rem ? 1 : -1;
  for (size_t i = j->from; j->status == 1 && i < j->to; i++) {
    if (!BN_bin2bn(j->cts + i * k->cBytes, (int)k->cBytes, c)) j->status = -1;
    else if (BN_is_zero(c) || BN_cmp(c, k->n2) >= 0) j->status = 0;
    else if (j->half >= 0) j->status = half_decrypt(k, ctx, c, j->half, j->res, t, rem);
    else if ((j->status = half_decrypt(k, ctx, c, 0, mp, t, rem)) == 1 && (j->status = half_decrypt(k, ctx, c, 1, mq, t, rem)) == 1)
      j->status = garner(k, ctx, mp, mq, t, j->out + i * k->nBytes) ? 1 : -1;
  }
  BN_clear_free(c), BN_clear_free(mp), BN_clear_free(mq), BN_clear_free(t), BN_clear_free(rem), BN_CTX_free(ctx);
  return NULL;
}

/* Runs jobs[1..] on new threads and jobs[0] on the caller's; a thread that cannot start runs inline. */
static void run_jobs(DecryptJob *jobs, int count) {
  pthread_t tid[DECRYPT_MAX_THREADS];
  int started[DECRYPT_MAX_THREADS] = {0};
  for (int i = 1; i < count; i++) started[i] = pthread_create(&tid[i], NULL, run_decrypt_job, &jobs[i]) == 0;
  run_decrypt_job(&jobs[0]);
  for (int i = 1; i < count; i++) {
    if (started[i]) pthread_join(tid[i], NULL);
    else run_decrypt_job(&jobs[i]);
  }
}

/*
 * decryptMany(key, cts, out[, threads]): with threads > 1, a batch is split into contiguous
 * runs, one per thread; a single ciphertext is split into its two CRT halves (c^(p−1) mod p²
 * on the caller's thread, c^(q−1) mod q² on a second one), recombined by Garner on the caller's.
 */
static napi_value decrypt_many(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  CrtKey *k = argc >= 3 ? external_of(env, argv[0]) : NULL;
  void *cts, *o;
  size_t lc, lo;
  int32_t threads = 1;
  if (!k || !bytes_of(env, argv[1], napi_uint8_array, &cts, &lc) || !bytes_of(env, argv[2], napi_uint8_array, &o, &lo) || lc % k->cBytes ||
      lo != (lc / k->cBytes) * k->nBytes || (argc == 4 && (!get_int(env, argv[3], &threads) || threads < 1)))
    return fail(env, "decryptMany(key, cts, out[, threads]): whole ciphertexts, nBytes out each, threads ≥ 1");
  size_t count = lc / k->cBytes;
  if (threads > DECRYPT_MAX_THREADS) threads = DECRYPT_MAX_THREADS;
  DecryptJob jobs[DECRYPT_MAX_THREADS];
  int njobs, status = 1;
  if (count == 0) return NULL;
  if (count == 1 && threads > 1) {
    BIGNUM *mp = BN_new(), *mq = BN_new(), *t = BN_new();
    BN_CTX *ctx = BN_CTX_new();
    for (int h = 0; h < 2; h++) jobs[h] = (DecryptJob){k, cts, o, 0, 1, h, h ? mq : mp, mp && mq ? 1 : -1};
    if (mp && mq && t && ctx) {
      run_jobs(jobs, 2);
      status = jobs[0].status < jobs[1].status ? jobs[0].status : jobs[1].status;
      if (status == 1) status = garner(k, ctx, mp, mq, t, o) ? 1 : -1;
    } else status = -1;
    BN_clear_free(mp), BN_clear_free(mq), BN_clear_free(t), BN_CTX_free(ctx);
  } else {
    njobs = (size_t)threads < count ? threads : (int)count;
    for (int i = 0; i < njobs; i++) jobs[i] = (DecryptJob){k, cts, o, count * (size_t)i / (size_t)njobs, count * (size_t)(i + 1) / (size_t)njobs, -1, NULL, 1};
    run_jobs(jobs, njobs);
    for (int i = 0; i < njobs; i++) status = jobs[i].status < status ? jobs[i].status : status;
  }
  if (status == 0) return fail(env, "decryptMany: a ciphertext is not a unit mod n² (or not in (0, n²))");
  return status == 1 ? NULL : fail(env, "decryptMany: OpenSSL failed");
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
