/**
 * The random factor of a Paillier encryption, c = (1 + m·n) · ρ mod n²:
 *  - paillier:  ρ = r^n mod n² for uniform r ∈ Z*_n (Paillier 1999), r^n through OpenSSL;
 *  - zpaillier: ρ = h_s^α mod n² for a short uniform α (Damgård–Jurik 2001 §4.2), by a
 *    fixed-base comb over h_s (BigInt) or OpenSSL's DH with generator h_s — whichever this
 *    machine runs faster is picked once per key (`fixedBase: 'auto'`).
 * ρ does not depend on m, so it can be made ahead of time (`randomness-pool.ts`).
 */
import { randomBelow, randomBits } from './bigint.js';
import type { PaillierPublicKey } from './keys.js';
import { CombFixedBase, OpenSslFixedBase } from './modexp.js';

export type FixedBaseMethod = 'comb' | 'openssl' | 'auto';

export class ObfuscatorSource {
  private readonly fixedBase: { pow(e: bigint): bigint } | undefined;
  readonly method: 'r^n' | 'comb' | 'openssl';

  constructor(
    readonly key: PaillierPublicKey,
    method: FixedBaseMethod = 'auto',
  ) {
    if (key.scheme === 'paillier') {
      this.method = 'r^n';
      return;
    }
    const bits = key.exponentBits;
    if (method === 'auto') method = key.backend === 'openssl' ? 'openssl' : 'comb';
    if (method === 'openssl' && key.backend === 'openssl') {
      this.fixedBase = new OpenSslFixedBase(key.n2, key.hs!);
      this.method = 'openssl';
    } else {
      this.fixedBase = new CombFixedBase(key.n2, key.hs!, bits, 8);
      this.method = 'comb';
    }
  }

  /** One fresh ρ. */
  next(): bigint {
    if (this.fixedBase) return this.fixedBase.pow(randomBits(this.key.exponentBits));
    return this.key.powerN(randomBelow(this.key.n));
  }
}
