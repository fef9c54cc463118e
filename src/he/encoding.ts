/**
 * Signed fixed-point numbers as Paillier plaintexts: x ↦ round(x·2^f) mod n, and a residue
 * above n/2 decodes as negative. Sums of k encodings decode exactly while |Σ| < n/2 (far
 * beyond any credit-data magnitude at 2048 bits); a product by an encoded scalar carries
 * 2f fractional bits, which `decode(…, 2f)` takes into account.
 */
import type { PaillierPublicKey } from './keys.js';
import { HeEncodingError } from './errors.js';

export const DEFAULT_FRAC_BITS = 32;

/** round(x·2^f) as a signed bigint (exact for |x·2^f| < 2^53; larger values keep 53 significant bits). */
export function toFixed(x: number, fracBits = DEFAULT_FRAC_BITS): bigint {
  if (!Number.isFinite(x)) throw new HeEncodingError('cannot encode NaN or Infinity');
  const scaled = x * 2 ** fracBits;
  return Math.abs(scaled) < 2 ** 53 ? BigInt(Math.round(scaled)) : BigInt(scaled);
}

export function encodeSigned(key: PaillierPublicKey, v: bigint): bigint {
  if (v >= key.halfN || -v >= key.halfN) throw new HeEncodingError(`a signed value must have magnitude below n/2 (${key.bits - 1} bits)`);
  return v < 0n ? v + key.n : v;
}

export function decodeSigned(key: PaillierPublicKey, m: bigint): bigint {
  return m > key.halfN ? m - key.n : m;
}

export function encodeNumber(key: PaillierPublicKey, x: number, fracBits = DEFAULT_FRAC_BITS): bigint {
  return encodeSigned(key, toFixed(x, fracBits));
}

export function decodeNumber(key: PaillierPublicKey, m: bigint, fracBits = DEFAULT_FRAC_BITS): number {
  const v = decodeSigned(key, m);
  // Split so that large integers keep their precision before the division.
  const unit = 1n << BigInt(fracBits);
  const q = v / unit, r = v % unit;
  return Number(q) + Number(r) / 2 ** fracBits;
}
