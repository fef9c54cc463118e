/**
 * Paillier keys (Paillier, "Public-Key Cryptosystems Based on Composite Degree Residuosity
 * Classes", EUROCRYPT 1999) with g = n + 1, and the Damgård–Jurik short-exponent variant
 * (Damgård & Jurik, "A Generalisation, a Simplification and Some Applications of Paillier's
 * Probabilistic Public-Key System", PKC 2001, §4.1–4.2; DJN 2010 §4): the public key also
 * carries h_s = h^n mod n² for h = −x² mod n, and the randomness of an encryption is h_s^α
 * for a short α instead of r^n for r ∈ Z*_n. SecretFlow's HEU ships this variant as
 * "ZPaillier" (heu/library/algorithms/paillier_zahlen); we follow the papers, not its code.
 *
 * Security level and exponent length: 2048-bit n ~ 112-bit security, 3072 ~ 128 (NIST
 * SP 800-57). The short exponent α has 4κ bits (448 / 512), twice the 2κ that generic
 * discrete-log attacks on it (Pollard's λ) require.
 *
 * Keys are checked when made or parsed: a bad key is a `HeKeyError`, never a wrong result.
 */
import { checkPrimeSync, generatePrimeSync } from 'node:crypto';
import { bitLength, gcd, mod, modInverse, randomBelow } from './bigint.js';
import { HeKeyError } from './errors.js';
import { defaultBackend, FixedExponent, type ModexpBackend } from './modexp.js';
import { HE_NATIVE, NativeCrtKey } from './native.js';

export type PaillierScheme = 'paillier' | 'zpaillier';

export const KEY_BITS = [1024, 2048, 3072, 4096] as const;
export const DEFAULT_KEY_BITS = 2048;

/** Bits of the short Damgård–Jurik exponent for a modulus of `bits`. */
export function shortExponentBits(bits: number): number {
  return bits >= 3072 ? 512 : 448;
}

const SMALL_PRIMES = [3n, 5n, 7n, 11n, 13n, 17n, 19n, 23n, 29n, 31n, 37n, 41n, 43n, 47n, 53n, 59n, 61n, 67n, 71n, 73n, 79n, 83n, 89n, 97n];

export interface PublicKeyJson {
  scheme: PaillierScheme;
  /** n as lowercase hex. */
  n: string;
  /** h_s = h^n mod n² as hex (zpaillier only). */
  hs?: string;
}

export interface PrivateKeyJson extends PublicKeyJson {
  p: string;
  q: string;
}

function hexBig(v: unknown, what: string): bigint {
  if (typeof v !== 'string' || !/^[0-9a-f]{1,4096}$/i.test(v)) throw new HeKeyError(`${what} must be a hex string`);
  return BigInt('0x' + v);
}

export class PaillierPublicKey {
  readonly n2: bigint;
  readonly bits: number;
  readonly nBytes: number;
  /** Bytes of a serialized ciphertext (an element of Z_{n²}). */
  readonly cipherBytes: number;
  readonly halfN: bigint;
  private powN: FixedExponent | undefined;

  constructor(
    readonly n: bigint,
    readonly scheme: PaillierScheme = 'zpaillier',
    readonly hs?: bigint,
    readonly backend: ModexpBackend = defaultBackend(),
  ) {
    this.bits = bitLength(n);
    if (!(KEY_BITS as readonly number[]).includes(this.bits)) throw new HeKeyError(`a Paillier modulus must have ${KEY_BITS.join(', ')} bits, got ${this.bits}`);
    if ((n & 1n) === 0n || SMALL_PRIMES.some((p) => n % p === 0n)) throw new HeKeyError('the Paillier modulus has a small factor');
    this.n2 = n * n;
    this.nBytes = Math.ceil(this.bits / 8);
    this.cipherBytes = Math.ceil(bitLength(this.n2) / 8);
    this.halfN = n >> 1n;
    if (scheme === 'zpaillier') {
      if (hs === undefined) throw new HeKeyError('a zpaillier public key needs h_s');
      if (hs <= 1n || hs >= this.n2 || gcd(hs, n) !== 1n) throw new HeKeyError('h_s is not an element of Z*_{n²}');
    } else if (scheme !== 'paillier') throw new HeKeyError(`unknown scheme "${String(scheme)}"`);
  }

  /** r ↦ r^n mod n², through OpenSSL (made once per key, on first use). */
  powerN(r: bigint): bigint {
    this.powN ??= new FixedExponent(this.n2, this.n, this.backend);
    return this.powN.pow(r);
  }

  get exponentBits(): number {
    return shortExponentBits(this.bits);
  }

  toJSON(): PublicKeyJson {
    return { scheme: this.scheme, n: this.n.toString(16), ...(this.hs !== undefined ? { hs: this.hs.toString(16) } : {}) };
  }

