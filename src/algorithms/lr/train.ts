/**
 * `lr-train`: vertical (feature-partitioned) logistic regression trained under MPC.
 *
 * Institutions hold different columns of the same rows (aligned beforehand by PSI), one of
 * them the labels. Every column and the labels are secret-shared once; mini-batch
 * gradient descent then runs entirely on shares — the SecureML recipe (Mohassel & Zhang,
 * S&P 2017) with a true sigmoid (see `mpc/functions/sigmoid.ts`) instead of a piecewise
 * stand-in, so the trained model follows plaintext training to fixed-point precision.
 * Per batch: one matrix–vector product, one sigmoid, one vector–matrix product (eᵀX, so no
 * transpose is needed) and one truncated update — about 70 rounds whatever the batch size.
 *
 * The model goes only to the receiver, or stays secret-shared for `lr-predict`. AUC and KS
 * on the training rows are computed under MPC (`metrics/auc-ks.ts`) and revealed to the
 * receiver only.
 */
import { TacitError } from '../../errors.js';
import type { Mpc } from '../../mpc/engine.js';
import type { SecretTensor } from '../../mpc/tensor.js';
import { aucKsUnderMpc, type AucKs } from '../metrics/auc-ks.js';
import { batches, type LrHyperparameters, type LrModel } from './plaintext.js';

export interface LrTrainSpec {
  /** Parties holding feature columns, in model column order, with their column counts. */
  featureParties: { party: string; columns: number }[];
  /** The party holding the 0/1 labels. */
  labelParty: string;
  rows: number;
  receiver: string;
  hyper: LrHyperparameters;
  /** Keep the model secret-shared (returned as shares) instead of revealing it. */
  keepShared?: boolean;
  /** Compute AUC and KS under MPC (default true). */
  metrics?: boolean;
  /** Also reveal the ROC and KS curves at this many cut-offs (default 0: none; see metrics/auc-ks.ts). */
  curvePoints?: number;
  /** The sigmoid under MPC (default `piecewise`: 21 rounds, < 6e-5 from σ). */
  sigmoid?: 'exact' | 'piecewise';
  /**
   * Features were centred by their owners (x' = (x − μ)/2^e): the intercept is moved back
   * with b = b' − Σ w'ⱼ·μⱼ/2^eⱼ under MPC (each owner inputs its offsets), so the opened
   * (or kept) intercept is on the original scale; the weights stay per 2^e unit.
   */
  centred?: boolean;
  /** Reveal the model to the receiver even when it is kept shared. */
  revealModel?: boolean;
}

export interface LrLocalData {
  /** This party's feature columns, rows × columns, row-major (feature parties only). */
  features?: Float64Array;
  /** 0/1 labels (label party only). */
  labels?: Float64Array;
  /**
   * With `spec.centred`: per own column, mean/2^e of the original column (see
   * `programs/local-data.ts`), to move the intercept back to the original scale.
   */
  offsets?: Float64Array;
}

export interface LrTrainResult {
  /** Wall time of each phase at this party, seconds. */
  timings: { input: number; train: number; metrics: number };
  /** At the receiver, unless kept shared. */
  model?: LrModel;
  /** At the receiver. */
  metrics?: AucKs;
  /** Shares of [w…, b] at the compute parties when kept shared. */
  shared?: SecretTensor;
}

export type Progress = (phase: string, done: number, total: number) => void;

export class LrInputError extends TacitError {
  override name = 'LrInputError';
}

