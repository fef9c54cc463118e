/**
 * Correlated randomness for three-party replicated sharing, with no messages after setup
 * (Araki, Furukawa, Lindell, Nof, Ohara, CCS 2016, §2.1).
 *
 * Party i draws a seed k_i and gives it to party i−1, so each party holds k_i and k_{i+1}
 * and each pair of parties shares exactly one seed (pair {j−1, j} shares k_j). From each
 * seed two independent streams are derived: one for zero-sharings (α_i = F(k_i) − F(k_{i+1})
 * sums to zero over the three parties) and one for randomness known to a named pair, which
 * protocols use to make masks and shares without sending them.
 *
 * Both holders of a seed must draw from its streams in the same order; `pair(a, b)` is the
 * only door to a pair stream, so a draw made by one holder is by construction made by the
 * other in the same protocol step.
 */
import { randomBytes } from 'node:crypto';
import { Prg, SEED_BYTES } from '../../crypto/prg.js';
import type { Comm } from '../comm.js';

export class Rep3Randomness {
  readonly index: number;
  readonly #zeroSelf: Prg;
  readonly #zeroNext: Prg;
  readonly #pairSelf: Prg;
  readonly #pairNext: Prg;

  private constructor(index: number, kSelf: Uint8Array, kNext: Uint8Array) {
    this.index = index;
    const self = new Prg(kSelf);
    const next = new Prg(kNext);
    this.#zeroSelf = new Prg(self.seed());
    this.#pairSelf = new Prg(self.seed());
    this.#zeroNext = new Prg(next.seed());
    this.#pairNext = new Prg(next.seed());
    kSelf.fill(0);
    kNext.fill(0);
  }

  /** Exchanges seeds with the neighbours (one 16-byte message each way). */
  static async setup(comm: Comm, parties: readonly string[], index: number): Promise<Rep3Randomness> {
    const prev = parties[(index + 2) % 3]!;
    const next = parties[(index + 1) % 3]!;
    const kSelf = randomBytes(SEED_BYTES);
    comm.send(prev, 'rep3.seed', kSelf);
    const kNext = await comm.recvBytes(next, 'rep3.seed', SEED_BYTES);
    return new Rep3Randomness(index, new Uint8Array(kSelf), new Uint8Array(kNext));
  }

  /** Writes this party's parts of an additive (or, for booleans, XOR) zero-sharing. */
  zeroStreams(p0: BigUint64Array, p1: BigUint64Array): void {
    this.#zeroSelf.fill(p0);
    this.#zeroNext.fill(p1);
  }

  /**
   * The seeds of a zero-sharing for one operation, forked synchronously from the two zero
   * streams (a 16-byte seed drawn from each, at the same point by both holders of each
   * seed); the operation's mask is AES-CTR(self) − AES-CTR(next), element by element, which
   * the product kernel (`product-kernel.ts`) draws itself. An operation that computes in
   * chunks and yields to I/O between them draws from its fork, so operations that overlap
   * in time cannot interleave their draws differently at different parties.
   */
  forkZeroSeeds(): { self: Uint8Array; next: Uint8Array } {
    return { self: this.#zeroSelf.seed(), next: this.#zeroNext.seed() };
  }

  /**
   * The stream shared by compute parties `a` and `b` (indices), or undefined when this
   * party is neither. Pair {j−1, j} shares k_j.
   */
  pair(a: number, b: number): Prg | undefined {
    const j = (a + 1) % 3 === b ? b : (b + 1) % 3 === a ? a : -1;
    if (j < 0 || a === b) throw new RangeError(`rep3: parties ${a} and ${b} do not form a pair`);
    if (this.index === j) return this.#pairSelf;
    if (this.index === (j + 2) % 3) return this.#pairNext;
    return undefined;
  }
}
