/**
 * Arithmetic shares of random bits that are XOR-shared: the step behind dealer-free daBits,
 * edaBits and truncation pairs (Rotaru & Wood, INDOCRYPT 2019; Escudero, Ghosh, Keller,
 * Rachuri, Scholl, CRYPTO 2020, whose semi-honest generation is exactly this). Each party
 * holds bits β_i; the bit is b = ⊕_i β_i. Folding the parties in one at a time,
 * acc ← acc ⊕ β_j = acc + β_j − 2·acc·β_j, where acc·β_j = Σ_i acc_i·β_j needs one
 * correlated OT per bit between party j (choosing with β_j) and every other party i
 * (offering acc_i): N − 1 rounds, one OT per bit and pair per round.
 */
import * as R from '../../crypto/ring64.js';
import * as K from '../../ot/kernel.js';
import type { OtPair } from '../../ot/iknp.js';
import type { SoftSpokenPair } from '../../ot/softspoken.js';
import { cotAsReceiver, cotAsSender } from './ot-pairwise.js';

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

/**
 * Arithmetic shares (0/1-valued in sum) of the low `w` bits (w = 1 or 64) of the XOR-shared
 * words `beta`: n·w words, bit k of element e at e·w + k.
 */
export async function bitsToArithmetic(ctx: OtParties, beta: BigUint64Array, w: 1 | 64): Promise<BigUint64Array> {
  const count = beta.length * w;
  const mine = K.unpackBits(beta, w);
  const choices = w === 64 ? new Uint8Array(beta.buffer, beta.byteOffset, beta.byteLength) : packLowBits(beta);
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
