/**
 * Binary addition on boolean-shared 64-bit words with a Kogge–Stone parallel-prefix carry
 * network (Kogge & Stone, IEEE Trans. Computers 1973), the circuit ABY3 (§5.3) and SPU use
 * for share conversion: log2(64) = 6 rounds of word-wise AND after the first generate.
 *
 * Each element's 64 bits sit in one word, so one AND of words is 64 AND gates and every
 * level costs one round whatever the tensor size. The generate/propagate pair of a level
 * goes out in one batched AND.
 */
import { concatParts, shlParts, shrlParts, splitParts, xorParts } from '../parts.js';
import type { Parts, Protocol } from '../protocol.js';
import { carryInto63 } from './carry-tree.js';

/**
 * Prefix carries: given shares of G = a & b and P = a ^ b, returns shares of a word whose
 * bit i is the carry out of bit i of a + b (so bit i−1 is the carry into bit i).
 */
export async function prefixCarries(proto: Protocol, G: Parts, P: Parts, n: number): Promise<Parts> {
  let g = G;
  let p = P;
  for (let s = 1; s < 64; s *= 2) {
    if (s === 32) {
      const t = await proto.andBB(p, shlParts(g, s), n);
      g = xorParts(g, t);
    } else {
      const both = await proto.andBB(concatParts(p, p), concatParts(shlParts(g, s), shlParts(p, s)), 2 * n);
      const [pg, pp] = splitParts(both, [n, n]);
      g = xorParts(g, pg!);
      p = pp!;
    }
  }
  return g;
}

/** Shares of a + b (mod 2^64) from shares of its generate and propagate words. */
export async function sumFromGP(proto: Protocol, G: Parts, P: Parts, n: number): Promise<Parts> {
  const carries = await prefixCarries(proto, G, P, n);
  return xorParts(P, shlParts(carries, 1));
}

/**
 * Shares (in bit 0) of the most significant bit of a + b: p_63 XOR the carry into bit 63,
 * the carry from the packed lookahead tree of `carry-tree.ts` (same rounds, fewer bytes).
 */
export async function msbFromGP(proto: Protocol, G: Parts, P: Parts, n: number): Promise<Parts> {
  const carry = await carryInto63(proto, G, P, n);
  return xorParts(shrlParts(P, 63), carry);
}

/** Shares of a + b for two boolean-shared words. */
export async function addBB(proto: Protocol, a: Parts, b: Parts, n: number): Promise<Parts> {
  const G = await proto.andBB(a, b, n);
  return sumFromGP(proto, G, xorParts(a, b), n);
}

/**
 * Carry-save step (3 → 2 addends, one AND round): a + b + c = s + t with s = a ^ b ^ c and
 * t = maj(a, b, c) << 1, where maj = ((a ^ c) & (b ^ c)) ^ c.
 */
export async function carrySave(proto: Protocol, a: Parts, b: Parts, c: Parts, n: number): Promise<[Parts, Parts]> {
  const ac = xorParts(a, c);
  const bc = xorParts(b, c);
  const maj = xorParts(await proto.andBB(ac, bc, n), c);
  return [xorParts(ac, b), shlParts(maj, 1)];
}
