/**
 * Uniformly random permutations from a seeded stream: two parties holding the same stream
 * derive the same permutation without a message (oblivious shuffles use this).
 */
import type { Prg } from '../crypto/prg.js';
import { TacitError } from '../errors.js';

/** A uniformly random permutation of 0..n−1 from `prg` (Fisher–Yates, rejection-sampled). */
export function randomPermutation(prg: Prg, n: number): Int32Array {
  if (n > 2 ** 31) throw new TacitError('shuffle: too many elements');
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  const rnd = new Uint32Array(2 * n + 16);
  prg.fill(new Uint8Array(rnd.buffer));
  let r = 0;
  for (let i = n - 1; i > 0; i--) {
    const bound = i + 1;
    const limit = Math.floor(2 ** 32 / bound) * bound;
    let v: number;
    do {
      if (r === rnd.length) {
        prg.fill(new Uint8Array(rnd.buffer));
        r = 0;
      }
      v = rnd[r++]!;
    } while (v >= limit);
    const j = v % bound;
    const t = perm[i]!;
    perm[i] = perm[j]!;
    perm[j] = t;
  }
  return perm;
}