  static fromJSON(j: unknown, backend?: ModexpBackend): PaillierPublicKey {
    const o = j as Partial<PublicKeyJson> | null;
    if (!o || typeof o !== 'object') throw new HeKeyError('a public key must be an object { scheme, n, hs? }');
    const scheme = o.scheme ?? 'zpaillier';
    return new PaillierPublicKey(hexBig(o.n, 'n'), scheme, o.hs === undefined ? undefined : hexBig(o.hs, 'hs'), backend);
  }
}

export class PaillierPrivateKey {
  readonly p2: bigint;
  readonly q2: bigint;
  /** h_p = L_p(g^(p−1) mod p²)^(−1) mod p, and h_q likewise (Paillier 1999 §7). */
  readonly hp: bigint;
  readonly hq: bigint;
  /** q^(−1) mod p for Garner's recombination. */
  readonly qInvP: bigint;
  readonly powP: FixedExponent;
  readonly powQ: FixedExponent;
  private crt: NativeCrtKey | null | undefined;

  constructor(
    readonly publicKey: PaillierPublicKey,
    readonly p: bigint,
    readonly q: bigint,
  ) {
    const n = publicKey.n;
    if (p === q || p * q !== n) throw new HeKeyError('the private key does not factor the public modulus');
    if (!checkPrimeSync(p, { checks: 16 }) || !checkPrimeSync(q, { checks: 16 })) throw new HeKeyError('a private-key factor is not prime');
    if (gcd(n, (p - 1n) * (q - 1n)) !== 1n) throw new HeKeyError('gcd(n, φ(n)) ≠ 1: not a valid Paillier key');
    this.p2 = p * p;
    this.q2 = q * q;
    this.powP = new FixedExponent(this.p2, p - 1n, publicKey.backend);
    this.powQ = new FixedExponent(this.q2, q - 1n, publicKey.backend);
    const g = n + 1n;
    this.hp = modInverse((this.powP.pow(g % this.p2) - 1n) / p, p);
    this.hq = modInverse((this.powQ.pow(g % this.q2) - 1n) / q, q);
    this.qInvP = modInverse(q, p);
  }

  /** The CRT arithmetic in the native kernel (null when it is not built or BigInt is forced). */
  get native(): NativeCrtKey | null {
    if (this.crt === undefined) {
      const pk = this.publicKey;
      this.crt = HE_NATIVE && pk.backend === 'openssl' ? new NativeCrtKey(HE_NATIVE, { p: this.p, q: this.q, hp: this.hp, hq: this.hq, qInvP: this.qInvP, nBytes: pk.nBytes, cipherBytes: pk.cipherBytes }) : null;
    }
    return this.crt;
  }

  toJSON(): PrivateKeyJson {
    return { ...this.publicKey.toJSON(), p: this.p.toString(16), q: this.q.toString(16) };
  }

  static fromJSON(j: unknown, backend?: ModexpBackend): PaillierPrivateKey {
    const o = j as Partial<PrivateKeyJson> | null;
    if (!o || typeof o !== 'object') throw new HeKeyError('a private key must be an object { scheme, n, hs?, p, q }');
    return new PaillierPrivateKey(PaillierPublicKey.fromJSON(o, backend), hexBig(o.p, 'p'), hexBig(o.q, 'q'));
  }
}

export interface KeyPair {
  publicKey: PaillierPublicKey;
  privateKey: PaillierPrivateKey;
}

/** A fresh key pair: two random primes of bits/2 (OpenSSL sets their top two bits, so n has exactly `bits`). */
export function generateKeyPair(opts: { bits?: number; scheme?: PaillierScheme; backend?: ModexpBackend } = {}): KeyPair {
  const bits = opts.bits ?? DEFAULT_KEY_BITS;
  const scheme = opts.scheme ?? 'zpaillier';
  if (!(KEY_BITS as readonly number[]).includes(bits)) throw new HeKeyError(`key size must be one of ${KEY_BITS.join(', ')} bits`);
  for (;;) {
    const p = generatePrimeSync(bits / 2, { bigint: true });
    const q = generatePrimeSync(bits / 2, { bigint: true });
    const n = p * q;
    if (p === q || bitLength(n) !== bits || gcd(n, (p - 1n) * (q - 1n)) !== 1n) continue;
    let hs: bigint | undefined;
    if (scheme === 'zpaillier') {
      // h = −x² mod n for a random x ∈ Z*_n (DJN 2010 §4): a generator of the squares' subgroup of J_n whp.
      const x = randomBelow(n);
      if (gcd(x, n) !== 1n) continue;
      const h = mod(-(x * x), n);
      hs = new FixedExponent(n * n, n, opts.backend).pow(h);
    }
    const publicKey = new PaillierPublicKey(n, scheme, hs, opts.backend);
    return { publicKey, privateKey: new PaillierPrivateKey(publicKey, p, q) };
  }
}
