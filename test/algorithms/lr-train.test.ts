// lr-train under MPC on the breast-cancer vertical split, against plaintext training with
// the same hyperparameters, computed here; AUC must agree within 0.005.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { readCsvTable, selectColumns } from '../../src/data/csv.js';
import { lrTrainMpc } from '../../src/algorithms/lr/train.js';
import { aucKsPlaintext, scorePlaintext, trainPlaintext, type LrHyperparameters } from '../../src/algorithms/lr/plaintext.js';
import { runSession, type TestSession } from '../support/session.js';

const shared = fileURLToPath(new URL('../../../data/', import.meta.url));

function loadBreast() {
  const guest = readCsvTable(shared + 'breast_hetero_guest.csv', { idColumn: 'id' });
  const host = readCsvTable(shared + 'breast_hetero_host.csv', { idColumn: 'id' });
  // Align by id (the PSI test covers private alignment): sorted common ids.
  const hostRow = new Map(host.ids.map((id, i) => [id, i]));
  const common = guest.ids.filter((id) => hostRow.has(id)).sort();
  const gRow = new Map(guest.ids.map((id, i) => [id, i]));
  const gCols = guest.columns.filter((c) => c !== 'y');
  const gX = selectColumns(guest, gCols), gY = selectColumns(guest, ['y']), hX = selectColumns(host, host.columns);
  const n = common.length, dg = gCols.length, dh = host.columns.length;
  const guestX = new Float64Array(n * dg), hostX = new Float64Array(n * dh), y = new Float64Array(n);
  common.forEach((id, r) => {
    const gi = gRow.get(id)!, hi = hostRow.get(id)!;
    guestX.set(gX.subarray(gi * dg, (gi + 1) * dg), r * dg);
    hostX.set(hX.subarray(hi * dh, (hi + 1) * dh), r * dh);
    y[r] = gY[gi]!;
  });
  return { n, dg, dh, guestX, hostX, y };
}

const baseHyper: LrHyperparameters = { epochs: 10, learningRate: 0.5, l2: 0.001, batchSize: 128, fitIntercept: true };

const sessions: (TestSession & { hyper?: LrHyperparameters })[] = [
  { protocol: 'rep3', compute: ['guest', 'host', 'helper'] },
  { protocol: 'semi2k', compute: ['guest', 'host'], extra: [], dealer: 'dealer' },
  // Dealer-free: the two data parties alone, correlations from OT (fewer epochs: every
  // operation makes its own triples, which costs more than the dealer's).
  { protocol: 'semi2k', compute: ['guest', 'host'], extra: [], ot: true, hyper: { ...baseHyper, epochs: 3 } },
];

for (const s of sessions) {
  const hyper = s.hyper ?? baseHyper;
  describe(`lr-train on breast: ${s.protocol}${s.ot ? ' (OT preprocessing, two parties only)' : ''}`, () => {
    it('reaches the plaintext AUC within 0.005 and the plaintext weights within 1e-2', async () => {
      const data = loadBreast();
      const { n, dg, dh } = data;
      const res = await runSession(s, (mpc) =>
        lrTrainMpc(
          mpc,
          { featureParties: [{ party: 'guest', columns: dg }, { party: 'host', columns: dh }], labelParty: 'guest', rows: n, receiver: 'guest', hyper },
          mpc.self === 'guest' ? { features: data.guestX, labels: data.y } : mpc.self === 'host' ? { features: data.hostX } : {},
        ),
      );
      const out = res.get('guest')!;
      assert.ok(out.model && out.metrics, 'the receiver gets the model and metrics');
      assert.equal(res.get('host')!.model, undefined, 'the host learns no model');
      assert.equal(res.get('host')!.metrics, undefined, 'the host learns no metrics');
      // Plaintext reference with the same hyperparameters.
      const d = dg + dh;
      const X = new Float64Array(n * d);
      for (let r = 0; r < n; r++) {
        X.set(data.guestX.subarray(r * dg, (r + 1) * dg), r * d);
        X.set(data.hostX.subarray(r * dh, (r + 1) * dh), r * d + dg);
      }
      const ref = trainPlaintext(X, data.y, n, d, hyper);
      const refMetrics = aucKsPlaintext(scorePlaintext(X, n, d, ref), data.y);
      const mpcScores = scorePlaintext(X, n, d, out.model);
      const mpcPlainMetrics = aucKsPlaintext(mpcScores, data.y);
      assert.ok(Math.abs(out.metrics.auc - refMetrics.auc) < 0.005, `AUC ${out.metrics.auc} vs plaintext ${refMetrics.auc}`);
      assert.ok(Math.abs(out.metrics.ks - refMetrics.ks) < 0.02, `KS ${out.metrics.ks} vs plaintext ${refMetrics.ks}`);
      assert.ok(Math.abs(out.metrics.auc - mpcPlainMetrics.auc) < 1e-3, `AUC under MPC ${out.metrics.auc} vs the same model scored in plaintext ${mpcPlainMetrics.auc}`);
      ref.weights.forEach((w, j) => assert.ok(Math.abs(w - out.model!.weights[j]!) < 1e-2, `w[${j}] ${out.model!.weights[j]} vs ${w}`));
      assert.ok(Math.abs(ref.intercept - out.model.intercept) < 1e-2);
    });
  });
}

