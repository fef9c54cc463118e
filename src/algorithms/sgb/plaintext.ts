/**
 * Plaintext histogram gradient boosting with the same trees, bins and hyperparameters as the
 * vertical protocol (`grow.ts` with local hooks): the reference the tests hold sgb-train to.
 */
import { growTree, logisticGradients, baseScore, type GrowHooks, type TreeNode } from './grow.js';
import type { SgbHyperparameters } from './hyper.js';

export interface PlainModel {
  base: number;
  trees: TreeNode[][];
}

/** Histograms of the given nodes from a full rows × features bin matrix. */
export function localHistograms(bins: Uint8Array, features: number, stride: number, g: Float64Array, h: Float64Array, sampled: Uint8Array | undefined, nodeOfRow: Int32Array, nodes: number[]): Float64Array[] {
  const slot = new Map(nodes.map((k, i) => [k, i]));
  const out = nodes.map(() => new Float64Array(features * stride * 2));
  for (let r = 0; r < g.length; r++) {
    const i = slot.get(nodeOfRow[r]!);
    if (i === undefined || (sampled && !sampled[r])) continue;
    const hist = out[i]!;
    const gr = g[r]!, hr = h[r]!;
    for (let f = 0; f < features; f++) {
      const at = (f * stride + bins[r * features + f]!) * 2;
      hist[at]! += gr;
      hist[at + 1]! += hr;
    }
  }
  return out;
}

/** Goes-left flags of each node's rows (ascending) for splits on locally held features. */
export function localPartition(bins: Uint8Array, features: number, nodeOfRow: Int32Array, splits: { node: number; feature: number; bin: number }[]): Uint8Array[] {
  const idx = new Map(splits.map((s, i) => [s.node, i]));
  const lists: number[][] = splits.map(() => []);
  for (let r = 0; r < nodeOfRow.length; r++) {
    const i = idx.get(nodeOfRow[r]!);
    if (i === undefined) continue;
    const s = splits[i]!;
    lists[i]!.push(bins[r * features + s.feature]! <= s.bin ? 1 : 0);
  }
  return lists.map((l) => Uint8Array.from(l));
}

export async function trainPlainSgb(bins: Uint8Array, rows: number, features: number, binsPerFeature: number[], y: ArrayLike<number>, hyper: SgbHyperparameters): Promise<{ model: PlainModel; scores: Float64Array }> {
  const base = baseScore(y);
  const scores = new Float64Array(rows).fill(base);
  const trees: TreeNode[][] = [];
  for (let t = 0; t < hyper.trees; t++) {
    const { g, h } = logisticGradients(scores, y);
    const hooks: GrowHooks = {
      histograms: async (nodeOfRow, nodes) => localHistograms(bins, features, hyper.bins, g, h, undefined, nodeOfRow, nodes),
      partition: async (nodeOfRow, splits) => localPartition(bins, features, nodeOfRow, splits),
    };
    const tree = await growTree(g, h, undefined, binsPerFeature, hyper, hooks);
    for (let r = 0; r < rows; r++) scores[r]! += tree.nodes[tree.leafOfRow[r]!]!.weight!;
    trees.push(tree.nodes);
  }
  return { model: { base, trees }, scores };
}
