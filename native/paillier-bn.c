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
 *   powManyConsttime(h, bases, exps, expBytes, out)   the same by the constant-time ladder
 *   comb(h, base, maxBits, window)               -> table of base^(j*2^(window*i)) (Montgomery form)
 *   combPow(table, exps, expBytes, out)          out_i = base^exps_i mod m
 *   crtKey / decryptMany / crtCombPow            the private key's CRT arithmetic (below)
 *
 * The histogram code is in paillier-bn-histogram.h and the private key's CRT code in
 * paillier-bn-crt.h, both included below (one addon; the build counts them as its sources).
 *
 * Built by scripts/build.mjs when a C compiler and Node's headers are present; without it
 * src/he/native.ts reports "not built" and the BigInt path computes the same functions (the
 * tests compare the two).
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include "napi-args.h"
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

static napi_value fail(napi_env env, const char *msg) { return napi_args_fail(env, "ERR_TACIT_PAILLIER_BN", msg); }

static int bytes_of(napi_env env, napi_value v, napi_typedarray_type want, void **data, size_t *len) { return napi_args_typed(env, v, want, data, len); }

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

#include "paillier-bn-histogram.h"

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

/* powMany and powManyConsttime: the latter through OpenSSL's constant-time ladder (secret exponents; the bench's baseline). */
static napi_value pow_many_with(napi_env env, napi_callback_info info, int consttime) {
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
    ok = BN_bin2bn((unsigned char *)b + i * m->width, (int)m->width, x) && BN_ucmp(x, m->m) < 0 && BN_bin2bn((unsigned char *)e + i * (size_t)eb, eb, k);
    if (ok && consttime) BN_set_flags(k, BN_FLG_CONSTTIME);
    ok = ok && (consttime ? BN_mod_exp_mont_consttime(x, x, k, m->m, m->ctx, m->mont) : BN_mod_exp_mont(x, x, k, m->m, m->ctx, m->mont)) &&
         BN_bn2binpad(x, (unsigned char *)o + i * m->width, (int)m->width) == (int)m->width;
  }
  BN_free(x), BN_clear_free(k);
  return ok ? NULL : fail(env, "powMany: a base is not below the modulus");
}

static napi_value pow_many(napi_env env, napi_callback_info info) { return pow_many_with(env, info, 0); }
static napi_value pow_many_consttime(napi_env env, napi_callback_info info) { return pow_many_with(env, info, 1); }

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

#include "paillier-bn-crt.h"

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"modulus", NULL, modulus, NULL, NULL, NULL, napi_enumerable, NULL},
    {"mulMany", NULL, mul_many, NULL, NULL, NULL, napi_enumerable, NULL},
    {"encryptMany", NULL, encrypt_many, NULL, NULL, NULL, napi_enumerable, NULL},
    {"histogram", NULL, histogram, NULL, NULL, NULL, napi_enumerable, NULL},
    {"loadCiphertexts", NULL, load_ciphertexts, NULL, NULL, NULL, napi_enumerable, NULL},
    {"packMany", NULL, pack_many, NULL, NULL, NULL, napi_enumerable, NULL},
    {"powMany", NULL, pow_many, NULL, NULL, NULL, napi_enumerable, NULL},
    {"powManyConsttime", NULL, pow_many_consttime, NULL, NULL, NULL, napi_enumerable, NULL},
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
