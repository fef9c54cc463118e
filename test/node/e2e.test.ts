/**
 * End to end: a real anvil and four institution nodes, each its own `tacit node start`
 * process on loopback. Datasets are imported and published through the nodes' APIs, a
 * requester buys data tokens and creates a task through the SDK, the nodes consent, compute
 * under MPC and settle on-chain; the test checks the result (opened from the sealed box and
 * against plaintext) and every balance. Then the failure paths: a policy refusal, a node
 * killed mid-task and restarted, an API call without the token.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { erc20Abi, type Address } from 'viem';
import { startLocalNetwork, type LocalNetwork } from '../../src/node/local/network.js';
import { hash2 } from '../../src/zk/poseidon.js';
import { buyDataTokens, createTacitClient, createTask, generateBoxKeyPair, getTaskOutcome, getTaskResult, listDatasets, sendTaskInputs, waitForTask, type TacitClient } from '../../src/sdk/index.js';
import { devAccount, devPrivateKey } from '../../src/chain/dev-accounts.js';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { readTask } from '../../src/node/tasks/chain-view.js';
import { unlockNodeKeys } from '../../src/node/keys.js';
import { NodeRegistryAbi, TaskMarketAbi } from '../../src/chain/artifacts.js';

const TOKEN = 10n ** 18n;
let net: LocalNetwork;
let dir: string;
let requester: TacitClient;

const books: Record<string, string> = {
  bureau: 'id,balance\nA-17,1200.50\nB-2,99\n',
  telco: 'id,balance\nC-9,5\nA-17,0\n',
  lender: 'id,balance\nA-17,300\nA-17,45.25\nD-1,7\n',
};

async function balanceOf(who: Address): Promise<bigint> {
  return net.ledger.pub.readContract({ address: net.manifest.contracts.PaymentToken, abi: erc20Abi, functionName: 'balanceOf', args: [who] });
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tacit-e2e-'));
  net = await startLocalNetwork({
    dir: join(dir, 'net'),
    nodes: [
      { name: 'bank', roles: ['compute', 'receiver'] },
      { name: 'bureau', roles: ['data', 'compute'] },
      { name: 'telco', roles: ['data', 'compute'] },
      // The lender serves the two requesters of these tests, and debt queries only.
      { name: 'lender', roles: ['data'], policy: { allowedAlgorithms: ['debt-query'], allowedRequesters: [devAccount(7).address, devAccount(8).address] } },
    ],
  });
  for (const [name, csv] of Object.entries(books)) {
    const file = join(dir, `${name}.csv`);
    writeFileSync(file, csv);
    const api = net.node(name).api;
    await api.importDataset({ name: 'loans', path: file, idColumn: 'id' });
    await api.publishDataset('loans', { price: String(5n * TOKEN), algorithms: ['debt-query', 'psi'], mint: 0 });
    await api.request('POST', '/datasets/loans/sale', { pricePerUse: String(TOKEN), uses: 10 });
  }
  const account = devAccount(7);
  await net.ledger.mint(account.address, 1000n * TOKEN);
  requester = createTacitClient({ manifest: net.manifest, rpcUrl: net.rpcUrl, account });
});

after(async () => {
  await net?.stop();
  if (dir && !process.env.TACIT_KEEP) rmSync(dir, { recursive: true, force: true });
});

describe('a task through four node processes', () => {
  it('debt-query: created through the SDK, computed, settled; result and every balance checked', async () => {
    const datasets = await listDatasets(requester);
    assert.equal(datasets.length, 3);
    for (const d of datasets) await buyDataTokens(requester, { datasetId: d.id, uses: 2n });
    const nodes = Object.fromEntries(net.nodes.map((n) => [n.name, n.address.toLowerCase()]));
    const who = [requester.account!.address, ...net.nodes.map((n) => n.address), net.manifest.contracts.TaskMarket];
    const before = await Promise.all(who.map(balanceOf));
    const keys = generateBoxKeyPair();
    const fee = 30n * TOKEN;
    const { taskId } = await createTask(requester, {
      program: 'debt-query',
      protocol: 'rep3',
      params: { idColumn: 'id', balanceColumn: 'balance' },
      datasetIds: datasets.map((d) => d.id),
      computeParties: [net.node('bank').address, net.node('bureau').address, net.node('telco').address],
      receiver: net.node('bank').address,
      fee,
      resultKey: keys.publicKey,
    });
    await sendTaskInputs({ node: { url: net.node('bank').apiUrl, token: net.node('bank').token }, taskId, inputs: { applicant: 'A-17' } });
    const final = await waitForTask(requester, { taskId, timeoutMs: 120_000 });
    assert.equal(final.status, 'Settled');
    const result = await getTaskResult(requester, { node: { url: net.node('bank').apiUrl }, taskId, resultPrivateKey: keys.privateKey });
    assert.deepEqual(result, { total: 1200.5 + 300 + 45.25, lenders: 2 });
    assert.ok(nodes.bank);
    // Balances: the requester paid the fee; each data owner got its price (5); the three
    // compute parties split the rest (15) equally; the market holds nothing.
    const afterB = await Promise.all(who.map(balanceOf));
    const d = afterB.map((a, i) => a - before[i]!);
    assert.equal(d[0], -fee);
    const byName = Object.fromEntries(net.nodes.map((n, i) => [n.name, d[i + 1]!]));
    assert.equal(byName.bank, 5n * TOKEN);
    assert.equal(byName.bureau, 5n * TOKEN + 5n * TOKEN);
    assert.equal(byName.telco, 5n * TOKEN + 5n * TOKEN);
    assert.equal(byName.lender, 5n * TOKEN);
    assert.equal(d[d.length - 1], 0n);
    // Every node agrees on the task's status; only the receiver holds the result.
    for (const n of net.nodes) {
      const t = (await n.api.task(Number(taskId))) as { status: string };
      assert.ok(['settled', 'delivered', 'committed', 'revealed'].includes(t.status), `${n.name}: ${t.status}`);
    }
    await assert.rejects(net.node('bureau').api.taskResult(Number(taskId)));
  });

  it('semi2k in the daemon: dealer-free (OT preprocessing between the compute parties), settles with the plaintext answer', async () => {
    const datasets = await listDatasets(requester);
    for (const d of datasets) await buyDataTokens(requester, { datasetId: d.id, uses: 1n });
    const keys = generateBoxKeyPair();
    const { taskId } = await createTask(requester, {
      program: 'debt-query',
      protocol: 'semi2k',
      params: { idColumn: 'id', balanceColumn: 'balance' },
      datasetIds: datasets.map((d) => d.id),
      computeParties: [net.node('bank').address, net.node('bureau').address, net.node('telco').address],
      receiver: net.node('bank').address,
      fee: 30n * TOKEN,
      resultKey: keys.publicKey,
      // The receiver also commits the total on-chain for zero-knowledge claims (docs/zk.md).
      zkResult: 'total',
    });
    await sendTaskInputs({ node: { url: net.node('bank').apiUrl, token: net.node('bank').token }, taskId, inputs: { applicant: 'A-17' } });
    const final = await waitForTask(requester, { taskId, timeoutMs: 180_000 });
    assert.equal(final.status, 'Settled', (await getTaskOutcome(requester, { taskId })).reason);
    const { zkResult, ...result } = await getTaskResult(requester, { node: { url: net.node('bank').apiUrl }, taskId, resultPrivateKey: keys.privateKey });
    assert.deepEqual(result, { total: 1200.5 + 300 + 45.25, lenders: 2 });
    // The opening in the sealed result opens the commitment the receiver recorded on the TaskMarket.
    const opening = zkResult as { field: string; fixed: string; salt: string; commitment: string };
    assert.equal(opening.field, 'total');
    assert.equal(BigInt(opening.fixed), 1_545_750_000n);
    assert.equal(hash2(BigInt(opening.fixed), BigInt(opening.salt)), BigInt(opening.commitment));
    const recorded = await net.ledger.pub.readContract({ address: net.manifest.contracts.TaskMarket, abi: TaskMarketAbi, functionName: 'resultCommitmentOf', args: [taskId] });
    assert.equal(recorded, BigInt(opening.commitment));
  });

  it('the requester CLI: market buy, task create with receiver inputs, status --wait, result', async () => {
    const tacit = fileURLToPath(new URL('../../../bin/tacit.mjs', import.meta.url));
    const key = devPrivateKey(8);
    await net.ledger.mint(devAccount(8).address, 500n * TOKEN);
    const env = { ...process.env, TACIT_PRIVATE_KEY: key };
    const cli = (...args: string[]) => {
      const r = spawnSync(process.execPath, [tacit, ...args, '--json'], { env, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout) as Record<string, unknown> & unknown[];
    };
    const datasets = cli('market', 'datasets', '--manifest', net.manifestPath) as unknown as { id: string }[];
    for (const d of datasets) cli('market', 'buy', d.id, '--uses', '1', '--manifest', net.manifestPath);
    const keyFile = join(dir, 'result.key');
    const created = cli(
      'task', 'create', '--manifest', net.manifestPath, '--program', 'debt-query',
      ...datasets.flatMap((d) => ['--dataset', d.id]),
      '--compute', net.node('bank').address, '--compute', net.node('bureau').address, '--compute', net.node('telco').address,
      '--receiver', net.node('bank').address, '--fee', String(30n * TOKEN),
      '--params', JSON.stringify({ idColumn: 'id', balanceColumn: 'balance' }),
      '--inputs', JSON.stringify({ applicant: 'B-2' }),
      '--receiver-api', net.node('bank').apiUrl, '--receiver-token-file', join(net.node('bank').dir, 'api-token'),
      '--result-key-out', keyFile,
    );
    const id = String(created['taskId']);
    const status = cli('task', 'status', id, '--manifest', net.manifestPath, '--wait');
    assert.equal(status['status'], 'Settled');
    const result = cli('task', 'result', id, '--manifest', net.manifestPath, '--node-api', net.node('bank').apiUrl, '--result-key', keyFile);
    assert.deepEqual(result, { total: 99, lenders: 1 });
  });

  it('a policy refusal ends the task and refunds the requester in full', async () => {
    // A requester the lender does not serve (every other node would take the task).
    const stranger = devAccount(9);
    await net.ledger.mint(stranger.address, 100n * TOKEN);
    const client = createTacitClient({ manifest: net.manifest, rpcUrl: net.rpcUrl, account: stranger });
    const datasets = await listDatasets(client);
    for (const d of datasets) await buyDataTokens(client, { datasetId: d.id, uses: 1n });
    const before = await balanceOf(stranger.address);
    const { taskId } = await createTask(client, {
      program: 'debt-query',
      protocol: 'rep3',
      params: { idColumn: 'id', balanceColumn: 'balance' },
      datasetIds: datasets.map((d) => d.id),
      computeParties: [net.node('bank').address, net.node('bureau').address, net.node('telco').address],
      receiver: net.node('bank').address,
      fee: 30n * TOKEN,
    });
    const final = await waitForTask(client, { taskId, timeoutMs: 60_000 });
    assert.equal(final.status, 'Refused');
    assert.equal(await balanceOf(stranger.address), before, 'refunded in full');
    // The refusal says why, on-chain.
    const [ev] = await net.ledger.pub.getContractEvents({ address: net.manifest.contracts.TaskMarket, abi: TaskMarketAbi, eventName: 'TaskRefused', args: { taskId }, fromBlock: 0n });
    assert.equal(ev?.args.node?.toLowerCase(), net.node('lender').address.toLowerCase());
    assert.match(ev?.args.reason ?? '', /requester is not on this node.s allow-list/);
    // The requester's CLI ends with the outcome and the node's reason, and a non-zero exit.
    const status = await tacitAsync(['task', 'status', String(taskId), '--manifest', net.manifestPath, '--json']);
    assert.equal(status.code, 1, status.stderr);
    const out = JSON.parse(status.stdout) as { status: string; outcome: { ok: boolean; reason: string; refusals: { code: string }[] } };
    assert.equal(out.status, 'Refused');
    assert.equal(out.outcome.ok, false);
    assert.match(out.outcome.reason, new RegExp(`refused by ${net.node('lender').address}.*allow-list`, 'i'));
    const human = await tacitAsync(['task', 'status', String(taskId), '--manifest', net.manifestPath]);
    assert.equal(human.code, 1);
    assert.match(human.stdout, /Refused — refused by .*allow-list.*refunded/);
  });

  it('the API refuses state changes without the token', async () => {
    const res = await fetch(`${net.node('bureau').apiUrl}/datasets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'x', path: '/etc/hosts', idColumn: 'id' }) });
    assert.equal(res.status, 401);
  });

  it('a node killed mid-task and restarted neither accepts twice nor leaves funds locked', async () => {
    const datasets = await listDatasets(requester);
    const before = await balanceOf(requester.account!.address);
    const telco = net.node('telco');
    const { taskId } = await createTask(requester, {
      program: 'debt-query',
      protocol: 'rep3',
      params: { idColumn: 'id', balanceColumn: 'balance' },
      datasetIds: datasets.map((x) => x.id),
      computeParties: [net.node('bank').address, net.node('bureau').address, telco.address],
      receiver: net.node('bank').address,
      fee: 30n * TOKEN,
      deadlineSeconds: 40,
    });
    // Kill telco as soon as it has accepted, before the receiver's inputs let the task start.
    for (let i = 0; i < 200; i++) {
      const t = await readTask(net.ledger, taskId);
      const idx = t.parties.findIndex((p) => p.toLowerCase() === telco.address.toLowerCase());
      if ((t.accepted >> idx) & 1) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await telco.kill(true);
    await sendTaskInputs({ node: { url: net.node('bank').apiUrl, token: net.node('bank').token }, taskId, inputs: { applicant: 'A-17' } });
    await new Promise((r) => setTimeout(r, 1500));
    await telco.restart();
    const final = await waitForTask(requester, { taskId, timeoutMs: 120_000 });
    // Either it completed after telco came back, or it expired and refunded; never stuck.
    assert.ok(['Settled', 'Expired', 'Failed'].includes(final.status), final.status);
    const after = await balanceOf(requester.account!.address);
    if (final.status === 'Expired' || final.status === 'Failed') assert.equal(after, before, 'refunded exactly what it put in');
    const t = (await telco.api.task(Number(taskId))) as { acceptTx: string | null };
    assert.ok(t, 'telco still knows the task after its restart');
    assert.equal(await balanceOf(net.manifest.contracts.TaskMarket), 0n, 'the market holds nothing');
  });

  it('a peer whose key is not the one in the registry is refused; the task fails or expires and refunds exactly', async () => {
    const bureau = net.node('bureau');
    // The bureau's registry entry now pins a key the bureau does not have.
    const keys = await unlockNodeKeys(bureau.dir, 'sandbox-passphrase');
    const info = await net.ledger.pub.readContract({ address: net.manifest.contracts.NodeRegistry, abi: NodeRegistryAbi, functionName: 'getNode', args: [bureau.address] });
    await net.ledger.tx(keys.account, 'updateNode', (w) =>
      w.writeContract({ address: net.manifest.contracts.NodeRegistry, abi: NodeRegistryAbi, functionName: 'updateNode', args: [info.name, info.endpoint, `0x${'ee'.repeat(32)}`, info.roles] }),
    );
    const datasets = await listDatasets(requester);
    for (const d of datasets) await buyDataTokens(requester, { datasetId: d.id, uses: 1n });
    const before = await balanceOf(requester.account!.address);
    const { taskId } = await createTask(requester, {
      program: 'debt-query',
      protocol: 'rep3',
      params: { idColumn: 'id', balanceColumn: 'balance' },
      datasetIds: datasets.map((x) => x.id),
      computeParties: [net.node('bank').address, bureau.address, net.node('telco').address],
      receiver: net.node('bank').address,
      fee: 30n * TOKEN,
      // Long enough for the lenders' debt-query guard (30 s); the bureau's wrong key ends it sooner.
      deadlineSeconds: 45,
    });
    await sendTaskInputs({ node: { url: net.node('bank').apiUrl, token: net.node('bank').token }, taskId, inputs: { applicant: 'A-17' } });
    const final = await waitForTask(requester, { taskId, timeoutMs: 120_000 });
    // The bureau cannot join and reports it; the others see it fail: the task fails (or
    // expires) with a full refund — and no more: slashed stake is burnt, never paid out.
    assert.ok(['Failed', 'Expired'].includes(final.status), final.status);
    assert.equal(await balanceOf(requester.account!.address), before, 'the requester is refunded exactly');
    assert.equal(await balanceOf(net.manifest.contracts.TaskMarket), 0n, 'the market holds nothing');
    // The bank's node ends its session too, with a reason (within a few polls).
    let bank = { status: '', error: null as string | null };
    for (let i = 0; i < 100 && !['expired', 'failed', 'reported'].includes(bank.status); i++) {
      bank = (await net.node('bank').api.task(Number(taskId))) as typeof bank;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.match(bank.error ?? '', /session failed|expired|cannot join|failed/);
    // Restore the bureau's real key for anything that follows.
    await net.ledger.tx(keys.account, 'updateNode', (w) =>
      w.writeContract({ address: net.manifest.contracts.NodeRegistry, abi: NodeRegistryAbi, functionName: 'updateNode', args: [info.name, info.endpoint, info.tlsFingerprint, info.roles] }),
    );
  });
});

const tacitBin = fileURLToPath(new URL('../../../bin/tacit.mjs', import.meta.url));

/** Runs the CLI without blocking this process (the node processes keep being served). */
function tacitAsync(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [tacitBin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
