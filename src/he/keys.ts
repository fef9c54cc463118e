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
 * Opt-in, zpaillier only: keys with a short decryption exponent (`shortDecryption: true`),
 * after Ma et al., "Optimized Paillier's Cryptosystem with Fast Encryption and Decryption",
 * ACSAC 2021, on Groth's RSA subgroups (TCC 2005): p = 2·α_p·r_p + 1 and q = 2·α_q·r_q + 1
 * for primes α_p, α_q of 2κ bits, and h of order α_p·α_q, so that every ciphertext's
 * randomness h_s^α dies under c^(α_p) mod p² and decryption raises to α_p, α_q (224 bits at
 * 2048) instead of p − 1, q − 1 (1024). A different assumption (see docs/he.md): the default
 * stays the standard key.
 *
 * Keys are checked when made or parsed: a bad key is a `HeKeyError`, never a wrong result.
 */
import { checkPrimeSync, generatePrimeSync } from 'node:crypto';
import { bitLength, gcd, mod, modInverse, modPowBigInt, randomBelow } from './bigint.js';
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
  /** Bits of the randomness exponent α when not the default (keys with a short decryption exponent). */
  expBits?: number;
}

export interface PrivateKeyJson extends PublicKeyJson {
  p: string;
  q: string;
  /** The randomness subgroup's order mod p and mod q, hex (keys with a short decryption exponent only). */
  alphaP?: string;
  alphaQ?: string;
}

