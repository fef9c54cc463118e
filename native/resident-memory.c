/*
 * Keeps memory that the process frees resident for its next allocations (glibc's mallopt),
 * for processes that allocate and drop the same large buffers over and over: an MPC party
 * whose every rep3 product of 10^6 elements returns two fresh 8 MB shares and receives an
 * 8 MB message (src/mpc/resident-memory.ts says when it is called).
 *
 *   retain(mmapThreshold, trimThreshold) → 1 when glibc took both settings, 0 otherwise
 *
 * Why: glibc serves blocks above its mmap threshold (128 KiB at start, raised dynamically to
 * the size of the last such block freed) with mmap and gives them back with munmap, and trims
 * the top of its heap once more than the trim threshold is free there. Either way the next
 * 8 MB buffer comes from the kernel as fresh zero pages, and writing it faults in 2048 pages
 * of 4 KiB: measured between three party processes on this machine, 2,000–4,000 minor faults
 * on most products, 3–5 µs each, 7–15 ms of CPU per product of 10^6 (docs/architecture.md,
 * "Where a product's time goes"). With the mmap threshold at glibc's maximum (32 MiB on
 * 64-bit) and a trim threshold above what a few products free, freed blocks stay in the heap
 * and are handed out again, already mapped. The cost is memory: the process keeps up to
 * `trimThreshold` bytes of freed heap instead of returning it to the system.
 *
 * Elsewhere (musl, macOS) this is a no-op returning 0.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include "napi-args.h"
#ifdef __GLIBC__
#include <malloc.h>
#endif

static napi_value retain(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  int64_t mmap_threshold = 0, trim_threshold = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 2 ||
      napi_get_value_int64(env, argv[0], &mmap_threshold) != napi_ok || napi_get_value_int64(env, argv[1], &trim_threshold) != napi_ok ||
      mmap_threshold <= 0 || trim_threshold <= 0 || mmap_threshold > INT32_MAX || trim_threshold > INT32_MAX) {
    return napi_args_fail(env, "ERR_INVALID_ARG_VALUE", "retain(mmapThreshold, trimThreshold): two positive byte counts below 2^31");
  }
#ifdef __GLIBC__
  int ok = mallopt(M_MMAP_THRESHOLD, (int)mmap_threshold) == 1 && mallopt(M_TRIM_THRESHOLD, (int)trim_threshold) == 1;
  return napi_args_int(env, ok);
#else
  return napi_args_int(env, 0);
#endif
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"retain", NULL, retain, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(resident_memory, init)
