/**
 * The random factor of a Paillier encryption, c = (1 + m·n) · ρ mod n²:
 *  - paillier:  ρ = r^n mod n² for uniform r ∈ Z*_n (Paillier 1999), r^n through OpenSSL;
 *  - zpaillier: ρ = h_s^α mod n² for a short uniform α (Damgård–Jurik 2001 §4.2), by a
 *    fixed-base comb over h_s — in OpenSSL's Montgomery arithmetic (`native.ts`) when that
 *    is built (10-bit windows: ℓ/10 products, a 24 MB table per thread at 2048 bits), else in
 *    BigInt (8-bit windows) — or OpenSSL's DH with generator h_s. 'auto' takes the native
 *    comb, else the DH object (the faster of the other two on the build machine).
 * The key holder (who encrypts its own data, as SecureBoost's label holder does) makes h_s^α
 * by CRT instead: a comb mod p² and one mod q², recombined by Garner ('native-crt') — the same
 * value, from products of half-size numbers.
 * ρ does not depend on m, so it can be made ahead of time (`randomness-pool.ts`).
 */
import { randomBytes } from 'node:crypto';
import { fromBytes, randomBelow, randomBits, toBytes } from './bigint.js';
import type { PaillierPrivateKey, PaillierPublicKey } from './keys.js';
import { CombFixedBase, OpenSslFixedBase } from './modexp.js';
import { HE_NATIVE, NativeModulus, type NativeComb, type NativeCrtFixedBase } from './native.js';

/** Digit width of the key holder's two half-size combs (2^11 entries per row, ~25 MB per prime at 2048 bits). */
export const CRT_COMB_WINDOW = 11;

export type FixedBaseMethod = 'native' | 'comb' | 'openssl' | 'auto';

export class ObfuscatorSource {
  private readonly fixedBase: { pow(e: bigint): bigint } | undefined;
  private readonly nativeComb: NativeComb | NativeCrtFixedBase | undefined;
  readonly method: 'r^n' | 'native' | 'native-crt' | 'comb' | 'openssl';

  constructor(
    readonly key: PaillierPublicKey,
    method: FixedBaseMethod = 'auto',
    privateKey?: PaillierPrivateKey,
  ) {
    if (key.scheme === 'paillier') {
      this.method = 'r^n';
      return;
    }
    const bits = key.exponentBits;
    const crt = privateKey && privateKey.publicKey.n === key.n && (method === 'auto' || method === 'native') ? privateKey.native : null;
    if (crt) {
      this.nativeComb = crt.fixedBase(key.hs!, bits, CRT_COMB_WINDOW);
      this.method = 'native-crt';
      return;
    }
    if (method === 'auto') method = HE_NATIVE && key.backend === 'openssl' ? 'native' : key.backend === 'openssl' ? 'openssl' : 'comb';
    if (method === 'native' && HE_NATIVE) {
      this.nativeComb = new NativeModulus(HE_NATIVE, key.n2, key.cipherBytes).comb(key.hs!, bits, 10);
      this.method = 'native';
    } else if (method === 'openssl' && key.backend === 'openssl') {
      this.fixedBase = new OpenSslFixedBase(key.n2, key.hs!);
      this.method = 'openssl';
    } else {
      this.fixedBase = new CombFixedBase(key.n2, key.hs!, bits, 8);
      this.method = 'comb';
    }
  }

  /** One fresh ρ. */
  next(): bigint {
    if (this.nativeComb) return fromBytes(this.nextBytes(1));
    if (this.fixedBase) return this.fixedBase.pow(randomBits(this.key.exponentBits));
    return this.key.powerN(randomBelow(this.key.n));
  }

  /** `count` fresh values of ρ as fixed-width bytes (no BigInt per value on the native path). */
  nextBytes(count: number): Uint8Array {
    if (this.nativeComb) {
      const eb = Math.ceil(this.key.exponentBits / 8);
      return this.nativeComb.pow(randomBytes(count * eb), eb);
    }
    const w = this.key.cipherBytes;
    const out = new Uint8Array(count * w);
    for (let i = 0; i < count; i++) out.set(toBytes(this.next(), w), i * w);
    return out;
  }
}