/** The primes α_p, α_q of a key with a short decryption exponent (orders of h_s mod p², q²). */
export interface SubgroupOrders {
  alphaP: bigint;
  alphaQ: bigint;
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
    /** Bits of the randomness exponent α, when longer than the default (short-decryption keys). */
    readonly expBits?: number,
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
    if (expBits !== undefined && (scheme !== 'zpaillier' || !Number.isInteger(expBits) || expBits % 8 !== 0 || expBits < shortExponentBits(this.bits) || expBits > this.bits)) {
      throw new HeKeyError(`expBits must be a multiple of 8 in [${shortExponentBits(this.bits)}, ${this.bits}] on a zpaillier key`);
    }
  }

  /** r ↦ r^n mod n², through OpenSSL (made once per key, on first use). */
  powerN(r: bigint): bigint {
    this.powN ??= new FixedExponent(this.n2, this.n, this.backend);
    return this.powN.pow(r);
  }

  get exponentBits(): number {
    return this.expBits ?? shortExponentBits(this.bits);
  }

  toJSON(): PublicKeyJson {
    return { scheme: this.scheme, n: this.n.toString(16), ...(this.hs !== undefined ? { hs: this.hs.toString(16) } : {}), ...(this.expBits !== undefined ? { expBits: this.expBits } : {}) };
  }

  static fromJSON(j: unknown, backend?: ModexpBackend): PaillierPublicKey {
    const o = j as Partial<PublicKeyJson> | null;
    if (!o || typeof o !== 'object') throw new HeKeyError('a public key must be an object { scheme, n, hs? }');
    const scheme = o.scheme ?? 'zpaillier';
    if (o.expBits !== undefined && typeof o.expBits !== 'number') throw new HeKeyError('expBits must be a number');
    return new PaillierPublicKey(hexBig(o.n, 'n'), scheme, o.hs === undefined ? undefined : hexBig(o.hs, 'hs'), backend, o.expBits);
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
  /** The decryption exponents mod p² and q²: p − 1 and q − 1, or α_p and α_q (short-decryption keys). */
  readonly expP: bigint;
  readonly expQ: bigint;
  private crt: NativeCrtKey | null | undefined;

  constructor(
    readonly publicKey: PaillierPublicKey,
    readonly p: bigint,
    readonly q: bigint,
    /** Present on a key with a short decryption exponent (Ma et al., ACSAC 2021). */
    readonly subgroup?: SubgroupOrders,
  ) {
    const n = publicKey.n;
    if (p === q || p * q !== n) throw new HeKeyError('the private key does not factor the public modulus');
    if (!checkPrimeSync(p, { checks: 16 }) || !checkPrimeSync(q, { checks: 16 })) throw new HeKeyError('a private-key factor is not prime');
    if (gcd(n, (p - 1n) * (q - 1n)) !== 1n) throw new HeKeyError('gcd(n, φ(n)) ≠ 1: not a valid Paillier key');
    this.p2 = p * p;
    this.q2 = q * q;
    if (subgroup) checkSubgroup(publicKey, p, q, subgroup);
    this.expP = subgroup?.alphaP ?? p - 1n;
    this.expQ = subgroup?.alphaQ ?? q - 1n;
    this.powP = new FixedExponent(this.p2, this.expP, publicKey.backend);
    this.powQ = new FixedExponent(this.q2, this.expQ, publicKey.backend);
    const g = n + 1n;
    this.hp = modInverse((this.powP.pow(g % this.p2) - 1n) / p, p);
    this.hq = modInverse((this.powQ.pow(g % this.q2) - 1n) / q, q);
    this.qInvP = modInverse(q, p);
    // h_s^(α_p) ≡ 1 mod p² (and likewise mod q²): every ciphertext's randomness dies under the short exponents.
    if (subgroup && (this.powP.pow(publicKey.hs! % this.p2) !== 1n || this.powQ.pow(publicKey.hs! % this.q2) !== 1n)) {
      throw new HeKeyError('h_s does not lie in the subgroup of order α_p·α_q: not a short-decryption key');
    }
  }

  /** The CRT arithmetic in the native kernel (null when it is not built or BigInt is forced). */
  get native(): NativeCrtKey | null {
    if (this.crt === undefined) {
      const pk = this.publicKey;
      this.crt =
        HE_NATIVE && pk.backend === 'openssl'
          ? new NativeCrtKey(HE_NATIVE, { p: this.p, q: this.q, hp: this.hp, hq: this.hq, qInvP: this.qInvP, expP: this.expP, expQ: this.expQ, nBytes: pk.nBytes, cipherBytes: pk.cipherBytes })
          : null;
    }
    return this.crt;
  }

  toJSON(): PrivateKeyJson {
    const sub = this.subgroup ? { alphaP: this.subgroup.alphaP.toString(16), alphaQ: this.subgroup.alphaQ.toString(16) } : {};
    return { ...this.publicKey.toJSON(), p: this.p.toString(16), q: this.q.toString(16), ...sub };
  }

  static fromJSON(j: unknown, backend?: ModexpBackend): PaillierPrivateKey {
    const o = j as Partial<PrivateKeyJson> | null;
    if (!o || typeof o !== 'object') throw new HeKeyError('a private key must be an object { scheme, n, hs?, p, q, alphaP?, alphaQ? }');
    if ((o.alphaP === undefined) !== (o.alphaQ === undefined)) throw new HeKeyError('a short-decryption key needs both alphaP and alphaQ');
    const sub = o.alphaP === undefined ? undefined : { alphaP: hexBig(o.alphaP, 'alphaP'), alphaQ: hexBig(o.alphaQ, 'alphaQ') };
    return new PaillierPrivateKey(PaillierPublicKey.fromJSON(o, backend), hexBig(o.p, 'p'), hexBig(o.q, 'q'), sub);
  }
}

/** Bits of α_p and α_q: 2κ, so that the best known attack on the hidden subgroup order (≈ √α_p, Coron et al., PKC 2011) costs 2^κ. */
export function subgroupOrderBits(bits: number): number {
  return shortExponentBits(bits) / 2;
}

/** The randomness exponent of a short-decryption key: 128 bits past |α_p·α_q|, so that h_s^α is within 2^(−128) of uniform on ⟨h_s⟩. */
function subgroupExponentBits(sub: SubgroupOrders): number {
  return Math.ceil((bitLength(sub.alphaP * sub.alphaQ) + 128) / 8) * 8;
}

