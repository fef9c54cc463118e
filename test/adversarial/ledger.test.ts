/**
 * The task lifecycle played by an attacker, for real: a real anvil and six institution
 * nodes, each its own `tacit node start` process, and requesters driving the SDK. Each case
 * asserts the same four things: honest nodes' stakes are unchanged, the requester ends with
 * exactly what it put in (never more), no node process crashed, and the task ends with a
 * clear on-chain outcome and reason.
 *
 *   bad parameters (a column the data does not have)   → refused on-chain, reason names the column
 *   a deadline too short to finish                      → refused on-chain (deadline)
 *   a receiver named in the parameters that is not a party, or a receiver without the role
 *                                                        → refused on-chain / creation reverts
 *   a receiver withholding its part (never consents)     → expires, refund, no slash
 *   a sealed result box replayed for another task        → does not open
 *   a data owner front-running a purchase with a price rise → the purchase reverts, nothing paid
 *   a compute party that goes silent mid-task            → the ONLY one slashed (burnt)
 *
 * One chain and one node set are shared by all cases; the two slow ones (waiting for a
 * deadline) run concurrently, on disjoint node sets where a node is killed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { erc20Abi, parseEventLogs, zeroAddress, type Address, type Log } from 'viem';
import { startLocalNetwork, type LocalNetwork } from '../../src/node/local/network.js';
import { buyDataTokens, createTacitClient, createTask, generateBoxKeyPair, getTaskResult, listDatasets, sendTaskInputs, waitForTask, SdkError, type TacitClient } from '../../src/sdk/index.js';
import { devAccount } from '../../src/chain/dev-accounts.js';
import { DataTokenSaleAbi, TaskMarketAbi } from '../../src/chain/artifacts.js';
import { FAULTS, RefusalCode } from '../../src/chain/commit-reveal.js';
import { TransactionRevertedError } from '../../src/chain/local-ledger.js';
import { freePort } from '../../src/chain/ports.js';
import { readTask } from '../../src/node/tasks/chain-view.js';
import { openTaskResult } from '../../src/node/tasks/result-box.js';
import { SealedBoxError } from '../../src/crypto/sealed-box.js';

const TOKEN = 10n ** 18n;
const FEE = 30n * TOKEN;
let net: LocalNetwork;
let dir: string;
const books: Record<string, string> = {
  bureau: 'id,balance\nA-17,1200.50\nB-2,99\n',
  telco: 'id,balance\nC-9,5\nA-17,0\n',
  lender: 'id,balance\nA-17,300\nA-17,45.25\nD-1,7\n',
};
/** Raw values of the books: none may ever appear in an on-chain reason. */
const SECRETS = ['A-17', 'B-2', 'C-9', 'D-1', '1200', '45.25', '300'];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tacit-adversarial-'));
  net = await startLocalNetwork({
    dir: join(dir, 'net'),
    nodes: [
      { name: 'bank', roles: ['compute', 'receiver'] },
      { name: 'bureau', roles: ['data', 'compute'] },
      { name: 'telco', roles: ['data', 'compute'] },
      { name: 'lender', roles: ['data'] },
      { name: 'insurer', roles: ['receiver'] },
      // Killed by the silent-party case only: a party of no other task, so the case running
      // beside it (the withholding receiver) never waits on a node that is down.
      { name: 'exchange', roles: ['compute'] },
    ],
  });
  for (const [name, csv] of Object.entries(books)) {
    const file = join(dir, `${name}.csv`);
    writeFileSync(file, csv);
    const api = net.node(name).api;
    await api.importDataset({ name: 'loans', path: file, idColumn: 'id' });
    await api.publishDataset('loans', { price: String(5n * TOKEN), algorithms: ['debt-query'], mint: 0 });
    await api.request('POST', '/datasets/loans/sale', { pricePerUse: String(TOKEN), uses: 20 });
  }
});

after(async () => {
  await net?.stop();
  if (dir && !process.env.TACIT_KEEP) rmSync(dir, { recursive: true, force: true });
});

// ------------------------------------------------------------------ helpers

