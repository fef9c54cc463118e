/**
 * The shapes FrostVerifier.sol takes: a group key as (x, parity) and a signature as
 * (rx, ry, z) — RFC 9591's R ‖ z with R decompressed here, off-chain, so the contract need
 * not compute a square root (it still checks that (rx, ry) is on the curve).
 */
import { Point, fromHex } from '../keys/suite.js';

export interface SolidityPublicKey {
  x: bigint;
  parity: number;
}
export interface SoliditySignature {
  rx: bigint;
  ry: bigint;
  z: bigint;
}

const hexOf = (v: string | Uint8Array): Uint8Array => (typeof v === 'string' ? fromHex(v.replace(/^0x/, '')) : v);

/** A compressed (33-byte) group key for the contracts. */
export function toSolidityKey(groupKey: string | Uint8Array): SolidityPublicKey {
  const p = Point.fromBytes(hexOf(groupKey)).toAffine();
  return { x: p.x, parity: Number(p.y & 1n) };
}

/** A 65-byte FROST signature (R compressed ‖ z) for the contracts. */
export function toSoliditySignature(signature: string | Uint8Array): SoliditySignature {
  const b = hexOf(signature);
  if (b.length !== 65) throw new RangeError(`a FROST(secp256k1) signature is 65 bytes, got ${b.length}`);
  const R = Point.fromBytes(b.subarray(0, 33)).toAffine();
  return { rx: R.x, ry: R.y, z: BigInt('0x' + Buffer.from(b.subarray(33)).toString('hex')) };
}
