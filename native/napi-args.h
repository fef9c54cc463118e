/*
 * The argument unpacking every native shim shares (N-API, version 8): a typed array's data and
 * element count when it is of the wanted type, a thrown error with a code, an int32 result.
 * `static inline`, so a shim that does not use one of them gets no unused-function warning.
 * scripts/build.mjs counts a header no shim's name prefixes (like this one) as a source of
 * every shim, so changing it rebuilds them all.
 */
#ifndef TACIT_NAPI_ARGS_H
#define TACIT_NAPI_ARGS_H
#include <node_api.h>
#include <stddef.h>
#include <stdint.h>

/* Throws a JavaScript Error with `code` and `msg`; returns NULL for the caller to return. */
static inline napi_value napi_args_fail(napi_env env, const char *code, const char *msg) {
  napi_throw_error(env, code, msg);
  return NULL;
}

/* 1 with `*data` and `*len` (elements, not bytes) when v is a typed array of type `want`, else 0. */
static inline int napi_args_typed(napi_env env, napi_value v, napi_typedarray_type want, void **data, size_t *len) {
  bool is = false;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return 0;
  napi_typedarray_type type;
  napi_value ab;
  size_t off;
  return napi_get_typedarray_info(env, v, &type, len, data, &ab, &off) == napi_ok && type == want;
}

static inline napi_value napi_args_int(napi_env env, int32_t x) {
  napi_value r;
  napi_create_int32(env, x, &r);
  return r;
}
#endif
