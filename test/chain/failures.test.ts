/**
 * Every way a task can end without settling, with every balance and stake checked: refusal
 * with a reason, expiry before and after the task started (only silent compute parties
 * slashed), failure reports (a party is slashed only when more than half of all compute
 * parties blame it; a lone accuser, a 2-party quarrel or a relayed abort slash nobody),
 * digests that disagree (Disputed, then resolved: the inconsistent party is slashed; or
 * expired: nobody is), a party that commits and never reveals, and a slash capped at the
 * stake. In every case the requester gets back exactly what it put in — slashed stake is
 * burnt, never paid out — and the market ends holding nothing.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { parseEventLogs, zeroAddress, type Account, type Address } from 'viem';
import { NodeRegistryAbi, TaskMarketAbi } from '../../src/chain/artifacts.js';
import { FAULTS, FailurePhase, FailureReason, RefusalCode } from '../../src/chain/commit-reveal.js';
import { taskStatusName } from '../../src/chain/roles.js';
import type { LocalLedger, StandardScenario } from '../../src/chain/local-ledger.js';
import { balances, commitAll, expectRevert, openings, RESULT_A, revealAll, setupStandardScenario, startLocalLedger, TOKEN } from './fixture.js';

let env: Awaited<ReturnType<typeof startLocalLedger>>;
let ledger: LocalLedger;
let s: StandardScenario;
let SLASH: bigint;
const STAKE = 1000n * TOKEN;

before(async () => {
  env = await startLocalLedger();
  ledger = env.ledger;
  s = await setupStandardScenario(ledger, { nodeStake: STAKE });
  SLASH = BigInt(ledger.manifest.parameters.slashAmount);
});
after(() => env?.stop());

/** Payment balances of requester, owner, compute x3, market, registry + data tokens, stakes, burnt. */
async function snapshot() {
  const m = ledger.manifest.contracts;
  const who: Address[] = [s.requester.address, s.dataOwner.address, ...s.compute.map((c) => c.address), m.TaskMarket, m.NodeRegistry];
  const pay = await balances(ledger, m.PaymentToken, who);
  const data = await balances(ledger, s.dataToken, [s.requester.address, m.TaskMarket]);
  const stakes = await Promise.all([s.dataOwner, ...s.compute].map(async (a) => (await ledger.contracts.nodeRegistry.read.getNode([a.address])).stake));
  const burnt = await ledger.contracts.nodeRegistry.read.burntStake();
  return { pay, data, stakes, burnt };
}

/** The requester is exactly whole, nobody else gained, the market is empty, stakes cut by `cuts` (owner, c0, c1, c2) and burnt. */
async function assertRefunded(before: Awaited<ReturnType<typeof snapshot>>, cuts: bigint[]) {
  const now = await snapshot();
  assert.deepEqual(now.pay.map((b, i) => b - before.pay[i]!), [0n, 0n, 0n, 0n, 0n, 0n, 0n], 'no payment token moved to anyone: the requester is refunded exactly, slashed stake stays burnt in the registry');
  assert.equal(now.pay[5], 0n, 'market holds no payment token');
  assert.deepEqual(now.data.map((b, i) => b - before.data[i]!), [0n, 0n], 'data token back with the requester');
  assert.equal(now.data[1], 0n, 'market holds no data token');
  assert.deepEqual(now.stakes.map((b, i) => before.stakes[i]! - b), cuts);
  assert.equal(now.burnt - before.burnt, cuts.reduce((a, b) => a + b, 0n), 'every slashed unit is burnt');
}

async function newTask(overrides = {}) {
  const { taskId } = await ledger.createTask(s.requester, await s.spec(overrides));
  return taskId;
}

async function acceptAll(taskId: bigint, nodes: Account[] = [s.dataOwner, ...s.compute]) {
  for (const node of nodes) await ledger.accept(node, taskId);
}

const slashedIn = (logs: Parameters<typeof parseEventLogs>[0]['logs']) =>
  parseEventLogs({ abi: TaskMarketAbi, eventName: 'TaskPartySlashed', logs }).map((e) => [e.args.node, e.args.amount, FAULTS[e.args.fault]]);

