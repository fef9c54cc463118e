// lr-predict against plaintext scoring, and debt-query exactly, on in-memory sessions.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { lrPredictMpc } from '../../src/algorithms/lr/predict.js';
import { scorePlaintext } from '../../src/algorithms/lr/plaintext.js';
import { debtQueryMpc } from '../../src/algorithms/debt-query.js';
import { randomArray, runSession } from '../support/session.js';

describe('lr-predict', () => {
  it('scores a batch with features at four institutions, equal to plaintext scoring within fixed-point error', async () => {
    const parties = ['bank', 'bureau', 'telco', 'lender'];
    const cols = [3, 4, 2, 5];
    const n = 25;
    const d = cols.reduce((a, b) => a + b);
    const feats = parties.map((_, i) => randomArray(n * cols[i]!, -3, 3, 100 + i));
    const model = { weights: Array.from(randomArray(d, -1, 1, 200)), intercept: -0.3 };
    const res = await runSession({ protocol: 'semi2k', compute: parties }, (mpc) => {
      const i = parties.indexOf(mpc.self);
      return lrPredictMpc(
        mpc,
        { featureParties: parties.map((p, k) => ({ party: p, columns: cols[k]! })), rows: n, receiver: 'lender', modelOwner: 'lender' },
        { features: feats[i], model: mpc.self === 'lender' ? model : undefined },
      );
    });
    const X = new Float64Array(n * d);
    for (let r = 0; r < n; r++) {
      let off = 0;
      parties.forEach((_, i) => {
        X.set(feats[i]!.subarray(r * cols[i]!, (r + 1) * cols[i]!), r * d + off);
        off += cols[i]!;
      });
    }
    const ref = scorePlaintext(X, n, d, model);
    const got = res.get('lender')!.scores!;
    ref.forEach((v, i) => assert.ok(Math.abs(v - got[i]!) < 2e-4, `score ${i}: ${got[i]} vs ${v}`));
    for (const p of ['bank', 'bureau', 'telco']) assert.equal(res.get(p)!.scores, undefined, `${p} sees no score`);
  });
});

describe('debt-query', () => {
  it('gives the receiver the exact total and count of lenders with debt, and nothing else', async () => {
    const lenders = ['l1', 'l2', 'l3', 'l4', 'l5'];
    const balances = [12345, 0, 0, 9_000_000_00, 1];
    const res = await runSession({ protocol: 'rep3', compute: ['l1', 'l2', 'l3'], extra: ['l4', 'l5', 'bureau'] }, (mpc) =>
      debtQueryMpc(mpc, { lenders, receiver: 'bureau' }, lenders.includes(mpc.self) ? balances[lenders.indexOf(mpc.self)] : undefined),
    );
    assert.deepEqual(res.get('bureau'), { total: 12345 + 9_000_000_00 + 1, lenders: 3 });
    for (const l of lenders) assert.deepEqual(res.get(l), {}, `${l} learns nothing`);
  });
});
