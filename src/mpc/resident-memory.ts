/**
 * Keeps freed memory resident in a party process, so the large buffers an MPC protocol
 * allocates and drops each round (a rep3 product of 10^6 returns two fresh 8 MB shares and
 * receives an 8 MB message) come back already mapped instead of as fresh zero pages.
 *
 * Measured between three party processes on this 2-core machine (docs/architecture.md,
 * "Where a product's time goes"): without it most products of 10^6 took 2,000–4,000 minor
 * page faults (glibc returns freed blocks of that size to the kernel: munmap, or a trim of
 * its heap's top), 3–5 µs each — 7–15 ms of a party's CPU on a product whose local compute
 * is 4.5 ms. The setting is process-wide (glibc `mallopt` through `native/resident-memory.c`):
 * blocks up to 32 MiB come from the heap, and up to RETAIN_BYTES of freed heap stay with the
 * process. It is made once, by the first protocol set up in the process (`Rep3Protocol.create`, or
 * `Semi2kProtocol.create` at a compute party, whose OT triples allocate MB-sized messages per chunk);
 * TACIT_KEEP_FREED_MEMORY=0 turns it off (to compare, or where memory matters more than speed).
 * Where the shim is not built or the C library is not glibc, nothing changes.
 */
import { createRequire } from 'node:module';

/** glibc's largest mmap threshold on 64-bit (DEFAULT_MMAP_THRESHOLD_MAX). */
const MMAP_THRESHOLD = 32 * 1024 * 1024;
/** Freed heap kept before glibc trims it: several products of 10^6 (16 MB each) in flight. */
export const RETAIN_BYTES = 256 * 1024 * 1024;

interface NativeResidentMemory {
  retain(mmapThreshold: number, trimThreshold: number): number;
}

let state: 'unset' | 'on' | 'off' | 'unavailable' = 'unset';

/** Applies the setting once per process; returns whether freed memory is now kept ('on'). */
export function keepFreedMemoryResident(): 'on' | 'off' | 'unavailable' {
  if (state !== 'unset') return state;
  if (process.env['TACIT_KEEP_FREED_MEMORY'] === '0') return (state = 'off');
  let shim: NativeResidentMemory;
  try {
    shim = createRequire(import.meta.url)('../../native/resident-memory.node') as NativeResidentMemory;
  } catch {
    return (state = 'unavailable'); // not built here
  }
  return (state = shim.retain(MMAP_THRESHOLD, RETAIN_BYTES) === 1 ? 'on' : 'unavailable');
}
