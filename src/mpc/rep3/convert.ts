/**
 * Share conversions for rep3 (ABY3, Mohassel & Rindal 2018, §5.3).
 *
 * Arithmetic → boolean: x = (x_0 + x_1) + x_2. Party 0 knows u = x_0 + x_1 and boolean-
 * shares it with one message; x_2 is already known to parties 1 and 2, so it is a boolean
 * sharing as it stands. One parallel-prefix adder then yields the bits (8 rounds), or just
 * the carry into bit 63 for the sign.
 *
 * Bit injection (boolean bit → arithmetic 0/1): b = t XOR β with t = β_0 XOR β_1 known to
 * party 0 and β = β_2 known to parties 1 and 2; b = t + β − 2tβ, one input and one product.
 *
 * Boolean word → arithmetic: parties draw a_1 (shared by 0,1) and a_2 (shared by 1,2), add
 * −a_1 and −a_2 to x in the boolean domain (carry-save + adder) and open the result
 * a_0 = x − a_1 − a_2 to its holders, parties 0 and 2.
 */
import * as R from '../../crypto/ring64.js';
import { addBB, carrySave, msbFromGP } from '../circuits/adder.js';
import { andPublicParts, xorParts } from '../parts.js';
import type { Parts } from '../protocol.js';
import type { Rep3Protocol } from './protocol.js';

const fresh = (n: number) => new BigUint64Array(n);

/** Boolean shares of u = x_0 + x_1 (from party 0) and of x_2 (already held by parties 1, 2). */
async function splitForAdder(p: Rep3Protocol, x: Parts, n: number): Promise<[Parts, Parts]> {
  const i = p.index;
  const u = i === 0 ? R.add(R.uninit(n), x[0]!, x[1]!) : undefined;
  const U = await shareBooleanFrom0(p, u, n);
  const V: Parts = i === 0 ? [fresh(n), fresh(n)] : i === 1 ? [fresh(n), x[1]!] : [x[0]!, fresh(n)];
  return [U, V];
}

/**
 * Boolean sharing of a word known to party 0: β_1 from the stream parties 0 and 1 share,
 * β_2 = 0, and party 0 sends β_0 = u XOR β_1 to party 2. One round.
 */
async function shareBooleanFrom0(p: Rep3Protocol, u: BigUint64Array | undefined, n: number): Promise<Parts> {
  const i = p.index;
  p.comm.round();
  if (i === 0) {
    const b1 = p.pair(0, 1).ring(n);
    const b0 = R.xor(R.uninit(n), u!, b1);
    p.comm.send(p.party(2), 'rep3.a2b', b0);
    return [b0, b1];
  }
  if (i === 1) return [p.pair(0, 1).ring(n), fresh(n)];
  return [fresh(n), await p.comm.recvRing(p.party(0), 'rep3.a2b', n)];
}

export async function a2bRep3(p: Rep3Protocol, x: Parts, n: number): Promise<Parts> {
  const [U, V] = await splitForAdder(p, x, n);
  return addBB(p, U, V, n);
}

/** Boolean shares (bit 0) of the sign bit of x. */
export async function msbBRep3(p: Rep3Protocol, x: Parts, n: number): Promise<Parts> {
  const [U, V] = await splitForAdder(p, x, n);
  const G = await p.andBB(U, V, n);
  return msbFromGP(p, G, xorParts(U, V), n);
}

export async function msbRep3(p: Rep3Protocol, x: Parts, n: number): Promise<Parts> {
  return bitB2ARep3(p, await msbBRep3(p, x, n), n);
}

export async function bitB2ARep3(p: Rep3Protocol, xb: Parts, n: number): Promise<Parts> {
  const i = p.index;
  const bit = andPublicParts(xb, 1n);
  const t = i === 0 ? R.xor(R.uninit(n), bit[0]!, bit[1]!) : undefined;
  const T = await p.shareFromCompute(0, t, n, 'rep3.b2a');
  // β_2 is component 2: parties 1 (second part) and 2 (first part) hold it.
  const B: Parts = i === 0 ? [fresh(n), fresh(n)] : i === 1 ? [fresh(n), bit[1]!] : [bit[0]!, fresh(n)];
  const TB = await p.mulAA(T, B, n);
  return T.map((tp, j) => {
    const out = R.add(R.uninit(n), tp, B[j]!);
    return R.sub(out, out, R.shl(R.uninit(n), TB[j]!, 1));
  });
}

export async function b2aRep3(p: Rep3Protocol, xb: Parts, n: number): Promise<Parts> {
  const i = p.index;
  const a1 = i === 0 || i === 1 ? p.pair(0, 1).ring(n) : undefined;
  const a2 = i === 1 || i === 2 ? p.pair(1, 2).ring(n) : undefined;
  const neg = (a: BigUint64Array) => R.neg(R.uninit(n), a);
  // Boolean sharings of −a_1 (component 1) and −a_2 (component 2).
  const M1: Parts = i === 0 ? [fresh(n), neg(a1!)] : i === 1 ? [neg(a1!), fresh(n)] : [fresh(n), fresh(n)];
  const M2: Parts = i === 0 ? [fresh(n), fresh(n)] : i === 1 ? [fresh(n), neg(a2!)] : [neg(a2!), fresh(n)];
  const [s, t] = await carrySave(p, xb, M1, M2, n);
  const y = await addBB(p, s, t, n);
  const a0 = await p.openB(y, n, [p.party(0), p.party(2)]);
  if (i === 0) return [a0!, a1!];
  if (i === 1) return [a1!, a2!];
  return [a2!, a0!];
}
