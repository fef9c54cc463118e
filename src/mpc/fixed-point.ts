/**
 * Fixed-point encoding of reals into Z_2^64 (two's complement, `f` fractional bits), as in
 * Catrina & Saxena, "Secure Computation with Fixed-Point Numbers" (FC 2010) and SecureML
 * (Mohassel & Zhang, S&P 2017).
 *
 * The default of 18 fractional bits (SPU's choice for 64-bit rings) leaves 2^(62-2f) = 2^26
 * of headroom for a product before truncation, and a resolution of 3.8e-6.
 *
 * Encoding goes through two u32 halves instead of a BigInt per element, which keeps it
 * allocation-free; values with |v·2^f| ≥ 2^53 take an exact BigInt path.
 */
import { assertInteger } from '../errors.js';

export const DEFAULT_FRAC_BITS = 18;
const TWO32 = 4294967296;
const TWO53 = 9007199254740992;

/** Largest |v| a fixed-point value with `f` fractional bits may have (leaves 2 bits for sign and truncation). */
export function fixedPointLimit(f: number): number {
  return 2 ** (62 - f);
}

/** Encodes reals (rounded to nearest) as ring elements with `f` fractional bits. */
export function encodeFixed(values: ArrayLike<number>, f: number, title = 'value'): BigUint64Array {
  assertInteger(f, 'fractional bits', 0, 40);
  const n = values.length;
  const out = new BigUint64Array(n);
  const u32 = new Uint32Array(out.buffer);
  const scale = 2 ** f;
  const limit = fixedPointLimit(f);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) throw new RangeError(`${title}[${i}] is not a finite number (NaN or Infinity)`);
    if (Math.abs(v) >= limit) throw new RangeError(`${title}[${i}] is too large for fixed point with ${f} fractional bits (|v| must be < 2^${62 - f})`);
    const x = Math.round(v * scale);
    if (Math.abs(x) < TWO53) {
      const hi = Math.floor(x / TWO32);
      u32[2 * i] = x - hi * TWO32;
      u32[2 * i + 1] = hi >>> 0;
    } else {
      out[i] = BigInt.asUintN(64, BigInt(x));
    }
  }
  return out;
}

/** Decodes ring elements with `f` fractional bits to reals (two's complement). */
export function decodeFixed(ring: BigUint64Array, f: number): Float64Array {
  const n = ring.length;
  const out = new Float64Array(n);
  const u32 = new Uint32Array(ring.buffer, ring.byteOffset, 2 * n);
  const inv = 2 ** -f;
  for (let i = 0; i < n; i++) {
    const hi = u32[2 * i + 1]! | 0; // signed high half
    out[i] = (hi * TWO32 + u32[2 * i]!) * inv;
  }
  return out;
}

/** Encodes integers (e.g. balances in cents) exactly; |v| must be < 2^53. */
export function encodeInt(values: ArrayLike<number | bigint>, title = 'value'): BigUint64Array {
  const n = values.length;
  const out = new BigUint64Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (typeof v === 'bigint') {
      out[i] = BigInt.asUintN(64, v);
    } else {
      if (!Number.isSafeInteger(v)) throw new RangeError(`${title}[${i}] is not a safe integer`);
      out[i] = BigInt.asUintN(64, BigInt(v));
    }
  }
  return out;
}

/** Decodes ring elements as signed 64-bit integers. */
export function decodeInt(ring: BigUint64Array): BigInt64Array {
  return new BigInt64Array(ring.buffer, ring.byteOffset, ring.length).slice();
}

/** A public real constant as a ring element with `f` fractional bits. */
export function fixedScalar(v: number, f: number): bigint {
  if (!Number.isFinite(v)) throw new RangeError('constant must be finite');
  return BigInt.asUintN(64, BigInt(Math.round(v * 2 ** f)));
}
