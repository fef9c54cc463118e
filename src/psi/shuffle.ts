/**
 * Uniform random permutations from the OS CSPRNG (Fisher–Yates, Knuth vol. 2 §3.4.2).
 *
 * In DH-PSI the order of a set is information: a party that learns which positions of a
 * peer's list matched learns which of the peer's rows (record numbers) are in the
 * intersection. Every party therefore shuffles its own ids before hashing, and a set that
 * returns to its owner (in cardinality-only mode, or the combiner's own set) is shuffled
 * again by the last party that touches it.
 *
 * Each index is drawn as floor(r · (i + 1)) with r from 53 random bits, so the bias is below
 * n / 2^53 (negligible); `crypto.randomInt` per element would be ~10x slower.
 */
import { randomFillSync } from 'node:crypto';

const CHUNK = 4096;

/** Draws uniform integers in [0, bound) for bound ≤ 2^32, from 53-bit random fractions. */
class Draws {
  #buf = new Uint32Array(2 * CHUNK);
  #pos = 2 * CHUNK;
  next(bound: number): number {
    if (this.#pos === this.#buf.length) {
      randomFillSync(this.#buf);
      this.#pos = 0;
    }
    const hi = this.#buf[this.#pos++]! >>> 11;
    const lo = this.#buf[this.#pos++]!;
    return Math.floor(((hi * 4294967296 + lo) / 9007199254740992) * bound);
  }
  wipe(): void {
    this.#buf.fill(0);
  }
}

/** Shuffles `items` in place. */
export function shuffleInPlace<T>(items: T[]): T[] {
  const d = new Draws();
  for (let i = items.length - 1; i > 0; i--) {
    const j = d.next(i + 1);
    const t = items[i]!;
    items[i] = items[j]!;
    items[j] = t;
  }
  d.wipe();
  return items;
}

/** A shuffled copy of the `records.length / width` records of `width` bytes each. */
export function shuffleRecords(records: Uint8Array, width: number): Uint8Array {
  const n = records.length / width;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const d = new Draws();
  for (let i = n - 1; i > 0; i--) {
    const j = d.next(i + 1);
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  d.wipe();
  const out = new Uint8Array(records.length);
  for (let i = 0; i < n; i++) out.set(records.subarray(order[i]! * width, order[i]! * width + width), i * width);
  order.fill(0);
  return out;
}
