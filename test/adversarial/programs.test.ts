// Attacks on the programs played with real party processes on loopback TLS (the local
// runner, as `tacit run` starts them); the chain-level versions, against node daemons, are
// in the other adversarial tests. Each attack must end with a clear, typed refusal that
// names parameters, columns or bounds (never a value), every process gone, nothing learnt.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runLocalSession, type LocalParty } from '../../src/node/local/cluster.js';
import { modelHashOf } from '../../src/algorithms/programs/lr-predict.js';
import { readCsvTable } from '../../src/data/csv.js';
import { joinVertical } from '../../src/algorithms/lr/vertical-join.js';
import { scorePlaintext } from '../../src/algorithms/lr/plaintext.js';

const data = fileURLToPath(new URL('../../../data/', import.meta.url));
const G = `${data}breast_hetero_guest.csv`, H = `${data}breast_hetero_host.csv`;
const mpc = { protocol: 'rep3' as const, computeParties: ['guest', 'host', 'helper1'] };
const parties = (receiverLocal: Record<string, unknown>, receiver = 'bank'): LocalParty[] => [
  { id: 'guest', roles: ['data', 'compute'], local: { csv: G } },
  { id: 'host', roles: ['data', 'compute'], local: { csv: H } },
  { id: 'helper1', roles: ['compute'] },
  { id: receiver, roles: ['receiver'], local: receiverLocal },
];
const features = [...readCsvTable(G, { idColumn: 'id' }).columns.filter((c) => c !== 'y').map((c) => `guest.${c}`), ...readCsvTable(H, { idColumn: 'id' }).columns.map((c) => `host.${c}`)];
const applicants = ['133', '273'];

/** The session must fail (not hang, not crash) with a message matching `re`; returns it. */
async function refused(run: Promise<unknown>, re: RegExp): Promise<string> {
  const t0 = Date.now();
  const err = await run.then(
    () => assert.fail('the attack was not refused'),
    (e: Error) => e,
  );
  assert.equal(err.name, 'LocalSessionError', `a clear session error, not a crash: ${err.stack}`);
  assert.match(err.message, re);
  assert.ok(Date.now() - t0 < 120_000, 'refused promptly, no party left waiting');
  return err.message;
}

test('a one-hot lr-predict model from the receiver is refused; an approved model cannot be swapped for one', async () => {
  // The attack: weight 1 on one feature, 0 elsewhere — the "score" would read host.x3 out.
  const oneHot = { weights: features.map((f) => (f === 'host.x3' ? 1 : 0)), intercept: 0, features };
  const msg = await refused(
    runLocalSession({ program: 'lr-predict', params: { idColumn: 'id', receiver: 'bank', count: 2 }, parties: parties({ applicants, model: oneHot }), mpc }),
    /refuses the lr-predict task: .*never the receiver's own weights/,
  );
  assert.ok(!/0\.\d{3}/.test(msg), 'no score or feature value in the message');
  // The data owners approved model A; the receiver names A's hash but inputs the one-hot model.
  const approved = { weights: features.map((_, j) => (j % 3 === 0 ? 0.2 : -0.1)), intercept: 0.05, features };
  const hash = modelHashOf(approved);
  await refused(
    runLocalSession({ program: 'lr-predict', params: { idColumn: 'id', receiver: 'bank', count: 2, modelHash: hash }, parties: parties({ applicants, model: oneHot }), mpc, guards: { approvedModels: [hash] } }),
    new RegExp(`not the approved model ${hash}`),
  );
  // Not approved at all: refused before anything is computed.
  await refused(
    runLocalSession({ program: 'lr-predict', params: { idColumn: 'id', receiver: 'bank', count: 2, modelHash: hash }, parties: parties({ applicants, model: approved }), mpc }),
    /is not among this node's approved models \(guard approvedModels\)/,
  );
  // The approved model itself scores, and equals plaintext scoring.
  const ok = await runLocalSession({ program: 'lr-predict', params: { idColumn: 'id', receiver: 'bank', count: 2, modelHash: hash }, parties: parties({ applicants, model: approved }), mpc, guards: { approvedModels: [hash] } });
  const scores = (ok.get('bank')!.output as { scores: number[] }).scores;
  const { X, d, ids } = joinVertical(readCsvTable(G, { idColumn: 'id' }), readCsvTable(H, { idColumn: 'id' }), 'y');
  applicants.forEach((id, i) => {
    const r = ids.indexOf(id);
    const ref = scorePlaintext(X.subarray(r * d, (r + 1) * d), 1, d, approved)[0]!;
    assert.ok(Math.abs(scores[i]! - ref) < 1e-3, `${scores[i]} vs plaintext ${ref}`);
  });
});

