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
  /** Who inputs the model (when it is not already shared or public). */
  modelOwner?: string;
  /** A model every party knows ([w…, b], e.g. one the data owners approved), used as a constant. */
  publicModel?: ArrayLike<number>;
  /**
   * Parties that say, per row, whether they hold it: a row some of them lack is reported
   * missing to the receiver (and only to it) and its score is not opened.
   */
  presence?: string[];
}

export interface LrPredictLocal {
  features?: Float64Array;
  model?: LrModel;
  /** Per row, 1 when this party holds it (presence parties). */
  present?: Uint8Array;
}

export async function lrPredictMpc(
  mpc: Mpc,
  spec: LrPredictSpec,
  local: LrPredictLocal,
  sharedModel?: SecretTensor,
): Promise<{ scores?: Float64Array; missing?: boolean[] }> {
  const n = spec.rows;
  const d = spec.featureParties.reduce((s, p) => s + p.columns, 0);
  let wb = sharedModel;
  if (!wb && spec.publicModel) {
    if (spec.publicModel.length !== d + 1) throw new LrInputError(`the model must have ${d} weights (one per feature column) and an intercept`);
    wb = mpc.constant(spec.publicModel, [d + 1]);
  }
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
  let z = mpc.add(await mpc.matmul(X, w), mpc.rows(b, new Int32Array(n)).reshape([n, 1]));
  let missing: boolean[] | undefined;
  if (spec.presence?.length) {
    // held by all ⇔ Σ present = P; missing = [Σ present − P < 0]. Only the receiver learns
    // it (not who lacks the row), and a missing row's partial logit is zeroed, never opened.
    const P = spec.presence.length;
    const bits = await mpc.inputMany(spec.presence.map((owner) => ({ owner, values: owner === mpc.self ? local.present : undefined, shape: [n], dtype: 'int' as const })));
    const held = mpc.sum(mpc.concat(bits).reshape([P, n]), 0);
    const miss = await mpc.ltz(mpc.sub(held, mpc.constant(new Array<number>(n).fill(P), [n], 'int')));
    z = await mpc.mul(z.reshape([n]), mpc.not(miss));
    const opened = await mpc.reveal(miss, spec.receiver);
    if (opened) missing = Array.from(opened, (v) => v === 1);
  }
  const logits = await mpc.reveal(z, spec.receiver);
  if (!logits) return {};
  return { scores: logits.map((v) => 1 / (1 + Math.exp(-v))), ...(missing ? { missing } : {}) };
}