async function requesterFrom(index: number, uses: bigint): Promise<TacitClient> {
  const account = devAccount(index);
  await net.ledger.mint(account.address, 1000n * TOKEN);
  const client = createTacitClient({ manifest: net.manifest, rpcUrl: net.rpcUrl, account });
  for (const d of await listDatasets(client)) await buyDataTokens(client, { datasetId: d.id, uses });
  return client;
}

const pay = (who: Address) => net.ledger.pub.readContract({ address: net.manifest.contracts.PaymentToken, abi: erc20Abi, functionName: 'balanceOf', args: [who] });
/** Nodes a case kills on purpose (the attacker's own process). */
const killed = new Set<string>();
const stakeOf = async (who: Address) => (await net.ledger.contracts.nodeRegistry.read.getNode([who])).stake;

interface Before {
  block: bigint;
  requester: bigint;
  stakes: Map<string, bigint>;
}

async function snapshot(client: TacitClient): Promise<Before> {
  return {
    block: await net.ledger.pub.getBlockNumber({ cacheTime: 0 }), // viem caches the height for 4 s
    requester: await pay(client.account!.address),
    stakes: new Map(await Promise.all(net.nodes.map(async (n) => [n.name, await stakeOf(n.address)] as const))),
  };
}

/**
 * The four assertions every case makes. `slashed` names the only nodes this task may slash.
 * Stakes may otherwise change only by slashes the chain attributed in OTHER tasks (the slow
 * cases run concurrently), and the market holds exactly the fees of unfinished tasks.
 */
async function assertNobodyHurt(client: TacitClient, before: Before, taskId?: bigint, slashed: string[] = []) {
  assert.equal(await pay(client.account!.address), before.requester, 'the requester ends with exactly what it put in');
  const head = await net.ledger.pub.getBlockNumber({ cacheTime: 0 });
  const logs = head > before.block ? ((await net.ledger.pub.getLogs({ address: net.manifest.contracts.TaskMarket, fromBlock: before.block + 1n, toBlock: head })) as Log[]) : [];
  const slashes = parseEventLogs({ abi: TaskMarketAbi, eventName: 'TaskPartySlashed', logs });
  for (const n of net.nodes) {
    const mine = slashes.filter((e) => e.args.node.toLowerCase() === n.address.toLowerCase());
    const here = mine.filter((e) => e.args.taskId === taskId).reduce((a, e) => a + e.args.amount, 0n);
    const elsewhere = mine.filter((e) => e.args.taskId !== taskId).reduce((a, e) => a + e.args.amount, 0n);
    assert.equal(await stakeOf(n.address), before.stakes.get(n.name)! - here - elsewhere, `${n.name}'s stake moved only by attributed slashes`);
    if (slashed.includes(n.name)) assert.ok(here > 0n, `${n.name} was slashed`);
    else assert.equal(here, 0n, `${n.name} (honest) was not slashed`);
    if (!killed.has(n.name)) assert.equal(n.process.exitCode, null, `${n.name}'s node process is still running`);
  }
  let open = 0n;
  const count = await net.ledger.contracts.taskMarket.read.taskCount();
  for (let id = 1n; id <= count; id++) {
    const t = await readTask(net.ledger, id);
    if (!['Settled', 'Refused', 'Failed', 'Expired'].includes(t.status)) open += t.fee;
  }
  assert.equal(await pay(net.manifest.contracts.TaskMarket), open, 'the market holds only the escrow of unfinished tasks');
}

async function taskEvents(taskId: bigint) {
  const logs = (await net.ledger.pub.getLogs({ address: net.manifest.contracts.TaskMarket, fromBlock: BigInt(net.manifest.block) })) as Log[];
  return parseEventLogs({ abi: TaskMarketAbi, logs }).filter((e) => (e.args as { taskId?: bigint }).taskId === taskId);
}