describe('lr-train on breast: ROC and KS curves (curvePoints)', () => {
  it('reveals the rates at each cut-off to the receiver only, matching the same model scored in plaintext', async () => {
    const data = loadBreast();
    const { n, dg, dh } = data;
    const hyper = { ...baseHyper, epochs: 3 };
    const m = 10;
    const res = await runSession({ protocol: 'rep3', compute: ['guest', 'host', 'helper'] }, (mpc) =>
      lrTrainMpc(
        mpc,
        { featureParties: [{ party: 'guest', columns: dg }, { party: 'host', columns: dh }], labelParty: 'guest', rows: n, receiver: 'guest', hyper, curvePoints: m },
        mpc.self === 'guest' ? { features: data.guestX, labels: data.y } : mpc.self === 'host' ? { features: data.hostX } : {},
      ),
    );
    const out = res.get('guest')!;
    assert.equal(res.get('host')!.metrics, undefined, 'the host learns no curve');
    const curve = out.metrics!.curve!;
    assert.equal(curve.tpr.length, m + 1);
    // Reference: the opened model's scores in plaintext, the top share of rows at each cut-off.
    const d = dg + dh;
    const X = new Float64Array(n * d);
    for (let r = 0; r < n; r++) {
      X.set(data.guestX.subarray(r * dg, (r + 1) * dg), r * d);
      X.set(data.hostX.subarray(r * dh, (r + 1) * dh), r * d + dg);
    }
    const scores = scorePlaintext(X, n, d, out.model!);
    const order = Array.from(scores.keys()).sort((a, b) => scores[b]! - scores[a]!);
    const P = data.y.reduce((s, v) => s + v, 0), N = n - P;
    for (let j = 0; j <= m; j++) {
      const top = n - (n - Math.round((n * j) / m));
      const tp = order.slice(0, top).reduce((s, i) => s + data.y[i]!, 0);
      assert.ok(Math.abs(curve.population[j]! - top / n) < 1e-12);
      assert.ok(Math.abs(curve.tpr[j]! - tp / P) < 0.02, `TPR at ${j}/${m}: ${curve.tpr[j]} vs ${tp / P}`);
      assert.ok(Math.abs(curve.fpr[j]! - (top - tp) / N) < 0.02, `FPR at ${j}/${m}: ${curve.fpr[j]} vs ${(top - tp) / N}`);
    }
    // The curve agrees with the AUC and KS revealed beside it.
    const ksFromCurve = Math.max(...curve.tpr.map((t, j) => t - curve.fpr[j]!));
    assert.ok(ksFromCurve <= out.metrics!.ks + 0.02, `KS ${out.metrics!.ks} ≥ max over the cut-offs ${ksFromCurve}`);
    assert.equal(curve.tpr[0], 0);
    assert.ok(Math.abs(curve.tpr[m]! - 1) < 1e-3 && Math.abs(curve.fpr[m]! - 1) < 1e-3);
  });
});
