/**
 * The consistency check of Keller, Orsini and Scholl ("Actively Secure OT Extension with
 * Optimal Overhead", CRYPTO 2015, §3, Fig. 7). In IKNP a malicious receiver could use a
 * different choice vector in each column and so learn bits of Δ from the sender's hashes.
 * KOS has the sender pick random χ_j ∈ GF(2^128) after seeing the columns; the receiver
 * answers x = Σ χ_j·r_j and t = Σ χ_j·t_j, and the sender accepts iff Σ χ_j·q_j = t + x·Δ.
 * An honest receiver always passes; one whose columns disagree passes with probability
 * about 2^-κ per inconsistent column. The check leaks linear combinations of the choice
 * bits, so the receiver extends κ + σ = 256 extra OTs with random choices, which mask them,
 * and both sides drop those rows afterwards.
 *
 * GF(2^128) is F_2[X]/(X^128 + X^7 + X^2 + X + 1) with bit i of a 16-byte string (byte
 * i>>3, bit i&7) the coefficient of X^i. Sums of products are accumulated unreduced (256
 * bits) and reduced once: reduction is linear.
 */
import { Prg } from '../crypto/prg.js';
import { OtConsistencyError } from './errors.js';

export const KOS_EXTRA = 256;

/** acc (8 u32, 256 bits) ^= a · b carry-less, for a, b given as 4 u32 each (little-endian). */
function clmulAcc(acc: Uint32Array, a: Uint32Array, ao: number, b: Uint32Array, bo: number): void {
  for (let w = 0; w < 4; w++) {
    let aw = a[ao + w]!;
    while (aw !== 0) {
      const bit = 31 - Math.clz32(aw & -aw);
      aw &= aw - 1;
      const k = w * 32 + bit; // shift of b
      const limb = k >>> 5, sh = k & 31;
      for (let i = 0; i < 4; i++) {
        const v = b[bo + i]!;
        acc[limb + i] = (acc[limb + i]! ^ (v << sh)) >>> 0;
        if (sh) acc[limb + i + 1] = (acc[limb + i + 1]! ^ (v >>> (32 - sh))) >>> 0;
      }
    }
  }
}

/** Reduces a 256-bit carry-less product mod X^128 + X^7 + X^2 + X + 1. */
function reduce(acc: Uint32Array): Uint8Array {
  const a = acc.slice();
  // Fold bits 255..128 down: X^128 = X^7 + X^2 + X + 1.
  for (let k = 255; k >= 128; k--) {
    if ((a[k >>> 5]! >>> (k & 31)) & 1) {
      a[k >>> 5] = (a[k >>> 5]! ^ (1 << (k & 31))) >>> 0;
      for (const t of [0, 1, 2, 7]) {
        const j = k - 128 + t;
        a[j >>> 5] = (a[j >>> 5]! ^ (1 << (j & 31))) >>> 0;
      }
    }
  }
  return new Uint8Array(a.buffer.slice(0, 16));
}

const u32 = (b: Uint8Array) => new Uint32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));

/** χ_1..χ_m from the sender's seed (16 bytes each). */
function challenges(seed: Uint8Array, m: number): Uint32Array {
  return u32(new Prg(seed).fill(new Uint8Array(m * 16)));
}

/** Receiver's answer (32 bytes: x then t) for rows t_j (16 bytes each) and choice bits. */
export function kosRespond(seed: Uint8Array, t: Uint8Array, choices: Uint8Array, m: number): Uint8Array {
  const chi = challenges(seed, m);
  const T = u32(t);
  const x = new Uint32Array(4);
  const acc = new Uint32Array(9);
  for (let j = 0; j < m; j++) {
    if ((choices[j >> 3]! >> (j & 7)) & 1) for (let i = 0; i < 4; i++) x[i] = (x[i]! ^ chi[4 * j + i]!) >>> 0;
    clmulAcc(acc, chi, 4 * j, T, 4 * j);
  }
  const out = new Uint8Array(32);
  out.set(new Uint8Array(x.buffer), 0);
  out.set(reduce(acc.subarray(0, 8)), 16);
  return out;
}

/** Sender's verification of the answer against its rows q_j and Δ; throws when it fails. */
export function kosVerify(seed: Uint8Array, q: Uint8Array, delta: Uint8Array, answer: Uint8Array, m: number, peer: string): void {
  const chi = challenges(seed, m);
  const Q = u32(q);
  const acc = new Uint32Array(9);
  for (let j = 0; j < m; j++) clmulAcc(acc, chi, 4 * j, Q, 4 * j);
  const lhs = reduce(acc.subarray(0, 8));
  const xd = new Uint32Array(9);
  clmulAcc(xd, u32(answer.subarray(0, 16)), 0, u32(delta), 0);
  const rhs = reduce(xd.subarray(0, 8));
  const t = answer.subarray(16, 32);
  let diff = 0;
  for (let i = 0; i < 16; i++) diff |= lhs[i]! ^ rhs[i]! ^ t[i]!;
  if (diff !== 0) {
    throw new OtConsistencyError('The OT extension consistency check failed: the peer used inconsistent choice bits', {
      details: `peer ${peer}`,
      hint: 'The peer deviated from the protocol (or runs an incompatible version); abort the session.',
    });
  }
}
