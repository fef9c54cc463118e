/**
 * What the label holder (guest) and a feature holder (host) send each other during
 * SecureBoost, and the fixed-point layout of a gradient pair in one Paillier plaintext.
 *
 * A row's pair is packed as X = G'·2^s + H' (SecureBoost+ gradient packing), G' = round(g·2^f)
 * signed, H' = round(h·2^f) ≥ 0, with s wide enough for the sum over all rows; a histogram
 * bin holds a sum of such X, and bins are compressed `slots` to a ciphertext, 2s bits each,
 * before the guest decrypts them (SecureBoost+ cipher compression).
 */
import { ownBytes } from '../../net/bytes.js';
import { ProgramError } from '../program.js';

/**
 * Fraction bits of g and h: 2^−16 ≈ 1.5·10⁻⁵ per row, far below what moves a split choice
 * (the leaf weights use the exact values at the label holder). Each bit costs the feature
 * holder two squarings per bin in cipher compression and shrinks the slots per ciphertext.
 */
export const FRAC_BITS = 16;

export interface GhLayout {
  fracBits: number;
  /** Bits of one of G, H in a pair (the inner slot). */
  inner: number;
  /** Bits of one packed pair in a compressed ciphertext (the outer slot). */
  outer: number;
}

export function ghLayout(rows: number): GhLayout {
  const inner = FRAC_BITS + Math.ceil(Math.log2(rows + 1)) + 2;
  return { fracBits: FRAC_BITS, inner, outer: 2 * inner };
}

export function int32Bytes(a: Int32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

export function bytesInt32(b: Uint8Array, what: string): Int32Array {
  if (b.length % 4) throw new ProgramError(`malformed ${what}`);
  return new Int32Array(ownBytes(b).buffer);
}

/** Commands from the guest to a host, one byte then a payload. */
export const CMD = { tree: 0x54, hist: 0x48, split: 0x53, end: 0x45 } as const;

export function command(type: number, ...parts: Uint8Array[]): Uint8Array {
  const len = parts.reduce((s, p) => s + p.length, 1);
  const out = new Uint8Array(len);
  out[0] = type;
  let off = 1;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

export function jsonBytes(v: unknown): Uint8Array {
  return Buffer.from(JSON.stringify(v), 'utf8');
}

export function parseJson<T>(b: Uint8Array, what: string, check: (v: unknown) => v is T): T {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(b).toString('utf8'));
  } catch {
    v = undefined;
  }
  if (!check(v)) throw new ProgramError(`malformed ${what}`);
  return v;
}
