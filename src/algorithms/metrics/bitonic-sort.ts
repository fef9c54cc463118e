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
const stageCache = new Map<number, Int32Array[]>();

export function bitonicStages(N: number): Int32Array[] {
  const cached = stageCache.get(N);
  if (cached) return cached;
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
  stageCache.set(N, stages);
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
  let cols = [k, ...ps];
  for (let s = 0; s < stages.length; s++) {
    const pairs = stages[s]!;
    const lo = new Int32Array(half);
    const hi = new Int32Array(half);
    for (let t = 0; t < half; t++) {
      lo[t] = pairs[2 * t]!;
      hi[t] = pairs[2 * t + 1]!;
    }
    // Each column's lo and hi halves, gathered once.
    const los = cols.map((c) => gatherParts(c.parts, lo));
    const his = cols.map((c) => gatherParts(c.parts, hi));
    const diffs = cols.map((_, ci) => subParts(his[ci]!, los[ci]!));
    // swap = [key_hi < key_lo]; one product moves keys and every payload: δ = swap · (hi − lo).
    const swap = await mpc.protocol.msbA(diffs[0]!, half);
    const delta = splitParts(await mpc.protocol.mulAA(concatParts(...cols.map(() => swap)), concatParts(...diffs), half * cols.length), cols.map(() => half));
    cols = cols.map((c, ci) => {
      const parts = c.parts.map(() => new BigUint64Array(N));
      scatterInto(parts, addParts(los[ci]!, delta[ci]!), lo);
      scatterInto(parts, subParts(his[ci]!, delta[ci]!), hi);
      return new SecretTensor([N], c.dtype, parts);
    });
    onStage?.(s + 1, stages.length);
  }
  k = cols[0]!;
  ps = cols.slice(1);
  const take = (x: SecretTensor) => (N === n ? x : mpc.split(x, [[n], [N - n]])[0]!);
  return { keys: take(k), payloads: ps.map(take) };
}
