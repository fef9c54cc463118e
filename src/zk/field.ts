/**
 * The BN254 scalar field (the field Groth16 over BN254 proves statements in, and the field
 * the EVM precompiles 0x06–0x08 check) and Tacit's canonical encodings into it, so that the
 * prover, the verifier contract and every node turn the same data into the same elements:
 *
 * - an id (UTF-8 string) → the top 248 bits of SHA-256("tacit-zk-id-v1" ‖ 0x00 ‖ id): below
 *   the modulus, collision resistant (124-bit), and orderable (absence proofs sort by it);
 * - a number → a fixed-point integer round(v · 10^6) with |x| < 2^62, as x mod p (negative
 *   numbers wrap to p − |x|; circuits range-check every such input, so wrap-around cannot
 *   forge an order).
 */
import { createHash, randomBytes } from 'node:crypto';

/** r, the order of BN254's G1 (the scalar field of Groth16 on BN254). */
export const FIELD_MODULUS = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
/** Fixed-point scale of numbers in Tacit circuits: six decimals. */
export const FIXED_SCALE = 1_000_000;
/** Largest magnitude of an encoded integer: 2^62 (circuits check |x| < 2^63 as 64-bit offset). */
export const FIXED_LIMIT = 1n << 62n;

const ID_TAG = Buffer.from('tacit-zk-id-v1\0', 'utf8');

/** Field element of an id (see the header). */
export function idToField(id: string): bigint {
  const digest = createHash('sha256').update(ID_TAG).update(id, 'utf8').digest();
  return BigInt(`0x${digest.subarray(0, 31).toString('hex')}`);
}

/** Reduces a signed bigint into [0, p). */
export function toField(x: bigint): bigint {
  const r = x % FIELD_MODULUS;
  return r < 0n ? r + FIELD_MODULUS : r;
}

/** Reads a field element as a signed integer in (−p/2, p/2). */
export function fromFieldSigned(x: bigint): bigint {
  return x > FIELD_MODULUS / 2n ? x - FIELD_MODULUS : x;
}

/** round(v · 10^scaleDigits) as a bigint; throws RangeError when |result| ≥ 2^62 or v is not finite. */
export function toFixed(v: number, title: string, scale = FIXED_SCALE): bigint {
  if (!Number.isFinite(v)) throw new RangeError(`${title} must be a finite number`);
  const x = BigInt(Math.round(v * scale));
  if (x >= FIXED_LIMIT || x <= -FIXED_LIMIT) throw new RangeError(`${title} is too large for a circuit (|${title}·${scale}| must stay below 2^62)`);
  return x;
}

/** A fixed-point number as a field element (signed, see the header). */
export function fixedToField(v: number, title: string): bigint {
  return toField(toFixed(v, title));
}

/** Parses a decimal or 0x string / bigint / number as a field element; RangeError when ≥ p or negative. */
export function parseField(value: string | bigint | number, title: string): bigint {
  let x: bigint;
  try {
    x = BigInt(value);
  } catch {
    throw new TypeError(`${title} must be an integer (decimal or 0x hex), got "${String(value)}"`);
  }
  if (x < 0n || x >= FIELD_MODULUS) throw new RangeError(`${title} must be a field element in [0, p)`);
  return x;
}

/** 0x-prefixed 32-byte hex of a field element (how commitments travel as bytes32). */
export function fieldToBytes32(x: bigint): `0x${string}` {
  return `0x${x.toString(16).padStart(64, '0')}`;
}

/** Random field element from node:crypto (salts). */
export function randomField(): bigint {
  // 31 random bytes: uniform below 2^248 < p, so no modular bias.
  return BigInt(`0x${randomBytes(31).toString('hex')}`);
}
