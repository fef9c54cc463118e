/**
 * Arithmetic shares of random bits that are XOR-shared: the step behind dealer-free daBits,
 * edaBits and truncation pairs (Rotaru & Wood, INDOCRYPT 2019; Escudero, Ghosh, Keller,
 * Rachuri, Scholl, CRYPTO 2020, whose semi-honest generation is exactly this). Each party
 * holds bits β_i; the bit is b = ⊕_i β_i. Folding the parties in one at a time,
 * acc ← acc ⊕ β_j = acc + β_j − 2·acc·β_j, where acc·β_j = Σ_i acc_i·β_j needs one
 * correlated OT per bit between party j (choosing with β_j) and every other party i
 * (offering acc_i): N − 1 rounds, one OT per bit and pair per round.
 *
 * With two parties both factors are bits, so either may choose: the first half of the bits has
 * party 1 choose and the second half party 0, and both halves run at once — each party is
 * chooser for one half and offerer for the other, so both do the same work at the same time
 * instead of one waiting for the other.
 */
import * as R from '../../crypto/ring64.js';
import { unpackBits } from '../../ot/cot-words.js';
import type { OtPair } from '../../ot/iknp.js';
import type { SoftSpokenPair } from '../../ot/softspoken.js';
import { cotAsReceiver, cotAsSender, cotBothWays } from './ot-pairwise.js';

export interface OtParties {
  /** This party's index among the compute parties. */
  index: number;
  /** Compute parties, in protocol order. */
  parties: readonly string[];
  /** IKNP extension with each other compute party (undefined at self): the chosen OTs of the shuffle's switching network. */
  pairs: (OtPair | undefined)[];
  /** SoftSpokenOT with each other compute party, set up over `pairs` (undefined at self): every correlated OT. */
  ss: (SoftSpokenPair | undefined)[];
}

/** Packs bit 0 of each word, LSB first. */
function packLowBits(x: BigUint64Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(x.length / 8));
  const lo = new Uint32Array(x.buffer, x.byteOffset, 2 * x.length);
  for (let e = 0; e < x.length; e++) out[e >> 3]! |= (lo[2 * e]! & 1) << (e & 7);
  return out;
}

/** Arrays of n·w words a caller reuses from one call to the next (nothing in them is kept). */
export interface BitScratch {
  mine: BigUint64Array;
  out: BigUint64Array;
}

/**
 * Arithmetic shares (0/1-valued in sum) of the low `w` bits (w = 1 or 64) of the XOR-shared
 * words `beta`: n·w words, bit k of element e at e·w + k. With `scratch` (two parties) the
 * result is written into scratch.out and valid until the caller's next call.
 */
export async function bitsToArithmetic(ctx: OtParties, beta: BigUint64Array, w: 1 | 64, scratch?: BitScratch): Promise<BigUint64Array> {
  const count = beta.length * w;
  const mine = unpackBits(beta, w, scratch?.mine.subarray(0, count));
  const choices = w === 64 ? new Uint8Array(beta.buffer, beta.byteOffset, beta.byteLength) : packLowBits(beta);
  if (ctx.parties.length === 2) return twoPartyBits(ctx, mine, choices, count, scratch?.out.subarray(0, count) ?? R.uninit(count));
  let acc: BigUint64Array = ctx.index === 0 ? mine.slice() : new BigUint64Array(count);
  for (let j = 1; j < ctx.parties.length; j++) {
    if (ctx.index === j) {
      const prod = R.mul(R.uninit(count), acc, mine);
      const got = await Promise.all(ctx.ss.map((p, i) => (i === j ? undefined : cotAsReceiver(p!, choices, count))));
      for (const v of got) if (v) R.add(prod, prod, v);
      R.add(acc, acc, mine);
      R.sub(acc, acc, R.shl(prod, prod, 1));
    } else {
      const s = await cotAsSender(ctx.ss[j]!, acc);
      acc = R.sub(acc, acc, R.shl(s, s, 1));
    }
  }
  return acc;
}

/** Two parties: shares of β_0 ⊕ β_1 = β_0 + β_1 − 2·β_0·β_1, the product's halves chosen by each party in turn. */
async function twoPartyBits(ctx: OtParties, mine: BigUint64Array, choices: Uint8Array, count: number, prod: BigUint64Array): Promise<BigUint64Array> {
  const half = (count >> 4) << 3; // a whole number of choice bytes
  const pair = ctx.ss[1 - ctx.index]!;
  const [from, to] = ctx.index === 1 ? [0, half] : [half, count]; // the bits this party chooses with
  const [offerFrom, offerTo] = ctx.index === 1 ? [half, count] : [0, half];
  // Written into prod in place — chosen: s + β_me·β_peer; offered: −s.
  await cotBothWays(pair, choices.subarray(from / 8), to - from, mine.subarray(offerFrom, offerTo), prod.subarray(from, to), prod.subarray(offerFrom, offerTo));
  return R.sub(prod, mine, R.shl(prod, prod, 1));
}
