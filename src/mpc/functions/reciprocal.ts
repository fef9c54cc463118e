/**
 * Reciprocal and inverse square root by Newton–Raphson after normalisation, the approach
 * of SPU's fixed-point approximations (and of Catrina & Saxena 2010 for division).
 *
 * Normalisation finds the highest set bit j of a positive fixed-point x (bit decomposition,
 * then a prefix-OR in 6 AND rounds, then a one-hot difference); because XOR-shares commute
 * with any permutation of bit positions, the one-hot word can be re-wired locally into the
 * word whose only set bit is the scale we need (2^(2f−1−j), i.e. 2^(f−1−j) as a fixed-point
 * value), and one boolean→arithmetic conversion makes it a number. Then m = x·2^(f−1−j)
 * lies in [0.5, 1), where a linear first guess and three Newton steps reach full precision.
 *
 * Domain: 2^−f ≤ |x| < 2^f (about [3.8e-6, 262144] with 18 fractional bits) for the
 * reciprocal, 2^−f ≤ x < 2^f for rsqrt. Outside it the result is meaningless.
 */
import { concatParts, shrlParts, splitParts, xorParts } from '../parts.js';
import type { Parts } from '../protocol.js';
import { SecretTensor } from '../tensor.js';
import type { Mpc } from '../engine.js';

/** Boolean shares of a word with only the highest set bit of x (x ≥ 0) kept. */
async function highestBit(mpc: Mpc, x: SecretTensor): Promise<Parts> {
  const n = x.size;
  let q = await mpc.protocol.a2b(x.parts, n);
  for (let s = 1; s < 64; s *= 2) {
    const shifted = shrlParts(q, s);
    // a OR b = a ^ b ^ (a & b)
    q = xorParts(xorParts(q, shifted), await mpc.protocol.andBB(q, shifted, n));
  }
  return xorParts(q, shrlParts(q, 1));
}

/**
 * Moves bit j of every word to bit target[j] (target −1 drops it). Linear over XOR, so it
 * applies share by share.
 */
export function permuteBits(words: BigUint64Array, target: Int8Array): BigUint64Array {
  const n = words.length;
  const src = new Uint32Array(words.buffer, words.byteOffset, 2 * n);
  const out = new BigUint64Array(n);
  const dst = new Uint32Array(out.buffer);
  const pairs: number[] = [];
  for (let j = 0; j < 64; j++) if (target[j]! >= 0) pairs.push(j, target[j]!);
  for (let i = 0; i < n; i++) {
    const lo = src[2 * i]!, hi = src[2 * i + 1]!;
    if ((lo | hi) === 0) continue;
    let olo = 0, ohi = 0;
    for (let t = 0; t < pairs.length; t += 2) {
      const j = pairs[t]!, k = pairs[t + 1]!;
      const bit = j < 32 ? (lo >>> j) & 1 : (hi >>> (j - 32)) & 1;
      if (bit) {
        if (k < 32) olo |= 1 << k;
        else ohi |= 1 << (k - 32);
      }
    }
    dst[2 * i] = olo >>> 0;
    dst[2 * i + 1] = ohi >>> 0;
  }
  return out;
}

function permuteParts(p: Parts, target: Int8Array): Parts {
  return p.map((w) => permuteBits(w, target));
}

/** Bit j → bit 2f−1−j for j < 2f: the fixed-point value 2^(f−1−j). */
function scaleMap(f: number): Int8Array {
  const t = new Int8Array(64).fill(-1);
  for (let j = 0; j < 2 * f; j++) t[j] = 2 * f - 1 - j;
  return t;
}

/** Sign and magnitude: [s, |x|] with s = [x < 0]. */
async function signAndAbs(mpc: Mpc, x: SecretTensor): Promise<[SecretTensor, SecretTensor]> {
  const s = await mpc.ltz(x);
  const f = mpc.addPublic(mpc.mulInt(s, -2), 1);
  return [s, new SecretTensor(x.shape, x.dtype, await mpc.protocol.mulAA(f.parts, x.parts, x.size))];
}

