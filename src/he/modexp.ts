/**
 * Modular exponentiation for Paillier, from OpenSSL where possible.
 *
 * node:crypto exposes no modexp, but a finite-field Diffie–Hellman object is one: with a
 * "prime" m and private key e, `computeSecret(b)` returns b^e mod m and, with generator g,
 * `generateKeys()` returns g^e mod m. OpenSSL never needs m to be prime for these two
 * (the primality check runs once, when the object is made, and only sets `verifyError`).
 * On this machine that is ~9x faster than BigInt square-and-multiply for r^n mod n² at
 * 2048 bits (pinned by test/he/modexp.test.ts). So:
 *  - a fixed exponent (n for r^n, p−1 for CRT decryption, 2^k for slot shifts) is one DH
 *    object per key, reused for every base (`FixedExponent`);
 *  - a fixed base with varying short exponents (h_s^α of Damgård–Jurik) is one DH object
 *    with generator h_s (`OpenSslFixedBase`) or, in BigInt, a comb of precomputed powers
 *    h_s^(j·2^(w·i)) (`CombFixedBase`, Lim–Lee style: ℓ/w multiplications per power).
 * OpenSSL's DH code refuses public values outside [2, m−2] (and moduli over 10,000 bits),
 * and OpenSSL 3 refuses a shared secret of 0, 1 or m−1 (SP 800-56A) — which for Paillier is
 * common: c^(p−1) mod p² = 1 whenever c encrypts a multiple of p, e.g. 0. Such a base b is
 * retried as 2b, and b^e = (2b)^e · (2^e)^(−1); what still fails goes through BigInt.
 * Set TACIT_HE_MODEXP=bigint to force the fallback everywhere.
 */
import { createDiffieHellman, type DiffieHellman } from 'node:crypto';
import { byteLength, fromBytes, gcd, modInverse, modPowBigInt, toBytes } from './bigint.js';

const gcdOne = (a: bigint, m: bigint) => gcd(a, m) === 1n;
const modInverseSafe = (a: bigint, m: bigint) => modInverse(a, m);

export type ModexpBackend = 'openssl' | 'bigint';

export function defaultBackend(): ModexpBackend {
  return process.env['TACIT_HE_MODEXP'] === 'bigint' ? 'bigint' : 'openssl';
}

const MAX_DH_BITS = 10_000;

/** base ↦ base^e mod m for one fixed (e, m). */
export class FixedExponent {
  readonly backend: ModexpBackend;
  private readonly dh: DiffieHellman | undefined;
  private readonly len: number;
  private invTwoPow: bigint | undefined;

  constructor(
    readonly modulus: bigint,
    readonly exponent: bigint,
    backend: ModexpBackend = defaultBackend(),
  ) {
    this.len = byteLength(modulus);
    const usable = backend === 'openssl' && this.len * 8 <= MAX_DH_BITS && exponent > 0n;
    this.backend = usable ? 'openssl' : 'bigint';
    if (usable) {
      this.dh = createDiffieHellman(toBytes(modulus, this.len));
      this.dh.setPrivateKey(toBytes(exponent, byteLength(exponent)));
    }
  }

  pow(base: bigint): bigint {
    const m = this.modulus;
    if (this.dh && base >= 2n && base <= m - 2n) {
      try {
        return fromBytes(this.dh.computeSecret(toBytes(base, this.len)));
      } catch {
        const b2 = (base * 2n) % m;
        if (b2 >= 2n && b2 <= m - 2n) {
          try {
            const r = fromBytes(this.dh.computeSecret(toBytes(b2, this.len)));
            if (this.invTwoPow === undefined) {
              const t = modPowBigInt(2n, this.exponent, m);
              this.invTwoPow = gcdOne(t, m) ? modInverseSafe(t, m) : 0n;
            }
            if (this.invTwoPow !== 0n) return (r * this.invTwoPow) % m;
          } catch {
            // fall through to BigInt
          }
        }
      }
    }
    return modPowBigInt(base, this.exponent, m);
  }
}

/** e ↦ g^e mod m through OpenSSL (one DH object with generator g). */
export class OpenSslFixedBase {
  private readonly dh: DiffieHellman;
  constructor(
    readonly modulus: bigint,
    readonly base: bigint,
  ) {
    const len = byteLength(modulus);
    this.dh = createDiffieHellman(toBytes(modulus, len), toBytes(base, byteLength(base)));
  }
  pow(e: bigint): bigint {
    if (e <= 0n) return e === 0n ? 1n : modPowBigInt(this.base, e, this.modulus);
    this.dh.setPrivateKey(toBytes(e, byteLength(e)));
    return fromBytes(this.dh.generateKeys());
  }
}

/**
 * e ↦ g^e mod m for e < 2^maxBits by a fixed-base comb: T[i][j] = g^(j·2^(w·i)), so that
 * g^e = Π_i T[i][e_i] over the w-bit digits e_i of e — ⌈maxBits/w⌉ − 1 multiplications.
 */
export class CombFixedBase {
  private readonly table: bigint[][];
  private readonly mask: bigint;
  constructor(
    readonly modulus: bigint,
    readonly base: bigint,
    readonly maxBits: number,
    readonly window = 8,
  ) {
    const rows = Math.ceil(maxBits / window);
    this.mask = (1n << BigInt(window)) - 1n;
    this.table = [];
    let g = base % modulus;
    for (let i = 0; i < rows; i++) {
      const row: bigint[] = [1n, g];
      for (let j = 2; j < 1 << window; j++) row.push((row[j - 1]! * g) % modulus);
      this.table.push(row);
      g = (row[(1 << window) - 1]! * g) % modulus; // g^(2^w)
    }
  }
  pow(e: bigint): bigint {
    if (e < 0n || e >> BigInt(this.table.length * this.window) !== 0n) throw new RangeError('exponent out of the comb range');
    let r = 1n;
    const w = BigInt(this.window);
    for (let i = 0; e > 0n; i++, e >>= w) {
      const d = Number(e & this.mask);
      if (d) r = r === 1n ? this.table[i]![d]! : (r * this.table[i]![d]!) % this.modulus;
    }
    return r;
  }
}