async function debtQuery(client: TacitClient, o: { params?: Record<string, unknown>; deadlineSeconds?: number; resultKey?: string; receiver?: Address; compute?: string[] } = {}) {
  const datasets = await listDatasets(client);
  return createTask(client, {
    program: 'debt-query',
    protocol: 'rep3',
    params: o.params ?? { idColumn: 'id', balanceColumn: 'balance' },
    datasetIds: datasets.map((d) => d.id),
    computeParties: (o.compute ?? ['bank', 'bureau', 'telco']).map((name) => net.node(name).address),
    receiver: o.receiver ?? net.node('bank').address,
    fee: FEE,
    ...(o.deadlineSeconds ? { deadlineSeconds: o.deadlineSeconds } : {}),
    ...(o.resultKey ? { resultKey: o.resultKey } : {}),
    // A hostile requester does not run the SDK's courtesy checks: the nodes must refuse.
    unchecked: true,
  });
}

/** Asserts the task was refused with `code`, with a reason matching `re` that carries no data. */
async function assertRefused(taskId: bigint, code: number, re: RegExp) {
  const refused = (await taskEvents(taskId)).filter((e) => e.eventName === 'TaskRefused');
  assert.ok(refused.length === 1, 'one refusal ends the task');
  const ev = refused[0]! as unknown as { args: { code: number; reason: string } };
  assert.equal(ev.args.code, code, ev.args.reason);
  assert.match(ev.args.reason, re);
  for (const secret of SECRETS) assert.ok(!ev.args.reason.includes(secret), `the reason leaks no data (${secret})`);
}

// ------------------------------------------------------------------ cases

let settledTask: { id: bigint; keys: ReturnType<typeof generateBoxKeyPair> } | undefined;
let refusedTask: bigint | undefined;

