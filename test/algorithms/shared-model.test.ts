// A model kept secret-shared by lr-train (keepShared) scores applicants in a later session
// (lr-predict with sharedModel): no one ever sees the weights. Separate processes on TLS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { runLocalSession, type LocalParty } from '../../src/node/local/cluster.js';
import { readCsvTable, selectColumns } from '../../src/data/csv.js';
import { scorePlaintext, trainPlaintext } from '../../src/algorithms/lr/plaintext.js';

const data = fileURLToPath(new URL('../../../data/', import.meta.url));
const guest = `${data}breast_hetero_guest.csv`, host = `${data}breast_hetero_host.csv`;
const mpc = { protocol: 'rep3' as const, computeParties: ['guest', 'host', 'helper1'] };
const hyper = { epochs: 5, batchSize: 128, learningRate: 0.5, l2: 0, fitIntercept: true };

test('lr-train --keep-shared, then lr-predict with the shared model, equals plaintext scoring', async () => {
  const parties: LocalParty[] = [
    { id: 'guest', roles: ['data', 'compute', 'receiver'], local: { csv: guest } },
    { id: 'host', roles: ['data', 'compute'], local: { csv: host } },
    { id: 'helper1', roles: ['compute'] },
  ];
  const trained = await runLocalSession({ program: 'lr-train', params: { idColumn: 'id', labelParty: 'guest', labelColumn: 'y', receiver: 'guest', hyper, keepShared: true, metrics: false }, parties, mpc });
  assert.equal((trained.get('guest')!.output as { model?: unknown }).model, undefined, 'the model is not revealed');
  const applicants = ['133', '273', '175'];
  const predicted = await runLocalSession({
    program: 'lr-predict',
    params: { idColumn: 'id', receiver: 'guest', count: applicants.length, sharedModel: true },
    parties: parties.map((p) => ({ ...p, local: { ...p.local, modelShares: trained.get(p.id)!.keep?.['modelShares'], ...(p.id === 'guest' ? { applicants } : {}) } })),
    mpc,
  });
  const scores = (predicted.get('guest')!.output as { scores: number[] }).scores;
  // Plaintext: same rows (sorted ids, as PSI aligns), same hyperparameters.
  const g = readCsvTable(guest, { idColumn: 'id' }), h = readCsvTable(host, { idColumn: 'id' });
  const hRow = new Map(h.ids.map((id, i) => [id, i])), gRow = new Map(g.ids.map((id, i) => [id, i]));
  const ids = g.ids.filter((id) => hRow.has(id)).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const gCols = g.columns.filter((c) => c !== 'y');
  const d = gCols.length + h.columns.length;
  const gX = selectColumns(g, gCols), gY = selectColumns(g, ['y']), hX = selectColumns(h, h.columns);
  const row = (id: string) => {
    const out = new Float64Array(d);
    const gi = gRow.get(id)!, hi = hRow.get(id)!;
    out.set(gX.subarray(gi * gCols.length, (gi + 1) * gCols.length), 0);
    out.set(hX.subarray(hi * h.columns.length, (hi + 1) * h.columns.length), gCols.length);
    return out;
  };
  const X = new Float64Array(ids.length * d), y = new Float64Array(ids.length);
  ids.forEach((id, r) => {
    X.set(row(id), r * d);
    y[r] = gY[gRow.get(id)!]!;
  });
  const model = trainPlaintext(X, y, ids.length, d, hyper);
  applicants.forEach((id, i) => {
    const ref = scorePlaintext(row(id), 1, d, model)[0]!;
    assert.ok(Math.abs(scores[i]! - ref) < 5e-3, `applicant ${id}: ${scores[i]} vs plaintext ${ref}`);
  });
});
