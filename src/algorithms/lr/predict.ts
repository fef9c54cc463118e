/**
 * `lr-predict`: scores one applicant or a batch with a logistic-regression model whose
 * features sit at several institutions. Each institution secret-shares its columns for the
 * rows to score; the model comes from its owner as a secret input (or is already
 * secret-shared, e.g. left by `lr-train --keep-shared`); σ(X·w + b) is computed on shares
 * and opened to the receiver only. Nobody else learns a score, a feature or the model.
 *
 * The receiver is given the logit z = X·w + b and applies σ itself: σ is a bijection, so z
 * tells it exactly what σ(z) does and nothing more, and the ~57 rounds of a sigmoid under
 * MPC are saved. One input round, one matrix–vector product, one opening (~6 rounds).
 */
import type { Mpc } from '../../mpc/engine.js';
import type { SecretTensor } from '../../mpc/tensor.js';
import { LrInputError } from './train.js';
import type { LrModel } from './plaintext.js';

export interface LrPredictSpec {
  featureParties: { party: string; columns: number }[];
  rows: number;
  receiver: string;
  /** Who inputs the model (when it is not already shared). */
  modelOwner?: string;
}

export interface LrPredictLocal {
  features?: Float64Array;
  model?: LrModel;
}

export async function lrPredictMpc(
  mpc: Mpc,
  spec: LrPredictSpec,
  local: LrPredictLocal,
  sharedModel?: SecretTensor,
): Promise<{ scores?: Float64Array }> {
  const n = spec.rows;
  const d = spec.featureParties.reduce((s, p) => s + p.columns, 0);
  let wb = sharedModel;
  if (!wb) {
    if (!spec.modelOwner) throw new LrInputError('lr-predict needs a model owner or a shared model');
    let values: Float64Array | undefined;
    if (spec.modelOwner === mpc.self) {
      const m = local.model;
      if (!m || m.weights.length !== d) throw new LrInputError(`the model must have ${d} weights (one per feature column)`);
      values = Float64Array.from([...m.weights, m.intercept]);
    }
    wb = await mpc.input(spec.modelOwner, values, [d + 1]);
  }
  for (const { party, columns } of spec.featureParties) {
    if (party === mpc.self && (!local.features || local.features.length !== n * columns)) {
      throw new LrInputError(`party ${party} must provide ${n}×${columns} feature values`);
    }
  }
  const blocks = await mpc.inputMany(spec.featureParties.map(({ party, columns }) => ({ owner: party, values: local.features, shape: [n, columns] })));
  const X = blocks.length === 1 ? blocks[0]! : mpc.hconcat(blocks);
  const [w, b] = mpc.split(wb.reshape([d + 1]), [[d, 1], [1]]) as [SecretTensor, SecretTensor];
  const z = mpc.add(await mpc.matmul(X, w), mpc.rows(b, new Int32Array(n)).reshape([n, 1]));
  const logits = await mpc.reveal(z, spec.receiver);
  return logits ? { scores: logits.map((v) => 1 / (1 + Math.exp(-v))) } : {};
}
