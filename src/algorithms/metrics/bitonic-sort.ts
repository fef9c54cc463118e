/**
 * Oblivious sorting of secret-shared keys, with payload columns carried along, by
 * Batcher's bitonic sorting network (Batcher, "Sorting networks and their applications",
 * AFIPS 1968). The network is data-independent, so nothing about the order leaks; each of
 * its log2(N)·(log2(N)+1)/2 stages is one batched comparison of N/2 pairs plus one batched
 * product that swaps keys and payloads together — a constant number of rounds per stage.
 *
 * Inputs are padded to a power of two with public keys larger than any real key (they
 * sort to the end and are dropped).
 */
import { addParts, concatParts, gatherParts, scatterInto, splitParts, subParts } from '../../mpc/parts.js';
import { SecretTensor } from '../../mpc/tensor.js';
import type { Mpc } from '../../mpc/engine.js';

/** The compare-exchange pairs of every stage: [lo, hi] where lo should end up ≤ hi. */
export function bitonicStages(N: number): Int32Array[] {
  const stages: Int32Array[] = [];
  for (let k = 2; k <= N; k *= 2) {
    for (let j = k / 2; j >= 1; j /= 2) {
      const pairs = new Int32Array(N);
      let t = 0;
      for (let i = 0; i < N; i++) {
        const l = i ^ j;
        if (l > i) {
          const ascending = (i & k) === 0;
          pairs[t++] = ascending ? i : l;
          pairs[t++] = ascending ? l : i;
        }
      }
      stages.push(pairs);
    }
  }
  return stages;
}

/**
 * Sorts `keys` (1-D, fxp or int) ascending and applies the same permutation to each
 * payload (1-D, same length). `padKey` must exceed every real key.
 */
export async function bitonicSort(
  mpc: Mpc,
  keys: SecretTensor,
  payloads: SecretTensor[],
  padKey: number,
  onStage?: (done: number, total: number) => void,
): Promise<{ keys: SecretTensor; payloads: SecretTensor[] }> {
  const n = keys.size;
  let N = 1;
  while (N < n) N *= 2;
  const pad = (x: SecretTensor, v: number): SecretTensor => {
    if (N === n) return x;
    const fill = mpc.constant(new Float64Array(N - n).fill(v), [N - n], x.dtype);
    return mpc.concat([x, fill]);
  };
  let k = pad(keys, padKey);
  let ps = payloads.map((p) => pad(p, 0));
  const stages = bitonicStages(N);
  const half = N / 2;
  for (let s = 0; s < stages.length; s++) {
    const pairs = stages[s]!;
    const lo = new Int32Array(half);
    const hi = new Int32Array(half);
    for (let t = 0; t < half; t++) {
      lo[t] = pairs[2 * t]!;
      hi[t] = pairs[2 * t + 1]!;
    }
    const kLo = gatherParts(k.parts, lo);
    const kHi = gatherParts(k.parts, hi);
    // swap = [key_hi < key_lo]
    const swap = await mpc.protocol.msbA(subParts(kHi, kLo), half);
    // One product moves keys and every payload: delta = swap · (hi − lo).
    const cols = [k, ...ps];
    const diffs = cols.map((c) => subParts(gatherParts(c.parts, hi), gatherParts(c.parts, lo)));
    const swapRep = concatParts(...cols.map(() => swap));
    const delta = splitParts(await mpc.protocol.mulAA(swapRep, concatParts(...diffs), half * cols.length), cols.map(() => half));
    const next = cols.map((c, ci) => {
      const d = delta[ci]!;
      const newLo = addParts(gatherParts(c.parts, lo), d);
      const newHi = subParts(gatherParts(c.parts, hi), d);
      const parts = c.parts.map(() => new BigUint64Array(N));
      scatterInto(parts, newLo, lo);
      scatterInto(parts, newHi, hi);
      return new SecretTensor([N], c.dtype, parts);
    });
    k = next[0]!;
    ps = next.slice(1);
    onStage?.(s + 1, stages.length);
  }
  const take = (x: SecretTensor) => (N === n ? x : mpc.split(x, [[n], [N - n]])[0]!);
  return { keys: take(k), payloads: ps.map(take) };
}