test('refusal by a party that has not accepted: reason on-chain, full refund, no slash', async () => {
  const before = await snapshot();
  const taskId = await newTask();
  await ledger.accept(s.dataOwner, taskId);
  await ledger.accept(s.compute[0], taskId);
  await expectRevert(ledger.refuse(s.compute[0], taskId, RefusalCode.Policy, 'changed my mind'), 'TaskMarketAlreadyAccepted');
  await expectRevert(ledger.refuse(s.compute[1], taskId, RefusalCode.Data, 'x'.repeat(161)), 'TaskMarketReasonTooLong');
  const r = await ledger.refuse(s.compute[1], taskId, RefusalCode.Data, 'column "balance" (balanceColumn) is not in dataset 1');
  const [ev] = parseEventLogs({ abi: TaskMarketAbi, eventName: 'TaskRefused', logs: r.logs });
  assert.equal(ev!.args.node, s.compute[1].address);
  assert.equal(ev!.args.code, RefusalCode.Data);
  assert.match(ev!.args.reason, /balanceColumn/);
  assert.equal(taskStatusName((await ledger.getTask(taskId)).status), 'Refused');
  await assertRefunded(before, [0n, 0n, 0n, 0n]);
  await expectRevert(ledger.accept(s.compute[2], taskId), 'TaskMarketWrongStatus');
});

test('expiry before every party accepted (e.g. a receiver withholding consent): full refund, nobody slashed', async () => {
  const before = await snapshot();
  const taskId = await newTask();
  await acceptAll(taskId, [s.dataOwner, s.compute[1], s.compute[2]]); // the receiver (compute[0]) never consents
  await expectRevert(ledger.expire(s.requester, taskId), 'TaskMarketNotExpired');
  await ledger.increaseTime(3601);
  await expectRevert(ledger.accept(s.compute[0], taskId), 'TaskMarketDeadlinePassed');
  await ledger.expire(s.compute[2], taskId); // anyone may expire
  assert.equal(taskStatusName((await ledger.getTask(taskId)).status), 'Expired');
  await assertRefunded(before, [0n, 0n, 0n, 0n]);
});

test('expiry of a running task slashes only the compute party that neither committed nor reported', async () => {
  const before = await snapshot();
  const taskId = await newTask();
  await acceptAll(taskId);
  const ops = openings(3);
  await commitAll(ledger, taskId, [s.compute[0]], ops);
  await ledger.reportFailure(s.compute[1], taskId, FailurePhase.Compute, FailureReason.Timeout, s.compute[2].address);
  await ledger.increaseTime(3601);
  await expectRevert(ledger.commit(s.compute[2], taskId, RESULT_A), 'TaskMarketDeadlinePassed');
  const r = await ledger.expire(s.requester, taskId);
  assert.deepEqual(slashedIn(r.logs), [[s.compute[2].address, SLASH, 'Silent']]);
  assert.equal(parseEventLogs({ abi: NodeRegistryAbi, eventName: 'NodeSlashed', logs: r.logs }).length, 1);
  await assertRefunded(before, [0n, 0n, 0n, SLASH]);
});

test('failure reports: a party blamed by more than half of all compute parties is slashed at once; its accuser is not', async () => {
  const before = await snapshot();
  const taskId = await newTask();
  await acceptAll(taskId);
  await ledger.reportFailure(s.compute[0], taskId, FailurePhase.Compute, FailureReason.Disconnected, s.compute[2].address);
  await ledger.reportFailure(s.compute[1], taskId, FailurePhase.Compute, FailureReason.Disconnected, s.compute[2].address);
  // c2 lies, blaming c0: alone it is not enough.
  const r = await ledger.reportFailure(s.compute[2], taskId, FailurePhase.Compute, FailureReason.Malformed, s.compute[0].address);
  assert.equal(taskStatusName((await ledger.getTask(taskId)).status), 'Failed', 'everyone reported: the task fails at once');
  assert.deepEqual(slashedIn(r.logs), [[s.compute[2].address, SLASH, 'BlamedByReports']]);
  await assertRefunded(before, [0n, 0n, 0n, SLASH]);
});

test('failure reports: one accuser, or blame of nobody, slashes nobody', async () => {
  const before = await snapshot();
  const taskId = await newTask();
  await acceptAll(taskId);
  await commitAll(ledger, taskId, [s.compute[0]], openings(3));
  await ledger.reportFailure(s.compute[1], taskId, FailurePhase.Compute, FailureReason.Malformed, s.compute[0].address);
  const r = await ledger.reportFailure(s.compute[2], taskId, FailurePhase.Compute, FailureReason.Aborted, zeroAddress);
  assert.equal(taskStatusName((await ledger.getTask(taskId)).status), 'Failed');
  assert.deepEqual(slashedIn(r.logs), []);
  await assertRefunded(before, [0n, 0n, 0n, 0n]);
});

