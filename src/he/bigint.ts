/**
 * BigInt helpers for the Paillier layer: fixed-length big-endian bytes, modular inverse,
 * square-and-multiply powering (the fallback where OpenSSL is not used, see modexp.ts) and
 * uniform random residues from node:crypto.
 */
import { randomBytes } from 'node:crypto';

export function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

export function byteLength(x: bigint): number {
  return Math.ceil(bitLength(x) / 8);
}

/** x (0 ≤ x < 256^len) as exactly `len` big-endian bytes. */
export function toBytes(x: bigint, len: number): Buffer {
  const hex = x.toString(16);
  if (x < 0n || hex.length > 2 * len) throw new RangeError(`value does not fit ${len} bytes`);
  return Buffer.from(hex.padStart(2 * len, '0'), 'hex');
}

export function fromBytes(b: Uint8Array): bigint {
  if (b.length === 0) return 0n;
  return BigInt('0x' + Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex'));
}

export function mod(a: bigint, m: bigint): bigint {
  const r = a % m;
  return r < 0n ? r + m : r;
}

export function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  b = b < 0n ? -b : b;
  while (b) [a, b] = [b, a % b];
  return a;
}

/** a^{-1} mod m by the extended Euclidean algorithm; throws if gcd(a, m) ≠ 1. */
export function modInverse(a: bigint, m: bigint): bigint {
  let [r0, r1] = [mod(a, m), m];
  let [s0, s1] = [1n, 0n];
  while (r1) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  if (r0 !== 1n) throw new RangeError('not invertible');
  return mod(s0, m);
}

/** base^exp mod m, left-to-right square-and-multiply with a 4-bit window. */
export function modPowBigInt(base: bigint, exp: bigint, m: bigint): bigint {
  if (m === 1n) return 0n;
  if (exp < 0n) throw new RangeError('negative exponent');
  base = mod(base, m);
  const table: bigint[] = [1n, base];
  for (let i = 2; i < 16; i++) table.push((table[i - 1]! * base) % m);
  const hex = exp.toString(16);
  let r = 1n;
  for (let i = 0; i < hex.length; i++) {
    if (i > 0) for (let k = 0; k < 4; k++) r = (r * r) % m;
    const d = parseInt(hex[i]!, 16);
    if (d) r = (r * table[d]!) % m;
  }
  return r;
}

/** Uniform in [0, 2^bits). */
export function randomBits(bits: number): bigint {
  const bytes = randomBytes(Math.ceil(bits / 8));
  const extra = bytes.length * 8 - bits;
  if (extra) bytes[0]! &= 0xff >> extra;
  return fromBytes(bytes);
}

/** Uniform in [1, m) by rejection. */
export function randomBelow(m: bigint): bigint {
  const bits = bitLength(m);
  for (;;) {
    const r = randomBits(bits);
    if (r > 0n && r < m) return r;
  }
}
