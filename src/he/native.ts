/**
 * The native Montgomery kernel (`native/paillier-bn.c`: OpenSSL's BN through Node's own
 * libcrypto), wrapped for the Paillier layer: batch products mod n², encryption mod n,
 * SecureBoost histograms, cipher compression, fixed-base combs and the private key's CRT
 * arithmetic (decryption — on one thread or several —, the key holder's randomness), all on
 * fixed-width big-endian bytes so that no BigInt is made per element. Optional: when it is not built (no C compiler) or
 * TACIT_HE_NATIVE=off, `HE_NATIVE` is undefined and callers use the BigInt/DH path, which
 * computes the same functions (test/he/native.test.ts compares them).
 */
import { createRequire } from 'node:module';
import { byteLength, modInverse, toBytes } from './bigint.js';

interface Kernel {
  modulus(m: Uint8Array): object;
  mulMany(h: object, a: Uint8Array, b: Uint8Array, out: Uint8Array): void;
  encryptMany(hN: object, ms: Uint8Array, rhos: Uint8Array, cipherBytes: number, out: Uint8Array): void;
  loadCiphertexts(h: object, cts: Uint8Array): object;
  histogram(h: object, cts: Uint8Array | object, cipherOfRow: Int32Array, slotOfRow: Int32Array, bins: Uint8Array, features: number, stride: number, slots: number, out: Uint8Array): void;
  packMany(h: object, cells: Uint8Array, group: number, bits: number, out: Uint8Array): void;
  powMany(h: object, bases: Uint8Array, exps: Uint8Array, expBytes: number, out: Uint8Array): void;
  powManyConsttime(h: object, bases: Uint8Array, exps: Uint8Array, expBytes: number, out: Uint8Array): void;
  comb(h: object, base: Uint8Array, maxBits: number, window: number): object;
  combPow(table: object, exps: Uint8Array, expBytes: number, out: Uint8Array): void;
  crtKey(p: Uint8Array, q: Uint8Array, hp: Uint8Array, hq: Uint8Array, qInvP: Uint8Array, q2InvP2: Uint8Array, nBytes: number, cipherBytes: number, ep: Uint8Array, eq: Uint8Array): object;
  decryptMany(key: object, cts: Uint8Array, out: Uint8Array, threads?: number): void;
  crtCombPow(key: object, tableP: object, tableQ: object, exps: Uint8Array, expBytes: number, out: Uint8Array): void;
}

function load(): Kernel | undefined {
  if (process.env['TACIT_HE_NATIVE'] === 'off') return undefined;
  try {
    return createRequire(import.meta.url)('../../native/paillier-bn.node') as Kernel;
  } catch {
    return undefined;
  }
}

export const HE_NATIVE: Kernel | undefined = load();

export interface LoadedCiphertexts {
  readonly handle: object;
  /** Keeps the modulus (which the handle borrows) alive as long as the handle. */
  readonly owner: NativeModulus;
}

/** Arithmetic mod one modulus m (n² of a key), elements as `width`-byte big-endian strings. */
export class NativeModulus {
  readonly width: number;
  private readonly h: object;
  constructor(
    private readonly k: Kernel,
    readonly m: bigint,
    width: number,
  ) {
    this.width = width;
    this.h = k.modulus(toBytes(m, width));
  }

  mulMany(a: Uint8Array, b: Uint8Array): Uint8Array {
    const out = new Uint8Array(a.length);
    this.k.mulMany(this.h, a, b, out);
    return out;
  }

  /** With this modulus n: (1 + m_i·n)·ρ_i mod n² for `width`-byte m_i and `cipherBytes`-byte ρ_i. */
  encryptMany(ms: Uint8Array, rhos: Uint8Array, cipherBytes: number): Uint8Array {
    const out = new Uint8Array(rhos.length);
    this.k.encryptMany(this.h, ms, rhos, cipherBytes, out);
    return out;
  }

  /** Ciphertexts in Montgomery form (kept native), for several `histogram` calls over the same rows. */
  loadCiphertexts(cts: Uint8Array): LoadedCiphertexts {
    return { handle: this.k.loadCiphertexts(this.h, cts), owner: this };
  }

  /** Products of ciphertexts per (slot, feature, bin); see native/paillier-bn.c. */
  histogram(cts: Uint8Array | LoadedCiphertexts, cipherOfRow: Int32Array, slotOfRow: Int32Array, bins: Uint8Array, features: number, stride: number, slots: number): Uint8Array {
    const out = new Uint8Array(slots * features * stride * this.width);
    this.k.histogram(this.h, cts instanceof Uint8Array ? cts : cts.handle, cipherOfRow, slotOfRow, bins, features, stride, slots, out);
    return out;
  }

  /** Horner-packs consecutive groups of `group` elements with `bits`-bit shifts. */
  packMany(cells: Uint8Array, group: number, bits: number): Uint8Array {
    const count = cells.length / this.width;
    const out = new Uint8Array(Math.ceil(count / group) * this.width);
    this.k.packMany(this.h, cells, group, bits, out);
    return out;
  }