test('a data owner (or receiver) blamed by a majority of the compute parties is slashed', async () => {
  const before = await snapshot();
  const taskId = await newTask();
  await acceptAll(taskId);
  await ledger.reportFailure(s.compute[0], taskId, FailurePhase.Connect, FailureReason.Timeout, s.dataOwner.address);
  await ledger.reportFailure(s.compute[1], taskId, FailurePhase.Connect, FailureReason.Timeout, s.dataOwner.address);
  // The data owner's own report counts for nothing against others.
  await ledger.reportFailure(s.dataOwner, taskId, FailurePhase.Connect, FailureReason.Timeout, s.compute[0].address);
  const r = await ledger.reportFailure(s.compute[2], taskId, FailurePhase.Connect, FailureReason.Timeout, zeroAddress);
  assert.deepEqual(slashedIn(r.logs), [[s.dataOwner.address, SLASH, 'BlamedByReports']]);
  await assertRefunded(before, [SLASH, 0n, 0n, 0n]);
});

test('two compute parties blaming each other prove nothing: nobody is slashed', async () => {
  const before = await snapshot();
  const taskId = await newTask({ computeParties: [s.compute[0].address, s.compute[1].address] });
  await acceptAll(taskId, [s.dataOwner, s.compute[0], s.compute[1]]);
  await ledger.reportFailure(s.compute[0], taskId, FailurePhase.Compute, FailureReason.Malformed, s.compute[1].address);
  const r = await ledger.reportFailure(s.compute[1], taskId, FailurePhase.Compute, FailureReason.Malformed, s.compute[0].address);
  assert.deepEqual(slashedIn(r.logs), []);
  await assertRefunded(before, [0n, 0n, 0n, 0n]);
});

test('reportFailure is checked: parties only, once, not after committing, never blaming oneself or a stranger', async () => {
  const taskId = await newTask();
  await expectRevert(ledger.reportFailure(s.compute[0], taskId, 1, 1, zeroAddress), 'TaskMarketWrongStatus');
  await acceptAll(taskId);
  await expectRevert(ledger.reportFailure(s.requester, taskId, 1, 1, zeroAddress), 'TaskMarketNotParty');
  await expectRevert(ledger.reportFailure(s.compute[0], taskId, 1, 1, s.compute[0].address), 'TaskMarketBadBlame');
  await expectRevert(ledger.reportFailure(s.compute[0], taskId, 1, 1, s.requester.address), 'TaskMarketNotParty');
  await ledger.reportFailure(s.compute[0], taskId, 1, 1, zeroAddress);
  await expectRevert(ledger.reportFailure(s.compute[0], taskId, 1, 1, zeroAddress), 'TaskMarketAlreadyReported');
  await expectRevert(ledger.commit(s.compute[0], taskId, RESULT_A), 'TaskMarketAlreadyReported');
  await commitAll(ledger, taskId, [s.compute[1]], openings(3));
  await expectRevert(ledger.reportFailure(s.compute[1], taskId, 1, 1, zeroAddress), 'TaskMarketAlreadyCommitted');
  await ledger.reportFailure(s.compute[2], taskId, 1, 1, zeroAddress);
  assert.equal(taskStatusName((await ledger.getTask(taskId)).status), 'Failed');
});

test('digests that disagree: Disputed; resolve slashes the party inconsistent with the agreeing majority', async () => {
  const before = await snapshot();
  const taskId = await newTask();
  await acceptAll(taskId);
  const ops = openings(3, 1); // compute[1] claims other link digests than its peers saw
  await commitAll(ledger, taskId, s.compute, ops);
  const [, , last] = await revealAll(ledger, taskId, s.compute, ops);
  assert.equal(parseEventLogs({ abi: TaskMarketAbi, eventName: 'TaskDisputed', logs: last!.logs }).length, 1);
  assert.equal(taskStatusName((await ledger.getTask(taskId)).status), 'Disputed');
  // Openings must be the committed ones.
  await expectRevert(ledger.resolve(s.requester, taskId, ops.map((o) => o.claims), [ops[1]!.salt, ops[1]!.salt, ops[2]!.salt]), 'TaskMarketBadOpening');
  const r = await ledger.resolve(s.requester, taskId, ops.map((o) => o.claims), ops.map((o) => o.salt));
  assert.deepEqual(slashedIn(r.logs), [[s.compute[1].address, SLASH, 'BlamedByClaims']]);
  assert.equal(taskStatusName((await ledger.getTask(taskId)).status), 'Failed');
  await assertRefunded(before, [0n, 0n, SLASH, 0n]);
});