/**
 * 1/x as g·C with g = 1/m ∈ (1, 2] and C = 2^(f−1−j) (so m = |x|·C ∈ [0.5, 1)), and the
 * sign s = [x < 0]. Kept apart because multiplying by C last keeps every digit: a·g·C
 * loses nothing, while a·(g·C) for a large x first rounds g·C, a tiny number.
 */
async function normalizedReciprocal(mpc: Mpc, x: SecretTensor): Promise<{ s: SecretTensor; g: SecretTensor; C: SecretTensor }> {
  const n = x.size;
  const f = mpc.fracBits;
  const [s, a] = await signAndAbs(mpc, x);
  const h = await highestBit(mpc, a);
  const C = new SecretTensor(x.shape, 'fxp', await mpc.protocol.b2a(permuteParts(h, scaleMap(f)), n));
  const m = await mpc.mul(a, C);
  let g = mpc.addPublic(await mpc.mulPublic(m, -32 / 17), 48 / 17);
  for (let i = 0; i < 3; i++) {
    const mg = await mpc.mul(m, g);
    g = await mpc.mul(g, mpc.addPublic(mpc.neg(mg), 2));
  }
  return { s, g, C };
}

async function applySign(mpc: Mpc, s: SecretTensor, r: SecretTensor): Promise<SecretTensor> {
  const sign = mpc.addPublic(mpc.mulInt(s, -2), 1);
  return new SecretTensor(r.shape, 'fxp', await mpc.protocol.mulAA(sign.parts, r.parts, r.size));
}

export async function reciprocal(mpc: Mpc, x0: SecretTensor): Promise<SecretTensor> {
  const { s, g, C } = await normalizedReciprocal(mpc, mpc.toFxp(x0));
  return applySign(mpc, s, await mpc.mul(g, C));
}

/** x / y, with the reciprocal's scale applied last (see normalizedReciprocal). */
export async function divide(mpc: Mpc, x: SecretTensor, y: SecretTensor): Promise<SecretTensor> {
  const { s, g, C } = await normalizedReciprocal(mpc, mpc.toFxp(y));
  return applySign(mpc, s, await mpc.mul(await mpc.mul(mpc.toFxp(x), g), C));
}

export async function rsqrt(mpc: Mpc, x0: SecretTensor): Promise<SecretTensor> {
  const x = mpc.toFxp(x0);
  const n = x.size;
  const f = mpc.fracBits;
  const h = await highestBit(mpc, x);
  // x ≈ m·2^e with e = j + 1 − f; 1/√x = 1/√m · 2^(−⌊e/2⌋) · (e odd ? 1/√2 : 1).
  const even = new Int8Array(64).fill(-1);
  const odd = new Int8Array(64).fill(-1);
  for (let j = 0; j < 64; j++) {
    const e = j + 1 - f;
    const pos = f - Math.floor(e / 2);
    if (pos < 0 || pos > 61) continue;
    (e % 2 === 0 ? even : odd)[j] = pos;
  }
  const words = concatParts(permuteParts(h, scaleMap(f)), permuteParts(h, even), permuteParts(h, odd));
  const [Cp, Ep, Op] = splitParts(await mpc.protocol.b2a(words, 3 * n), [n, n, n]) as [Parts, Parts, Parts];
  const C = new SecretTensor(x.shape, 'fxp', Cp);
  const F = mpc.add(new SecretTensor(x.shape, 'fxp', Ep), await mpc.mulPublic(new SecretTensor(x.shape, 'fxp', Op), Math.SQRT1_2));
  // m/2 in one truncation by f + 1.
  const halfM = new SecretTensor(x.shape, 'fxp', await mpc.protocol.mulTruncA(x.parts, C.parts, n, f + 1));
  let g = mpc.addPublic(await mpc.mulPublic(halfM, -1.6), 1.8);
  for (let i = 0; i < 3; i++) {
    const g2 = await mpc.mul(g, g);
    const t = mpc.addPublic(mpc.neg(await mpc.mul(halfM, g2)), 1.5);
    g = await mpc.mul(g, t);
  }
  return mpc.mul(g, F);
}