/** The structure a short-decryption key must have (h_s's order is checked by the caller, which has the powers). */
function checkSubgroup(pk: PaillierPublicKey, p: bigint, q: bigint, sub: SubgroupOrders): void {
  const { alphaP, alphaQ } = sub;
  if (pk.scheme !== 'zpaillier') throw new HeKeyError('a short decryption exponent needs the zpaillier scheme (randomness h_s^α)');
  const min = subgroupOrderBits(pk.bits);
  if (alphaP === alphaQ || bitLength(alphaP) < min || bitLength(alphaQ) < min) throw new HeKeyError(`α_p and α_q must be distinct primes of at least ${min} bits`);
  if ((p - 1n) % alphaP !== 0n || (q - 1n) % alphaQ !== 0n) throw new HeKeyError('α_p must divide p − 1 and α_q must divide q − 1');
  if ((p - 1n) % alphaQ === 0n || (q - 1n) % alphaP === 0n) throw new HeKeyError('α_q divides p − 1 or α_p divides q − 1');
  if (!checkPrimeSync(alphaP, { checks: 16 }) || !checkPrimeSync(alphaQ, { checks: 16 })) throw new HeKeyError('α_p or α_q is not prime');
  if (pk.hs! % (p * p) === 1n || pk.hs! % (q * q) === 1n) throw new HeKeyError('h_s is trivial mod p² or q²');
  if (pk.exponentBits < subgroupExponentBits(sub)) throw new HeKeyError(`the randomness exponent must have at least ${subgroupExponentBits(sub)} bits on this key`);
}

export interface KeyPair {
  publicKey: PaillierPublicKey;
  privateKey: PaillierPrivateKey;
}

/** A fresh key pair: two random primes of bits/2 (OpenSSL sets their top two bits, so n has exactly `bits`). */
export function generateKeyPair(opts: { bits?: number; scheme?: PaillierScheme; backend?: ModexpBackend; shortDecryption?: boolean } = {}): KeyPair {
  const bits = opts.bits ?? DEFAULT_KEY_BITS;
  const scheme = opts.scheme ?? 'zpaillier';
  if (!(KEY_BITS as readonly number[]).includes(bits)) throw new HeKeyError(`key size must be one of ${KEY_BITS.join(', ')} bits`);
  if (opts.shortDecryption) {
    if (scheme !== 'zpaillier') throw new HeKeyError('a short decryption exponent needs the zpaillier scheme');
    return generateShortDecryptionKeyPair(bits, opts.backend);
  }
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

/**
 * Opt-in key with a short decryption exponent (Ma et al., ACSAC 2021, on Groth's RSA subgroups,
 * TCC 2005): primes α_p, α_q of 2κ bits, p ≡ 1 (mod 2α_p) and q ≡ 1 (mod 2α_q) from OpenSSL's
 * prime generator (its `add`/`rem`), h of order α_p·α_q built by CRT from random residues
 * raised to (p − 1)/α_p and (q − 1)/α_q, h_s = h^n mod n², and a randomness exponent 128 bits
 * longer than α_p·α_q. Decryption then raises to α_p mod p² and α_q mod q².
 */
function generateShortDecryptionKeyPair(bits: number, backend?: ModexpBackend): KeyPair {
  const ab = subgroupOrderBits(bits);
  for (;;) {
    const alphaP = generatePrimeSync(ab, { bigint: true }), alphaQ = generatePrimeSync(ab, { bigint: true });
    if (alphaP === alphaQ) continue;
    const p = generatePrimeSync(bits / 2, { bigint: true, add: 2n * alphaP, rem: 1n });
    const q = generatePrimeSync(bits / 2, { bigint: true, add: 2n * alphaQ, rem: 1n });
    const n = p * q;
    if (p === q || bitLength(n) !== bits || gcd(n, (p - 1n) * (q - 1n)) !== 1n || (p - 1n) % alphaQ === 0n || (q - 1n) % alphaP === 0n) continue;
    // An element of order exactly α_p mod p and α_q mod q (α prime: any residue ≠ 1 of the α-th part).
    const hp = modPowBigInt(randomBelow(p), (p - 1n) / alphaP, p), hq = modPowBigInt(randomBelow(q), (q - 1n) / alphaQ, q);
    if (hp <= 1n || hq <= 1n) continue;
    const h = hq + q * mod((hp - hq) * modInverse(q, p), p);
    const sub = { alphaP, alphaQ };
    const hs = new FixedExponent(n * n, n, backend).pow(h);
    const publicKey = new PaillierPublicKey(n, 'zpaillier', hs, backend, subgroupExponentBits(sub));
    return { publicKey, privateKey: new PaillierPrivateKey(publicKey, p, q, sub) };
  }
}