describe('a hostile requester cannot get honest nodes slashed or gain anything', () => {
  let client: TacitClient;
  before(async () => {
    client = await requesterFrom(6, 8n);
  });

  it('control: an honest task still settles (link digests agree), and its result opens', async () => {
    const keys = generateBoxKeyPair();
    const { taskId } = await debtQuery(client, { resultKey: keys.publicKey });
    const allowance = await net.ledger.pub.readContract({ address: net.manifest.contracts.PaymentToken, abi: erc20Abi, functionName: 'allowance', args: [client.account!.address, net.manifest.contracts.TaskMarket] });
    assert.equal(allowance, 0n, 'the SDK approved the market for exactly the escrow, nothing left over');
    await sendTaskInputs({ node: { url: net.node('bank').apiUrl, token: net.node('bank').token }, taskId, inputs: { applicant: 'A-17' } });
    const final = await waitForTask(client, { taskId, timeoutMs: 120_000 });
    assert.equal(final.status, 'Settled');
    assert.deepEqual(await getTaskResult(client, { node: { url: net.node('bank').apiUrl }, taskId, resultPrivateKey: keys.privateKey }), { total: 1200.5 + 300 + 45.25, lenders: 2 });
    settledTask = { id: taskId, keys };
  });

  it('bad parameters: a column the data does not have is refused on-chain, naming the column', async () => {
    const before = await snapshot(client);
    const { taskId } = await debtQuery(client, { params: { idColumn: 'id', balanceColumn: 'salary' } });
    const final = await waitForTask(client, { taskId, timeoutMs: 60_000 });
    assert.equal(final.status, 'Refused');
    await assertRefused(taskId, RefusalCode.Data, /"salary"/);
    await assertNobodyHurt(client, before, taskId);
    refusedTask = taskId;
  });

  it('a deadline too short to finish is refused on-chain', async () => {
    const before = await snapshot(client);
    const { taskId } = await debtQuery(client, { deadlineSeconds: 10 });
    const final = await waitForTask(client, { taskId, timeoutMs: 60_000 });
    assert.equal(final.status, 'Refused');
    await assertRefused(taskId, RefusalCode.Deadline, /deadline/);
    await assertNobodyHurt(client, before, taskId);
  });

  it('a receiver that is not a party of the task (named in the parameters) is refused on-chain', async () => {
    const before = await snapshot(client);
    const outsider = devAccount(12).address.toLowerCase();
    const { taskId } = await debtQuery(client, { params: { idColumn: 'id', balanceColumn: 'balance', receiver: outsider } });
    const final = await waitForTask(client, { taskId, timeoutMs: 60_000 });
    assert.equal(final.status, 'Refused');
    await assertRefused(taskId, RefusalCode.Parameters, /not a party|other than the task's receiver/);
    await assertNobodyHurt(client, before, taskId);
  });

  it('a receiver without the receiver role cannot even be named: creation reverts, nothing escrowed', async () => {
    const before = await snapshot(client);
    const datasets = await listDatasets(client);
    await assert.rejects(
      createTask(client, { program: 'debt-query', protocol: 'rep3', params: { idColumn: 'id', balanceColumn: 'balance' }, datasetIds: datasets.map((d) => d.id), computeParties: [net.node('bank').address, net.node('bureau').address, net.node('telco').address], receiver: net.node('lender').address, fee: FEE }),
      (err: unknown) => err instanceof TransactionRevertedError && err.errorName === 'TaskMarketNodeNotEligible',
    );
    await assertNobodyHurt(client, before);
  });

  it('a sealed result replayed for another task does not open', async () => {
    assert.ok(settledTask && refusedTask, 'needs the control and bad-parameters cases');
    const bank = net.node('bank');
    const { sealed } = (await bank.api.request('GET', `/tasks/${settledTask.id}/sealed-result`)) as { sealed: string };
    const box = Buffer.from(sealed, 'base64');
    const binding = (taskId: bigint) => ({ chainId: net.manifest.chainId, taskMarket: net.manifest.contracts.TaskMarket, taskId });
    assert.deepEqual(openTaskResult(box, settledTask.keys.privateKey, binding(settledTask.id)), { total: 1545.75, lenders: 2 });
    assert.throws(() => openTaskResult(box, settledTask!.keys.privateKey, binding(refusedTask!)), SealedBoxError);
    // A receiver node (here a stand-in API) that serves task A's box as task B's result.
    const port = await freePort();
    const server: Server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ id: Number(refusedTask), sealed }));
    });
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    try {
      await assert.rejects(
        getTaskResult(client, { node: { url: `http://127.0.0.1:${port}` }, taskId: refusedTask, resultPrivateKey: settledTask.keys.privateKey }),
        (err: unknown) => err instanceof SdkError && /does not open as task/.test(err.message),
      );
    } finally {
      server.close();
    }
  });

  it('a data owner front-running a purchase with a price rise: the purchase reverts and nothing is paid', async () => {
    const before = await snapshot(client);
    const datasets = await listDatasets(client);
    const d = datasets.find((x) => x.owner.toLowerCase() === net.node('bureau').address.toLowerCase())!;
    const seen = 2n * d.sale.pricePerUse; // what the buyer saw for 2 uses
    // The owner raises its price before the buyer's transaction lands.
    await net.node('bureau').api.request('POST', '/datasets/loans/sale', { pricePerUse: String(3n * TOKEN), uses: 20 });
    await assert.rejects(buyDataTokens(client, { datasetId: d.id, uses: 2n, maxCost: seen }), SdkError);
    // Sent anyway (as a transaction already in flight would be): the contract refuses it.
    const sale = net.manifest.contracts.DataTokenSale;
    await net.ledger.approve(client.account!, net.manifest.contracts.PaymentToken, sale, seen);
    await assert.rejects(
      net.ledger.tx(client.account!, 'buy', (w) => w.writeContract({ address: sale, abi: DataTokenSaleAbi, functionName: 'buy', args: [d.id, 2n, seen] })),
      (err: unknown) => err instanceof TransactionRevertedError && err.errorName === 'DataTokenSalePriceAboveMax',
    );
    await net.ledger.approve(client.account!, net.manifest.contracts.PaymentToken, sale, 0n);
    await assertNobodyHurt(client, before);
    // The SDK approves exact amounts: after an honest purchase no allowance is left over.
    await buyDataTokens(client, { datasetId: d.id, uses: 1n });
    assert.equal(await net.ledger.pub.readContract({ address: net.manifest.contracts.PaymentToken, abi: erc20Abi, functionName: 'allowance', args: [client.account!.address, sale] }), 0n);
    await net.node('bureau').api.request('POST', '/datasets/loans/sale', { pricePerUse: String(TOKEN), uses: 20 });
  });
});

