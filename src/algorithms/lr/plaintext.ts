/**
 * Plaintext logistic regression and its metrics: the reference the MPC programs are
 * checked against (tests, `tacit run --verify`, benchmarks). Same hyperparameters, same
 * batch order, float64 throughout.
 */
export interface LrHyperparameters {
  epochs: number;
  learningRate: number;
  /** L2 penalty λ: the gradient gets + λ·w. */
  l2: number;
  /** Rows per mini-batch; 0 or ≥ n means full batch. */
  batchSize: number;
  fitIntercept: boolean;
}

export const DEFAULT_LR: LrHyperparameters = { epochs: 10, learningRate: 0.5, l2: 0, batchSize: 4096, fitIntercept: true };

export interface LrModel {
  weights: number[];
  intercept: number;
}

/** Contiguous batches [start, end) in row order. */
export function batches(n: number, batchSize: number): [number, number][] {
  const size = batchSize <= 0 || batchSize >= n ? n : batchSize;
  const out: [number, number][] = [];
  for (let s = 0; s < n; s += size) out.push([s, Math.min(n, s + size)]);
  return out;
}

/** Mini-batch gradient descent on X (n×d, row-major) and y ∈ {0,1}^n. */
export function trainPlaintext(X: Float64Array, y: ArrayLike<number>, n: number, d: number, h: LrHyperparameters): LrModel {
  const w = new Float64Array(d);
  let b = 0;
  const g = new Float64Array(d);
  for (let epoch = 0; epoch < h.epochs; epoch++) {
    for (const [s, e] of batches(n, h.batchSize)) {
      const m = e - s;
      g.fill(0);
      let gb = 0;
      for (let i = s; i < e; i++) {
        let z = b;
        for (let j = 0; j < d; j++) z += X[i * d + j]! * w[j]!;
        const err = 1 / (1 + Math.exp(-z)) - y[i]!;
        for (let j = 0; j < d; j++) g[j]! += err * X[i * d + j]!;
        gb += err;
      }
      for (let j = 0; j < d; j++) w[j] = w[j]! * (1 - h.learningRate * h.l2) - (h.learningRate / m) * g[j]!;
      if (h.fitIntercept) b -= (h.learningRate / m) * gb;
    }
  }
  return { weights: Array.from(w), intercept: b };
}

export function scorePlaintext(X: Float64Array, n: number, d: number, model: LrModel): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let z = model.intercept;
    for (let j = 0; j < d; j++) z += X[i * d + j]! * model.weights[j]!;
    out[i] = 1 / (1 + Math.exp(-z));
  }
  return out;
}

/** AUC with ties averaged (Mann–Whitney U) and KS = max(TPR − FPR). */
export function aucKsPlaintext(scores: ArrayLike<number>, labels: ArrayLike<number>): { auc: number; ks: number } {
  const n = scores.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let P = 0;
  for (let i = 0; i < n; i++) P += labels[i]! > 0.5 ? 1 : 0;
  const N = n - P;
  let rankSum = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[idx[j + 1]!] === scores[idx[i]!]) j++;
    const avg = (i + j + 2) / 2;
    for (let t = i; t <= j; t++) if (labels[idx[t]!]! > 0.5) rankSum += avg;
    i = j + 1;
  }
  const auc = (rankSum - (P * (P + 1)) / 2) / (P * N);
  // KS over thresholds between distinct scores, from the top.
  let tp = 0, fp = 0, ks = 0;
  for (let i = n - 1; i >= 0; ) {
    let j = i;
    while (j - 1 >= 0 && scores[idx[j - 1]!] === scores[idx[i]!]) j--;
    for (let t = j; t <= i; t++) (labels[idx[t]!]! > 0.5 ? tp++ : fp++);
    ks = Math.max(ks, tp / P - fp / N);
    i = j - 1;
  }
  return { auc, ks };
}

/**
 * The reference for lr-train with local scaling: every column centred on its mean and
 * divided by 2^round(log2 std) (population std over the given rows), trained with
 * `trainPlaintext`, and the model moved back to the original scale
 * (wⱼ = w'ⱼ/2^eⱼ, b = b' − Σ w'ⱼ·μⱼ/2^eⱼ). Written apart from the program's own scaling
 * (`programs/local-data.ts`) so that the two check each other.
 */
export function trainPlaintextScaled(X: Float64Array, y: ArrayLike<number>, n: number, d: number, h: LrHyperparameters): LrModel & { scaleExponents: number[] } {
  const mu = new Float64Array(d);
  const e = new Array<number>(d).fill(0);
  for (let j = 0; j < d; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += X[i * d + j]!;
    mu[j] = s / n;
    let v = 0;
    for (let i = 0; i < n; i++) v += (X[i * d + j]! - mu[j]!) ** 2;
    const std = Math.sqrt(v / n);
    e[j] = (std > 0 ? Math.round(Math.log2(std)) : mu[j] !== 0 ? Math.round(Math.log2(Math.abs(mu[j]!))) : 0) + 0;
  }
  const Xs = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) Xs[i * d + j] = (X[i * d + j]! - mu[j]!) / 2 ** e[j]!;
  const m = trainPlaintext(Xs, y, n, d, h);
  let b = m.intercept;
  for (let j = 0; j < d; j++) b -= (m.weights[j]! * mu[j]!) / 2 ** e[j]!;
  return { weights: m.weights.map((w, j) => w / 2 ** e[j]!), intercept: b, scaleExponents: e };
}
