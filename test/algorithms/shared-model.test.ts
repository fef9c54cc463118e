// A model kept secret-shared by lr-train (keepShared) scores applicants in a later session
// (lr-predict with sharedModel): no one ever sees the weights. Separate processes on TLS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { runLocalSession, type LocalParty } from '../../src/node/local/cluster.js';
import { readCsvTable } from '../../src/data/csv.js';
import { joinVertical } from '../../src/algorithms/lr/vertical-join.js';
import { scorePlaintext, trainPlaintextScaled } from '../../src/algorithms/lr/plaintext.js';

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
    params: { idColumn: 'id', receiver: 'guest', count: applicants.length, sharedModel: true, modelTask: 'local-train' },
    parties: parties.map((p) => ({ ...p, local: { ...p.local, modelShares: trained.get(p.id)!.keep?.['modelShares'], ...(p.id === 'guest' ? { applicants } : {}) } })),
    mpc,
  });
  const scores = (predicted.get('guest')!.output as { scores: number[] }).scores;
  // Plaintext: same rows (as PSI aligns them), same hyperparameters.
  const { X, y, d, ids } = joinVertical(readCsvTable(guest, { idColumn: 'id' }), readCsvTable(host, { idColumn: 'id' }), 'y');
  const row = (id: string) => X.subarray(ids.indexOf(id) * d, (ids.indexOf(id) + 1) * d);
  const model = trainPlaintextScaled(X, y, ids.length, d, hyper); // each owner scales its columns
  applicants.forEach((id, i) => {
    const ref = scorePlaintext(row(id), 1, d, model)[0]!;
    assert.ok(Math.abs(scores[i]! - ref) < 5e-3, `applicant ${id}: ${scores[i]} vs plaintext ${ref}`);
  });
});