  /** bases_i ^ exps_i (public exponents of `expBytes` bytes each). */
  powMany(bases: Uint8Array, exps: Uint8Array, expBytes: number): Uint8Array {
    const out = new Uint8Array(bases.length);
    this.k.powMany(this.h, bases, exps, expBytes, out);
    return out;
  }

  /** bases_i ^ exps_i by OpenSSL's constant-time ladder (secret exponents); the bench's baseline for decryption. */
  powManyConsttime(bases: Uint8Array, exps: Uint8Array, expBytes: number): Uint8Array {
    const out = new Uint8Array(bases.length);
    this.k.powManyConsttime(this.h, bases, exps, expBytes, out);
    return out;
  }

  comb(base: bigint, maxBits: number, window = 8): NativeComb {
    return new NativeComb(this.k, this.k.comb(this.h, toBytes(base, this.width), maxBits, window), this.width, maxBits, this);
  }
}

export class NativeComb {
  constructor(
    private readonly k: Kernel,
    readonly table: object,
    readonly width: number,
    readonly maxBits: number,
    // Keeps the modulus (which the table borrows) alive as long as the table.
    readonly owner: NativeModulus,
  ) {}

  /** base^e for each `expBytes`-byte big-endian exponent in `exps`. */
  pow(exps: Uint8Array, expBytes: number): Uint8Array {
    const out = new Uint8Array((exps.length / expBytes) * this.width);
    this.k.combPow(this.table, exps, expBytes, out);
    return out;
  }
}

/** What the native CRT code needs of a private key (see `keys.ts`). */
export interface CrtKeyParts {
  p: bigint;
  q: bigint;
  hp: bigint;
  hq: bigint;
  qInvP: bigint;
  /** Decryption exponents mod p² and q²: p − 1, q − 1 (or α_p, α_q for a short-exponent key). */
  expP: bigint;
  expQ: bigint;
  nBytes: number;
  cipherBytes: number;
}

const big = (v: bigint) => toBytes(v, byteLength(v));

/**
 * The private key's CRT arithmetic in OpenSSL: batch decryption (two half-size constant-time
 * powers per ciphertext, Garner in C) and the key holder's encryption randomness h_s^α mod n²
 * from two half-size combs mod p² and q² (products of 2048-bit numbers instead of 4096-bit
 * ones at 2048-bit keys).
 */
export class NativeCrtKey {
  private readonly h: object;
  readonly nBytes: number;
  readonly cipherBytes: number;
  private readonly p2: bigint;
  private readonly q2: bigint;
  constructor(
    private readonly k: Kernel,
    key: CrtKeyParts,
  ) {
    this.p2 = key.p * key.p;
    this.q2 = key.q * key.q;
    this.nBytes = key.nBytes;
    this.cipherBytes = key.cipherBytes;
    this.h = k.crtKey(big(key.p), big(key.q), big(key.hp), big(key.hq), big(key.qInvP), big(modInverse(this.q2, this.p2)), key.nBytes, key.cipherBytes, big(key.expP), big(key.expQ));
  }

  /**
   * Plaintexts (nBytes each, big-endian) of `cipherBytes`-wide ciphertexts; throws on a
   * non-unit. With threads > 1 the kernel splits a batch into runs on that many POSIX threads,
   * or a single ciphertext into its two CRT halves (the caller waits: it is a synchronous call).
   */
  decryptMany(cts: Uint8Array, threads = 1): Uint8Array {
    const out = new Uint8Array((cts.length / this.cipherBytes) * this.nBytes);
    this.k.decryptMany(this.h, cts, out, threads);
    return out;
  }

  /** base^e mod n² for many short exponents: a comb mod p² and one mod q² (`window`-bit digits). */
  fixedBase(base: bigint, maxBits: number, window = 10): NativeCrtFixedBase {
    const wp = byteLength(this.p2), wq = byteLength(this.q2);
    const mp = new NativeModulus(this.k, this.p2, wp), mq = new NativeModulus(this.k, this.q2, wq);
    return new NativeCrtFixedBase(this.k, this.h, mp.comb(base % this.p2, maxBits, window), mq.comb(base % this.q2, maxBits, window), this.cipherBytes);
  }
}

export class NativeCrtFixedBase {
  constructor(
    private readonly k: Kernel,
    private readonly key: object,
    // The combs keep their moduli alive; the key handle outlives both through this object.
    private readonly combP: NativeComb,
    private readonly combQ: NativeComb,
    readonly width: number,
  ) {}

  pow(exps: Uint8Array, expBytes: number): Uint8Array {
    const out = new Uint8Array((exps.length / expBytes) * this.width);
    this.k.crtCombPow(this.key, this.combP.table, this.combQ.table, exps, expBytes, out);
    return out;
  }
}
