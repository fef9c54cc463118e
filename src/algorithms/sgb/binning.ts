/**
 * Per-feature bins, computed by each party over its own (aligned) rows and never shown to
 * anyone: equal-frequency (quantile) cut points, or cut points the user gives. A value v
 * falls in the first bin b with v ≤ cuts[b], else in the last bin; a split "at bin b" sends
 * bins 0..b left, i.e. v ≤ cuts[b]. This is the histogram discretisation of LightGBM /
 * XGBoost-hist that SecureBoost (Cheng et al. 2019, §4) builds its encrypted histograms on.
 */
export interface Binned {
  /** Cut points per feature (ascending, distinct); bins per feature = cuts.length + 1. */
  cuts: Float64Array[];
  /** rows × features bin indices, row-major. */
  bins: Uint8Array;
  rows: number;
  features: number;
}

export const MAX_BINS = 256;

/** Equal-frequency cut points of one column (at most maxBins − 1, ties merged). */
export function quantileCuts(column: Float64Array, maxBins: number): Float64Array {
  const sorted = Float64Array.from(column).sort();
  const n = sorted.length;
  const cuts: number[] = [];
  for (let k = 1; k < maxBins; k++) {
    const i = Math.floor((k * n) / maxBins) - 1;
    if (i < 0 || i >= n - 1) continue;
    const v = sorted[i]!;
    if (v >= sorted[n - 1]!) continue; // nothing would go right
    if (cuts.length === 0 || v > cuts[cuts.length - 1]!) cuts.push(v);
  }
  return Float64Array.from(cuts);
}

export function binOf(cuts: Float64Array, v: number): number {
  let lo = 0, hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (v <= cuts[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Bins of a row-major rows × features matrix under the given cut points. */
export function applyCuts(X: Float64Array, rows: number, cuts: Float64Array[]): Uint8Array {
  const d = cuts.length;
  const out = new Uint8Array(rows * d);
  for (let r = 0; r < rows; r++) for (let f = 0; f < d; f++) out[r * d + f] = binOf(cuts[f]!, X[r * d + f]!);
  return out;
}

/** Quantile bins of every column (or the given cut points per column). */
export function binColumns(X: Float64Array, rows: number, features: number, maxBins: number, given?: Float64Array[]): Binned {
  if (maxBins < 2 || maxBins > MAX_BINS) throw new RangeError(`bins must be in [2, ${MAX_BINS}]`);
  const cuts = given ?? Array.from({ length: features }, (_, f) => {
    const col = new Float64Array(rows);
    for (let r = 0; r < rows; r++) col[r] = X[r * features + f]!;
    return quantileCuts(col, maxBins);
  });
  return { cuts, bins: applyCuts(X, rows, cuts), rows, features };
}