test('a kept model serves only its own receiver (binding checked at every data owner)', async () => {
  const trainParties: LocalParty[] = [
    { id: 'guest', roles: ['data', 'compute', 'receiver'], local: { csv: G } },
    { id: 'host', roles: ['data', 'compute'], local: { csv: H } },
    { id: 'helper1', roles: ['compute'] },
  ];
  const trained = await runLocalSession({
    program: 'lr-train',
    params: { idColumn: 'id', labelParty: 'guest', labelColumn: 'y', receiver: 'guest', hyper: { epochs: 2, batchSize: 256 }, keepShared: true, metrics: false },
    parties: trainParties,
    mpc,
  });
  // Another receiver (the helper) tries to use the guest's model to score applicants.
  const predictParties: LocalParty[] = trainParties.map((p) => ({
    id: p.id,
    roles: p.id === 'helper1' ? ['compute', 'receiver'] : p.roles.filter((r) => r !== 'receiver'),
    local: { ...p.local, modelShares: trained.get(p.id)!.keep?.['modelShares'], ...(p.id === 'helper1' ? { applicants } : {}) },
  }));
  await refused(
    runLocalSession({ program: 'lr-predict', params: { idColumn: 'id', receiver: 'helper1', count: 2, sharedModel: true, modelTask: 'train-1' }, parties: predictParties, mpc }),
    /the model of task .* belongs to another receiver/,
  );
});

test('a debt query with 2 lenders, or a lender as receiver, is refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tacit-adv-debt-'));
  try {
    for (const n of ['l1', 'l2', 'l3']) writeFileSync(join(dir, `${n}.csv`), `id,balance\nvictim,${n === 'l1' ? 1234.56 : 10}\nother,5\n`);
    const lender = (n: string): LocalParty => ({ id: n, roles: ['data', 'compute'], local: { csv: join(dir, `${n}.csv`) } });
    const bureau: LocalParty = { id: 'bureau', roles: ['compute', 'receiver'], local: { applicants: ['victim'] } };
    // With 2 lenders the receiver (knowing the total) learns one lender's entry from the other's.
    const msg = await refused(
      runLocalSession({ program: 'debt-query', params: { idColumn: 'id', balanceColumn: 'balance', receiver: 'bureau', count: 1 }, parties: [lender('l1'), lender('l2'), bureau], mpc: { protocol: 'rep3', computeParties: ['l1', 'l2', 'bureau'] } }),
      /a debt query needs at least 3 lenders \(guard minLenders\); it has 2/,
    );
    assert.ok(!msg.includes('1234'), 'no balance in the message');
    // A lender as receiver: total − its own = the others' sum.
    await refused(
      runLocalSession({
        program: 'debt-query',
        params: { idColumn: 'id', balanceColumn: 'balance', receiver: 'l1', count: 1 },
        parties: [{ ...lender('l1'), roles: ['data', 'compute', 'receiver'], local: { csv: join(dir, 'l1.csv'), applicants: ['victim'] } }, lender('l2'), lender('l3')],
        mpc: { protocol: 'rep3', computeParties: ['l1', 'l2', 'l3'] },
      }),
      /must not be one of its lenders/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a data party with values outside the fixed-point range is refused with the column named, never wrapped', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tacit-adv-range-'));
  try {
    // A column like an account number: huge values with a tiny spread — once scaled, its
    // offset would leave the fixed-point range (before this guard it silently wrapped).
    const h = readFileSync(H, 'utf8').trim().split('\n');
    const bad = h.map((l, i) => (i === 0 ? l : l.replace(/^([^,]*),([^,]*),/, (_m, id: string, x0: string) => `${id},${(4e12 + Number(x0)).toFixed(6)},`)));
    writeFileSync(join(dir, 'host.csv'), bad.join('\n') + '\n');
    const msg = await refused(
      runLocalSession({
        program: 'lr-train',
        params: { idColumn: 'id', labelParty: 'guest', labelColumn: 'y', receiver: 'guest', hyper: { epochs: 1 } },
        parties: [
          { id: 'guest', roles: ['data', 'compute', 'receiver'], local: { csv: G } },
          { id: 'host', roles: ['data', 'compute'], local: { csv: join(dir, 'host.csv') } },
          { id: 'helper1', roles: ['compute'] },
        ],
        mpc,
      }),
      /party host failed: column "x0" has a mean more than 4096 times its spread/,
    );
    assert.ok(!/4000000000|4e12/.test(msg), 'no value in the message');
    // Unscaled (standardize: false), a raw value beyond the bound is refused with its line.
    await refused(
      runLocalSession({
        program: 'lr-train',
        params: { idColumn: 'id', labelParty: 'guest', labelColumn: 'y', receiver: 'guest', hyper: { epochs: 1 }, standardize: false },
        parties: [
          { id: 'guest', roles: ['data', 'compute', 'receiver'], local: { csv: G } },
          { id: 'host', roles: ['data', 'compute'], local: { csv: join(dir, 'host.csv') } },
          { id: 'helper1', roles: ['compute'] },
        ],
        mpc,
      }),
      /column "x0" has a value outside the fixed-point range \(\|value\| must be ≤ 4096\)[\s\S]*host\.csv, column "x0", line \d+/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
