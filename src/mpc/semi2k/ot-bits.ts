/**
 * Arithmetic shares of random bits that are XOR-shared: the step behind dealer-free daBits,
 * edaBits and truncation pairs (Rotaru & Wood, INDOCRYPT 2019; Escudero, Ghosh, Keller,
 * Rachuri, Scholl, CRYPTO 2020, whose semi-honest generation is exactly this). Each party
 * holds bits β_i; the bit is b = ⊕_i β_i. Folding the parties in one at a time,
 * acc ← acc ⊕ β_j = acc + β_j − 2·acc·β_j, where acc·β_j = Σ_i acc_i·β_j needs one
 * correlated OT per bit between party j (choosing with β_j) and every party i before it
 * (offering acc_i): N − 1 rounds.
 *
 * In the first round (parties 0 and 1) both factors are bits, so either may choose: the first
 * half of the bits has party 1 choose and the second half party 0, and both halves run at once
 * — each party is chooser for one half and offerer for the other, so both do the same work at
 * the same time instead of one waiting for the other. In round j ≥ 2 only the parties before j
 * hold shares, so only they offer: N(N − 1)/2 OTs a bit instead of (N − 1)².
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
 * words `beta`: n·w words, bit k of element e at e·w + k. With `scratch` the result is
 * written into scratch.out and valid until the caller's next call.
 */
export async function bitsToArithmetic(ctx: OtParties, beta: BigUint64Array, w: 1 | 64, scratch?: BitScratch): Promise<BigUint64Array> {
  const count = beta.length * w;
  const mine = unpackBits(beta, w, scratch?.mine.subarray(0, count));
  const choices = w === 64 ? new Uint8Array(beta.buffer, beta.byteOffset, beta.byteLength) : packLowBits(beta);
  const out = scratch?.out.subarray(0, count) ?? R.uninit(count);
  // Round 1: parties 0 and 1 (both factors bits), each choosing for half of them.
  if (ctx.index <= 1) await twoPartyBits(ctx, mine, choices, count, out);
  else out.fill(0n); // not folded in yet: holds nothing
  // Round j ≥ 2: party j chooses with β_j against every party before it (the parties after it
  // hold nothing yet and sit the round out).
  for (let j = 2; j < ctx.parties.length; j++) {
    if (ctx.index === j) {
      const got = await Promise.all(ctx.ss.slice(0, j).map((p) => cotAsReceiver(p!, choices, count)));
      const prod = got.reduce((a, v) => R.add(a, a, v)); // Σ_i s_i + β_j·acc_i
      R.sub(out, mine, R.shl(prod, prod, 1));
    } else if (ctx.index < j) {
      const s = await cotAsSender(ctx.ss[j]!, out); // −s_i
      R.sub(out, out, R.shl(s, s, 1));
    }
  }
  return out;
}

/** Parties 0 and 1: their shares of β_0 ⊕ β_1 = β_0 + β_1 − 2·β_0·β_1 into `prod`, the product's halves chosen by each party in turn. */
async function twoPartyBits(ctx: OtParties, mine: BigUint64Array, choices: Uint8Array, count: number, prod: BigUint64Array): Promise<void> {
  const half = (count >> 4) << 3; // a whole number of choice bytes
  const pair = ctx.ss[1 - ctx.index]!;
  const [from, to] = ctx.index === 1 ? [0, half] : [half, count]; // the bits this party chooses with
  const [offerFrom, offerTo] = ctx.index === 1 ? [half, count] : [0, half];
  // Written into prod in place — chosen: s + β_me·β_peer; offered: −s.
  await cotBothWays(pair, choices.subarray(from / 8), to - from, mine.subarray(offerFrom, offerTo), prod.subarray(from, to), prod.subarray(offerFrom, offerTo));
  R.sub(prod, mine, R.shl(prod, prod, 1));
}
