/**
 * Growing one regression tree on gradients, level by level, as the label holder does in
 * SecureBoost (Cheng et al. 2019, Alg. 1–2): it knows g, h and every node's instance space;
 * histograms of the features (its own in plaintext, the other parties' from decrypted
 * encrypted sums) come through `GrowHooks`, as do the partitions of a node by a split whose
 * threshold only the feature's owner knows. The plaintext reference (`plaintext.ts`) grows
 * with the same code and local hooks, so the two differ only in the arithmetic of the
 * histograms (fixed point under encryption).
 *
 * Histogram subtraction (SecureBoost+, Chen et al. 2021 §4.3; LightGBM): of two siblings only
 * the one with fewer rows is built, the other is its parent's histogram minus it.
 * Layout of a histogram: features × bins × (G, H), bins padded to `hyper.bins`.
 */
import type { SgbHyperparameters } from './hyper.js';

export interface SplitRequest {
  node: number;
  /** Global feature index (parties' features concatenated in party order). */
  feature: number;
  bin: number;
}

export interface GrowHooks {
  /** Histograms of the given nodes over the sampled rows (`nodeOfRow` says where each row is). */
  histograms(nodeOfRow: Int32Array, nodes: number[]): Promise<Float64Array[]>;
  /** For each split, a flag per row of its node (ascending row order): 1 = goes left. */
  partition(nodeOfRow: Int32Array, splits: SplitRequest[]): Promise<Uint8Array[]>;
}

export interface TreeNode {
  split?: { feature: number; bin: number };
  left?: number;
  right?: number;
  weight?: number;
}

export interface GrownTree {
  nodes: TreeNode[];
  /** The leaf each row ends in (every row, sampled or not). */
  leafOfRow: Int32Array;
}

export interface BestSplit {
  feature: number;
  bin: number;
  gain: number;
}

/** The best split of one node from its histogram (first maximum in feature, bin order). */
export function bestSplit(hist: Float64Array, binsPerFeature: readonly number[], stride: number, G: number, H: number, hyper: SgbHyperparameters): BestSplit | undefined {
  const lam = hyper.l2, mcw = hyper.minChildWeight;
  const parent = (G * G) / (H + lam);
  let best: BestSplit | undefined;
  for (let f = 0; f < binsPerFeature.length; f++) {
    let GL = 0, HL = 0;
    const base = f * stride * 2;
    for (let b = 0; b < binsPerFeature[f]! - 1; b++) {
      GL += hist[base + 2 * b]!;
      HL += hist[base + 2 * b + 1]!;
      const GR = G - GL, HR = H - HL;
      if (HL < mcw || HR < mcw) continue;
      const gain = 0.5 * ((GL * GL) / (HL + lam) + (GR * GR) / (HR + lam) - parent) - hyper.minSplitGain;
      if (gain > 1e-12 && (!best || gain > best.gain)) best = { feature: f, bin: b, gain };
    }
  }
  return best;
}

