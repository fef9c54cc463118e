/**
 * Uniform random permutations from the OS CSPRNG, for the PSI's sets.
 *
 * In DH-PSI the order of a set is information: a party that learns which positions of a
 * peer's list matched learns which of the peer's rows (record numbers) are in the
 * intersection. Every party therefore shuffles its own ids before hashing, and a set that
 * returns to its owner (in cardinality-only mode, or the combiner's own set) is shuffled
 * again by the last party that touches it.
 *
 * The permutation is the engine's (`mpc/permutation.ts`: Fisher–Yates, rejection-sampled, so
 * exactly uniform) drawn from a generator freshly seeded by the OS CSPRNG.
 */
import { Prg } from '../crypto/prg.js';
import { randomPermutation } from '../mpc/permutation.js';

/** Shuffles `items` in place. */
export function shuffleInPlace<T>(items: T[]): T[] {
  const perm = randomPermutation(Prg.random(), items.length);
  const copy = items.slice();
  for (let i = 0; i < perm.length; i++) items[i] = copy[perm[i]!]!;
  perm.fill(0);
  return items;
}

/** A shuffled copy of the `records.length / width` records of `width` bytes each. */
export function shuffleRecords(records: Uint8Array, width: number): Uint8Array {
  const n = records.length / width;
  const order = randomPermutation(Prg.random(), n);
  const out = new Uint8Array(records.length);
  for (let i = 0; i < n; i++) out.set(records.subarray(order[i]! * width, order[i]! * width + width), i * width);
  order.fill(0);
  return out;
}
