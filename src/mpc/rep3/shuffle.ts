/**
 * Oblivious shuffle of replicated shares: a uniformly random permutation that no single
 * party knows, applied to several columns alike, in three rounds (the resharing shuffle of
 * Laur, Willemson & Zhang, ISC 2011, in its replicated three-party form).
 *
 * In step a (a = 0, 1, 2) parties a and b = a+1 hold x as a 2-out-of-2 sharing
 * (x_a + x_{a+1} at a, x_{a+2} at b — the third party c knows x_{a+2} and x_a but not
 * x_{a+1}), both apply a permutation π_a drawn from the stream they share, and re-share:
 * components a and a+2 come from the streams each of them shares with c, component a+1 is
 * exchanged between a and b (each value masked by a component the other does not know).
 * Party c never learns π_a; every party misses one of the three permutations, so their
 * composition is hidden from each.
 */
import * as R from '../../crypto/ring64.js';
import { randomPermutation } from '../permutation.js';
import type { Parts } from '../protocol.js';
import type { Rep3Protocol } from './protocol.js';

function permute(values: BigUint64Array, perm: Int32Array): BigUint64Array {
  const n = perm.length;
  const out = R.uninit(n);
  const src = new Uint32Array(values.buffer, values.byteOffset, 2 * n);
  const dst = new Uint32Array(out.buffer, out.byteOffset, 2 * n);
  for (let i = 0; i < n; i++) {
    const j = perm[i]! * 2;
    dst[2 * i] = src[j]!;
    dst[2 * i + 1] = src[j + 1]!;
  }
  return out;
}

/** Applies one secret random permutation to every column (each of length n). */
export async function shuffleRep3(p: Rep3Protocol, cols: Parts[], n: number): Promise<Parts[]> {
  let cur = cols;
  for (let a = 0; a < 3; a++) {
    const b = (a + 1) % 3, c = (a + 2) % 3;
    const i = p.index;
    p.comm.round();
    if (i === c) {
      // Fresh components a and a+2 from the streams shared with a and with b.
      const sa = p.pair(a, c), sb = p.pair(b, c);
      cur = cur.map(() => {
        const ya = sa.ring(n);
        const yc = sb.ring(n); // component a+2 = c
        return [yc, ya];
      });
      continue;
    }
    const perm = randomPermutation(p.pair(a, b), n);
    const mine: BigUint64Array[] = [];
    const kept: BigUint64Array[] = [];
    for (const x of cur) {
      if (i === a) {
        const y = p.pair(a, c).ring(n); // component a
        const v = R.sub(R.uninit(n), permute(R.add(R.uninit(n), x[0]!, x[1]!), perm), y);
        mine.push(v);
        kept.push(y);
      } else {
        const y = p.pair(b, c).ring(n); // component a+2
        const v = R.sub(R.uninit(n), permute(x[1]!, perm), y);
        mine.push(v);
        kept.push(y);
      }
    }
    const peer = p.party(i === a ? b : a);
    const step = `rep3.shuffle.${a}`;
    const flat = R.uninit(n * cur.length);
    mine.forEach((v, k) => flat.set(v, k * n));
    p.comm.send(peer, step, flat);
    const theirs = await p.comm.recvRing(peer, step, n * cur.length);
    cur = cur.map((_, k) => {
      const mid = R.add(R.uninit(n), mine[k]!, theirs.subarray(k * n, (k + 1) * n));
      return i === a ? [kept[k]!, mid] : [mid, kept[k]!];
    });
  }
  return cur;
}