export async function growTree(
  g: Float64Array,
  h: Float64Array,
  sampled: Uint8Array | undefined,
  binsPerFeature: readonly number[],
  hyper: SgbHyperparameters,
  hooks: GrowHooks,
): Promise<GrownTree> {
  const n = g.length;
  const stride = hyper.bins;
  const nodeOfRow = new Int32Array(n);
  const nodes: TreeNode[] = [{}];
  const G = [0], H = [0], count = [0];
  for (let r = 0; r < n; r++) {
    if (sampled && !sampled[r]) continue;
    G[0]! += g[r]!;
    H[0]! += h[r]!;
    count[0]!++;
  }
  const hist = new Map<number, Float64Array>();
  const parentOf = new Map<number, number>();
  const siblingOf = new Map<number, number>();
  let frontier = [0];
  for (let level = 0; level < hyper.depth && frontier.length; level++) {
    const cand = frontier.filter((k) => count[k]! >= 2 && H[k]! >= 2 * hyper.minChildWeight);
    if (!cand.length) break;
    // Which histograms to build: the root, or the smaller of each pair of siblings.
    const want = new Set<number>();
    for (const k of cand) {
      if (k === 0) want.add(0);
      else {
        const s = siblingOf.get(k)!;
        want.add(count[s]! < count[k]! || (count[s] === count[k] && s < k) ? s : k);
      }
    }
    const requested = [...want].sort((a, b) => a - b);
    const built = await hooks.histograms(nodeOfRow, requested);
    requested.forEach((k, i) => hist.set(k, built[i]!));
    for (const k of requested) {
      if (k === 0) continue;
      const s = siblingOf.get(k)!;
      if (hist.has(s)) continue;
      const p = hist.get(parentOf.get(k)!)!, mine = hist.get(k)!;
      const other = new Float64Array(p.length);
      for (let i = 0; i < p.length; i++) other[i] = p[i]! - mine[i]!;
      hist.set(s, other);
    }
    const splits: SplitRequest[] = [];
    for (const k of cand) {
      const best = bestSplit(hist.get(k)!, binsPerFeature, stride, G[k]!, H[k]!, hyper);
      if (best) splits.push({ node: k, feature: best.feature, bin: best.bin });
    }
    // Parents' histograms are no longer needed once their children have theirs.
    for (const k of frontier) if (k !== 0) hist.delete(parentOf.get(k)!);
    if (!splits.length) break;
    const flags = await hooks.partition(nodeOfRow, splits);
    const splitIndex = new Map(splits.map((s, i) => [s.node, i]));
    const cursor = new Int32Array(splits.length);
    const next: number[] = [];
    const leftOf = new Int32Array(splits.length), rightOf = new Int32Array(splits.length);
    splits.forEach((s, i) => {
      const l = nodes.length, r = l + 1;
      nodes.push({}, {});
      nodes[s.node]!.split = { feature: s.feature, bin: s.bin };
      nodes[s.node]!.left = l;
      nodes[s.node]!.right = r;
      G.push(0, 0), H.push(0, 0), count.push(0, 0);
      parentOf.set(l, s.node), parentOf.set(r, s.node), siblingOf.set(l, r), siblingOf.set(r, l);
      leftOf[i] = l;
      rightOf[i] = r;
      next.push(l, r);
    });
    for (let r = 0; r < n; r++) {
      const i = splitIndex.get(nodeOfRow[r]!);
      if (i === undefined) continue;
      const child = flags[i]![cursor[i]!++]! ? leftOf[i]! : rightOf[i]!;
      nodeOfRow[r] = child;
      if (sampled && !sampled[r]) continue;
      G[child]! += g[r]!;
      H[child]! += h[r]!;
      count[child]!++;
    }
    frontier = next;
  }
  for (let k = 0; k < nodes.length; k++) {
    if (!nodes[k]!.split) nodes[k]!.weight = (-hyper.learningRate * G[k]!) / (H[k]! + hyper.l2);
  }
  return { nodes, leafOfRow: nodeOfRow };
}

/** Logistic-loss gradients and hessians at raw scores F: g = σ(F) − y, h = σ(F)(1 − σ(F)). */
export function logisticGradients(scores: Float64Array, y: ArrayLike<number>): { g: Float64Array; h: Float64Array } {
  const n = scores.length;
  const g = new Float64Array(n), h = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const p = 1 / (1 + Math.exp(-scores[i]!));
    g[i] = p - y[i]!;
    h[i] = Math.max(p * (1 - p), 1e-16);
  }
  return { g, h };
}

/** log(p̄ / (1 − p̄)) of the labels: the starting score. */
export function baseScore(y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += y[i]!;
  const p = Math.min(Math.max(s / y.length, 1e-6), 1 - 1e-6);
  return Math.log(p / (1 - p));
}