test('a disputed task that is not resolved expires with a refund and no slash', async () => {
  const before = await snapshot();
  const taskId = await newTask();
  await acceptAll(taskId);
  const ops = openings(3, 0);
  await commitAll(ledger, taskId, s.compute, ops);
  await revealAll(ledger, taskId, s.compute, ops);
  await ledger.increaseTime(3601);
  const r = await ledger.expire(s.dataOwner, taskId);
  assert.deepEqual(slashedIn(r.logs), []);
  await assertRefunded(before, [0n, 0n, 0n, 0n]);
});

test('a party that commits and never reveals is slashed at expiry; those that revealed are not', async () => {
  const before = await snapshot();
  const taskId = await newTask();
  await acceptAll(taskId);
  const ops = openings(3);
  await commitAll(ledger, taskId, s.compute, ops);
  await revealAll(ledger, taskId, [s.compute[0], s.compute[2]], [ops[0]!, ops[2]!]);
  await ledger.increaseTime(3601);
  const r = await ledger.expire(s.requester, taskId);
  assert.deepEqual(slashedIn(r.logs), [[s.compute[1].address, SLASH, 'Silent']]);
  await assertRefunded(before, [0n, 0n, SLASH, 0n]);
});

test('a slash takes at most what is left of the stake; a drained node is ineligible until topped up', async () => {
  // A node staked at exactly the minimum (100) accepts three tasks at once and stays silent in
  // all three: the penalties are 50, 50 and then 0, as nothing is left.
  const weak = ledger.account(6);
  const min = BigInt(ledger.manifest.parameters.minStake);
  await ledger.registerNode(weak, { roles: 2, name: 'weak', stake: min });
  const computeParties = [s.compute[0].address, weak.address];
  const before = await snapshot();
  const tasks: bigint[] = [];
  for (let k = 0; k < 3; k++) {
    const taskId = await newTask({ computeParties });
    for (const node of [s.dataOwner, s.compute[0], weak]) await ledger.accept(node, taskId);
    await commitAll(ledger, taskId, [s.compute[0]], openings(2));
    tasks.push(taskId);
  }
  await ledger.increaseTime(3601);
  const amounts: bigint[] = [];
  for (const taskId of tasks) {
    const r = await ledger.expire(s.requester, taskId);
    const [ev] = parseEventLogs({ abi: TaskMarketAbi, eventName: 'TaskPartySlashed', logs: r.logs });
    assert.equal(ev!.args.node, weak.address);
    amounts.push(ev!.args.amount);
  }
  assert.deepEqual(amounts, [SLASH, min - SLASH, 0n]);
  assert.equal((await ledger.contracts.nodeRegistry.read.getNode([weak.address])).stake, 0n);
  // The requester got fee and data tokens back three times, and nothing more; market empty.
  const now = await snapshot();
  assert.equal(now.pay[0]! - before.pay[0]!, 0n);
  assert.equal(now.pay[5], 0n);
  assert.equal(now.data[0]! - before.data[0]!, 0n);
  assert.equal(now.data[1], 0n);
  assert.equal(now.burnt - before.burnt, min);

  assert.equal(await ledger.contracts.nodeRegistry.read.isEligible([weak.address, 2]), false);
  await expectRevert(ledger.createTask(s.requester, await s.spec({ computeParties })), 'TaskMarketNodeNotEligible');
  await ledger.mint(weak.address, min);
  await ledger.approve(weak, ledger.manifest.contracts.PaymentToken, ledger.manifest.contracts.NodeRegistry, min);
  await ledger.tx(weak, 'addStake', (w) =>
    w.writeContract({ address: ledger.manifest.contracts.NodeRegistry, abi: NodeRegistryAbi, functionName: 'addStake', args: [min] }),
  );
  assert.equal(await ledger.contracts.nodeRegistry.read.isEligible([weak.address, 2]), true);
});
