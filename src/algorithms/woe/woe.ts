/**
 * Weight of evidence and information value of a binned feature (Siddiqi, "Credit Risk
 * Scorecards", 2006, ch. 6): with P positives (y = 1, "bad") and N negatives overall and
 * p_b, n_b in bin b,
 *   WOE_b = ln((n_b / N) / (p_b / P)),   IV = Σ_b (n_b / N − p_b / P) · WOE_b.
 * A bin without positives or without negatives would make WOE infinite; such a count is
 * taken as 0.5 (the usual adjustment), in the protocol and the reference alike, so both are
 * the same function of the per-bin counts.
 */
export interface FeatureWoe {
  /** Rows per bin. */
  counts: number[];
  /** Positives (y = 1) per bin. */
  positives: number[];
  woe: number[];
  iv: number;
}

export function woeFromCounts(counts: readonly number[], positives: readonly number[]): FeatureWoe {
  const P = positives.reduce((a, b) => a + b, 0);
  const T = counts.reduce((a, b) => a + b, 0);
  const N = T - P;
  const woe: number[] = [];
  let iv = 0;
  for (let b = 0; b < counts.length; b++) {
    const pos = Math.max(positives[b]!, 0.5), neg = Math.max(counts[b]! - positives[b]!, 0.5);
    const pn = neg / Math.max(N, 1), pp = pos / Math.max(P, 1);
    const w = Math.log(pn / pp);
    woe.push(w);
    if (counts[b]! > 0) iv += (pn - pp) * w;
  }
  return { counts: [...counts], positives: [...positives], woe, iv };
}

/** Per-bin counts and positives of every feature from a rows × features bin matrix. */
export function binCounts(bins: Uint8Array, rows: number, features: number, binsPerFeature: readonly number[], y: ArrayLike<number>): { counts: number[]; positives: number[] }[] {
  const out = binsPerFeature.map((k) => ({ counts: new Array<number>(k).fill(0), positives: new Array<number>(k).fill(0) }));
  for (let r = 0; r < rows; r++) {
    for (let f = 0; f < features; f++) {
      const b = bins[r * features + f]!;
      out[f]!.counts[b]!++;
      if (y[r]! > 0.5) out[f]!.positives[b]!++;
    }
  }
  return out;
}