describe('parties that deviate after consenting', { concurrency: true }, () => {
  it('a receiver withholding its part (never consenting) lets the task expire: refund, nobody slashed', async () => {
    const client = await requesterFrom(7, 1n);
    const before = await snapshot(client);
    const insurer = net.node('insurer');
    // The receiver goes dark as soon as the task exists: it never consents, never answers.
    killed.add('insurer');
    await insurer.kill(true);
    // Long enough for the lenders' guard (debt-query needs 30 s left when a node looks, which on
    // a loaded machine may be many seconds after creation), short enough to expire soon.
    const { taskId } = await debtQuery(client, { deadlineSeconds: 60, receiver: insurer.address });
    const final = await waitForTask(client, { taskId, timeoutMs: 120_000 });
    assert.equal(final.status, 'Expired');
    const receiverIndex = final.parties.findIndex((p) => p.toLowerCase() === insurer.address.toLowerCase());
    assert.equal(receiverIndex, final.receiverIndex, 'the receiver is a party of the task');
    assert.equal((final.accepted >> receiverIndex) & 1, 0, 'the receiver never consented');
    const evs = await taskEvents(taskId);
    assert.ok(evs.some((e) => e.eventName === 'TaskExpired'));
    assert.equal(evs.filter((e) => e.eventName === 'TaskPartySlashed').length, 0);
    await assertNobodyHurt(client, before, taskId);
    await insurer.restart();
    killed.delete('insurer');
  });

  it('a compute party that goes silent mid-task is the only one slashed; the others report it', async () => {
    const client = await requesterFrom(8, 1n);
    const before = await snapshot(client);
    const exchange = net.node('exchange');
    const { taskId } = await debtQuery(client, { deadlineSeconds: 36, compute: ['bank', 'bureau', 'exchange'] });
    // The exchange consents, then its node dies before the session starts.
    for (let i = 0; i < 300; i++) {
      const t = await readTask(net.ledger, taskId);
      const idx = t.parties.findIndex((p) => p.toLowerCase() === exchange.address.toLowerCase());
      if ((t.accepted >> idx) & 1) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    killed.add('exchange');
    await exchange.kill(true);
    await sendTaskInputs({ node: { url: net.node('bank').apiUrl, token: net.node('bank').token }, taskId, inputs: { applicant: 'A-17' } });
    const final = await waitForTask(client, { taskId, timeoutMs: 180_000 });
    assert.ok(['Expired', 'Failed'].includes(final.status), final.status);
    const evs = await taskEvents(taskId);
    const slashed = evs.filter((e) => e.eventName === 'TaskPartySlashed') as unknown as { args: { node: Address; fault: number } }[];
    assert.deepEqual(slashed.map((e) => e.args.node.toLowerCase()), [exchange.address.toLowerCase()], 'only the silent party is slashed');
    assert.ok(['Silent', 'BlamedByReports'].includes(FAULTS[slashed[0]!.args.fault]!));
    // The honest parties reported the failure on-chain; whoever blamed anyone blamed the exchange (a
    // party that only saw another's abort blames nobody).
    const reports = evs.filter((e) => e.eventName === 'TaskFailureReported') as unknown as { args: { node: Address; blamed: Address } }[];
    for (const name of ['bank', 'bureau']) {
      assert.ok(reports.some((x) => x.args.node.toLowerCase() === net.node(name).address.toLowerCase()), `${name} reported the failure on-chain`);
    }
    const blamed = reports.map((r) => r.args.blamed.toLowerCase()).filter((b) => b !== zeroAddress);
    assert.ok(blamed.length >= 1 && blamed.every((b) => b === exchange.address.toLowerCase()), `blamed: ${blamed.join(', ')}`);
    await assertNobodyHurt(client, before, taskId, ['exchange']);
    await exchange.restart();
    killed.delete('exchange');
    assert.equal(exchange.process.exitCode, null);
  });
});