export async function lrTrainMpc(mpc: Mpc, spec: LrTrainSpec, local: LrLocalData, progress?: Progress): Promise<LrTrainResult> {
  const n = spec.rows;
  const d = spec.featureParties.reduce((s, p) => s + p.columns, 0);
  if (n < 2) throw new LrInputError('lr-train needs at least 2 aligned rows', { hint: 'Check the PSI result: the parties may share almost no ids.' });
  if (d < 1) throw new LrInputError('lr-train needs at least one feature column');
  const h = spec.hyper;

  // Inputs: each feature party's block, then the labels (int 0/1).
  for (const { party, columns } of spec.featureParties) {
    if (party === mpc.self && (!local.features || local.features.length !== n * columns)) {
      throw new LrInputError(`party ${party} must provide ${n}×${columns} feature values`);
    }
  }
  if (spec.labelParty === mpc.self) {
    const y = local.labels;
    if (!y || y.length !== n) throw new LrInputError(`party ${spec.labelParty} must provide ${n} labels`);
    for (let i = 0; i < n; i++) {
      // No row number: this message may reach peers (the program reports the file line locally).
      if (y[i] !== 0 && y[i] !== 1) throw new LrInputError('the labels must be 0 or 1', { hint: 'Binary logistic regression needs 0/1 labels.' });
    }
  }
  const tIn = performance.now();
  const inputs = await mpc.inputMany([
    ...spec.featureParties.map(({ party, columns }) => ({ owner: party, values: local.features, shape: [n, columns] })),
    { owner: spec.labelParty, values: local.labels, shape: [n], dtype: 'int' as const },
  ]);
  const yInt = inputs.pop()!;
  const X = inputs.length === 1 ? inputs[0]! : mpc.hconcat(inputs);
  const y = mpc.toFxp(yInt);

  progress?.('input', 1, 1);
  const tTrain = performance.now();
  let w = mpc.constant(new Float64Array(d), [d, 1]);
  let b = mpc.constant([0], [1]);
  const plan = batches(n, h.batchSize);
  const total = plan.length * h.epochs;
  let step = 0;
  for (let epoch = 0; epoch < h.epochs; epoch++) {
    for (const [s, e] of plan) {
      const m = e - s;
      const idx = Int32Array.from({ length: m }, (_, i) => s + i);
      const Xb = mpc.rows(X, idx);
      const z = mpc.add(await mpc.matmul(Xb, w), mpc.rows(b, new Int32Array(m)).reshape([m, 1]));
      const p = await mpc.sigmoid(z, { method: spec.sigmoid ?? 'piecewise' });
      const err = mpc.sub(p, mpc.rows(y, idx).reshape([m, 1]));
      const g = await mpc.matmul(err.reshape([1, m]), Xb); // 1×d = eᵀ·X_b
      const steps = await mpc.mulPublic(mpc.concat([g, mpc.sum(err)]), -h.learningRate / m);
      const [dw, db] = mpc.split(steps, [[d, 1], [1]]) as [SecretTensor, SecretTensor];
      if (h.l2 > 0) w = await mpc.mulPublic(w, 1 - h.learningRate * h.l2);
      w = mpc.add(w, dw);
      if (h.fitIntercept) b = mpc.add(b, db);
      progress?.('train', ++step, total);
    }
  }

  const tMetrics = performance.now();
  const result: LrTrainResult = { timings: { input: (tTrain - tIn) / 1000, train: (tMetrics - tTrain) / 1000, metrics: 0 } };
  let bOut = b;
  if (spec.centred) {
    for (const { party, columns } of spec.featureParties) {
      if (party === mpc.self && (!local.offsets || local.offsets.length !== columns)) throw new LrInputError(`party ${party} must provide ${columns} column offsets`);
    }
    const offs = await mpc.inputMany(spec.featureParties.map(({ party, columns }) => ({ owner: party, values: local.offsets, shape: [columns] })));
    const c = offs.length === 1 ? offs[0]! : mpc.concat(offs);
    // Elementwise products, truncated one by one, then summed: no accumulation at 2^2f.
    bOut = mpc.sub(b, mpc.sum(await mpc.mul(w.reshape([d]), c)).reshape([1]));
  }
  const wb = mpc.concat([w, bOut]);
  if (spec.keepShared) result.shared = wb;
  if (!spec.keepShared || spec.revealModel) {
    const opened = await mpc.reveal(wb, spec.receiver);
    if (opened) result.model = { weights: Array.from(opened.subarray(0, d)), intercept: opened[d]! };
  }
  if (spec.metrics ?? true) {
    // Ranking by the logit equals ranking by σ(logit) (σ is increasing): no sigmoid needed.
    // On the centred features (X'w' + b'): the same ranking as the original-scale model.
    const logits = mpc.add(await mpc.matmul(X, w), mpc.rows(b, new Int32Array(n)).reshape([n, 1]));
    const metrics = await aucKsUnderMpc(mpc, logits.reshape([n]), yInt, spec.receiver, (done, all) => progress?.('metrics', done, all), spec.curvePoints ?? 0);
    if (metrics) result.metrics = metrics;
  }
  result.timings.metrics = (performance.now() - tMetrics) / 1000;
  return result;
}
