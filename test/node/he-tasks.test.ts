/**
 * woe-iv, sgb-train and sgb-predict as on-chain tasks: a real anvil and three node processes
 * (bank: labels and features; bureau: features; telco: compute only), created through the
 * SDK, consented, computed and settled; the sealed results are checked against plaintext
 * (breast data). sgb-predict scores every training applicant with the model the bank received
 * and the thresholds the bureau kept (its node hands them to the program): the AUC of those
 * scores must equal the training AUC, which holds only if the two halves of the model agree.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLocalNetwork, type LocalNetwork } from '../../src/node/local/network.js';
import { buyDataTokens, createTacitClient, createTask, generateBoxKeyPair, getTaskResult, listDatasets, nameParties, sendTaskInputs, waitForTask, type TacitClient } from '../../src/sdk/index.js';
import { devAccount } from '../../src/chain/dev-accounts.js';
import { readCsvTable } from '../../src/data/csv.js';
import { joinVertical } from '../../src/algorithms/lr/vertical-join.js';
import { aucKsPlaintext } from '../../src/algorithms/lr/plaintext.js';
import { binColumns } from '../../src/algorithms/sgb/binning.js';
import { trainPlainSgb } from '../../src/algorithms/sgb/plaintext.js';
import { DEFAULT_SGB } from '../../src/algorithms/sgb/hyper.js';
import { binCounts, woeFromCounts } from '../../src/algorithms/woe/woe.js';

const TOKEN = 10n ** 18n;
const data = fileURLToPath(new URL('../../../data/', import.meta.url));
let net: LocalNetwork;
let dir: string;
let requester: TacitClient;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tacit-he-tasks-'));
  net = await startLocalNetwork({
    dir: join(dir, 'net'),
    nodes: [
      { name: 'bank', roles: ['data', 'compute', 'receiver'] },
      { name: 'bureau', roles: ['data', 'compute'] },
      { name: 'telco', roles: ['compute'] },
    ],
  });
  for (const [name, file] of [['bank', 'breast_hetero_guest.csv'], ['bureau', 'breast_hetero_host.csv']] as const) {
    const api = net.node(name).api;
    await api.importDataset({ name: 'credit', path: data + file, idColumn: 'id' });
    await api.publishDataset('credit', { price: String(TOKEN), algorithms: ['woe-iv', 'sgb-train', 'sgb-predict'], mint: 0 });
    await api.request('POST', '/datasets/credit/sale', { pricePerUse: String(TOKEN), uses: 10 });
  }
  const account = devAccount(8);
  await net.ledger.mint(account.address, 1000n * TOKEN);
  requester = createTacitClient({ manifest: net.manifest, rpcUrl: net.rpcUrl, account });
});

after(async () => {
  await net?.stop();
  if (dir && !process.env.TACIT_KEEP) rmSync(dir, { recursive: true, force: true });
});

describe('Paillier programs as on-chain tasks', () => {
  it('woe-iv, sgb-train and sgb-predict settle, and their results match plaintext', async () => {
    const datasets = await listDatasets(requester);
    for (const d of datasets) await buyDataTokens(requester, { datasetId: d.id, uses: 3n });
    const bank = net.node('bank'), bureau = net.node('bureau');
    const ordered = [bank, bureau].map((n) => datasets.find((d) => d.owner.toLowerCase() === n.address.toLowerCase())!.id);
    const keys = generateBoxKeyPair();
    const label = bank.address.toLowerCase();
    const common = { protocol: 'rep3' as const, datasetIds: ordered, computeParties: [bank.address, bureau.address, net.node('telco').address], receiver: bank.address, fee: 10n * TOKEN, resultKey: keys.publicKey };
    const g = readCsvTable(data + 'breast_hetero_guest.csv', { idColumn: 'id' }), h = readCsvTable(data + 'breast_hetero_host.csv', { idColumn: 'id' });
    const { X, y, d, ids } = joinVertical(g, h, 'y');

    const woe = await createTask(requester, { ...common, program: 'woe-iv', params: { idColumn: 'id', labelParty: label, labelColumn: 'y', bins: 5 } });
    assert.equal((await waitForTask(requester, { taskId: woe.taskId, timeoutMs: 600_000 })).status, 'Settled');
    const w = (await getTaskResult(requester, { node: { url: bank.apiUrl }, taskId: woe.taskId, resultPrivateKey: keys.privateKey })) as { features: Record<string, { iv: number }> };
    const b5 = binColumns(X, ids.length, d, 5);
    const counts = binCounts(b5.bins, ids.length, d, b5.cuts.map((c) => c.length + 1), y);
    h.columns.forEach((c, j) => {
      const f = counts[d - h.columns.length + j]!;
      assert.equal(w.features[`${bureau.address.toLowerCase()}.${c}`]!.iv, woeFromCounts(f.counts, f.positives).iv);
    });
    // Shown to people, the features carry the names the nodes registered, not addresses.
    const shown = (await nameParties(requester, w)) as { features: Record<string, { iv: number }>; parties: Record<string, string> };
    assert.equal(shown.parties[bureau.name]!.toLowerCase(), bureau.address.toLowerCase());
    for (const c of h.columns) assert.equal(shown.features[`${bureau.name}.${c}`]!.iv, w.features[`${bureau.address.toLowerCase()}.${c}`]!.iv);
    assert.ok(!JSON.stringify(shown.features).includes(bureau.address.toLowerCase()));

    const hyper = { ...DEFAULT_SGB, trees: 2, depth: 3, bins: 16 };
    const sgb = await createTask(requester, { ...common, program: 'sgb-train', params: { idColumn: 'id', labelParty: label, labelColumn: 'y', hyper } });
    assert.equal((await waitForTask(requester, { taskId: sgb.taskId, timeoutMs: 600_000 })).status, 'Settled');
    const s = (await getTaskResult(requester, { node: { url: bank.apiUrl }, taskId: sgb.taskId, resultPrivateKey: keys.privateKey })) as { auc: number };
    const b16 = binColumns(X, ids.length, d, 16);
    const ref = await trainPlainSgb(b16.bins, ids.length, d, b16.cuts.map((c) => c.length + 1), y, hyper);
    assert.ok(Math.abs(s.auc - aucKsPlaintext(ref.scores, y).auc) < 0.01, `AUC ${s.auc}`);

    const pred = await createTask(requester, { ...common, program: 'sgb-predict', params: { idColumn: 'id', count: ids.length, modelTask: Number(sgb.taskId) } });
    await sendTaskInputs({ node: { url: bank.apiUrl, token: bank.token }, taskId: pred.taskId, inputs: { applicants: ids } });
    assert.equal((await waitForTask(requester, { taskId: pred.taskId, timeoutMs: 600_000 })).status, 'Settled');
    const p = (await getTaskResult(requester, { node: { url: bank.apiUrl }, taskId: pred.taskId, resultPrivateKey: keys.privateKey })) as { scores: number[] };
    assert.equal(p.scores.length, ids.length);
    assert.ok(Math.abs(aucKsPlaintext(p.scores, y).auc - s.auc) < 1e-9, `sgb-predict AUC ${aucKsPlaintext(p.scores, y).auc} vs training ${s.auc}`);
  });
});
