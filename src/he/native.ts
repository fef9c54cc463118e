/**
 * The native Montgomery kernel (`native/paillier-bn.c`: OpenSSL's BN through Node's own
 * libcrypto), wrapped for the Paillier layer: batch products mod n², SecureBoost histograms,
 * cipher compression and fixed-base combs, all on fixed-width big-endian bytes so that no
 * BigInt is made per element. Optional: when it is not built (no C compiler) or
 * TACIT_HE_NATIVE=off, `HE_NATIVE` is undefined and callers use the BigInt/DH path, which
 * computes the same functions (test/he/native.test.ts compares them).
 */
import { createRequire } from 'node:module';
import { toBytes } from './bigint.js';

interface Kernel {
  modulus(m: Uint8Array): object;
  mulMany(h: object, a: Uint8Array, b: Uint8Array, out: Uint8Array): void;
  histogram(h: object, cts: Uint8Array, cipherOfRow: Int32Array, slotOfRow: Int32Array, bins: Uint8Array, features: number, stride: number, slots: number, out: Uint8Array): void;
  packMany(h: object, cells: Uint8Array, group: number, bits: number, out: Uint8Array): void;
  powMany(h: object, bases: Uint8Array, exps: Uint8Array, expBytes: number, out: Uint8Array): void;
  comb(h: object, base: Uint8Array, maxBits: number, window: number): object;
  combPow(table: object, exps: Uint8Array, expBytes: number, out: Uint8Array): void;
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

  /** Products of ciphertexts per (slot, feature, bin); see native/paillier-bn.c. */
  histogram(cts: Uint8Array, cipherOfRow: Int32Array, slotOfRow: Int32Array, bins: Uint8Array, features: number, stride: number, slots: number): Uint8Array {
    const out = new Uint8Array(slots * features * stride * this.width);
    this.k.histogram(this.h, cts, cipherOfRow, slotOfRow, bins, features, stride, slots, out);
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

  comb(base: bigint, maxBits: number, window = 8): NativeComb {
    return new NativeComb(this.k, this.k.comb(this.h, toBytes(base, this.width), maxBits, window), this.width, maxBits, this);
  }
}

export class NativeComb {
  constructor(
    private readonly k: Kernel,
    private readonly t: object,
    readonly width: number,
    readonly maxBits: number,
    // Keeps the modulus (which the table borrows) alive as long as the table.
    readonly owner: NativeModulus,
  ) {}

  /** base^e for each `expBytes`-byte big-endian exponent in `exps`. */
  pow(exps: Uint8Array, expBytes: number): Uint8Array {
    const out = new Uint8Array((exps.length / expBytes) * this.width);
    this.k.combPow(this.t, exps, expBytes, out);
    return out;
  }
}
