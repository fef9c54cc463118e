/**
 * Every way a task can end without settling, with every balance checked: refusal, expiry
 * before and after the task started (non-committers slashed), a commitment mismatch with a
 * majority (minority slashed), a 2-party tie and a 3-way split (refund, no slash), a dispute
 * that then expires, and a slash capped at what is left of a stake. In each case the
 * requester gets the fee and data tokens back and the market ends holding nothing.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { parseEventLogs, type Address } from 'viem';
import { NodeRegistryAbi, TaskMarketAbi } from '../../src/chain/artifacts.js';
import { taskStatusName } from '../../src/chain/roles.js';
import type { LocalLedger, StandardScenario } from '../../src/chain/local-ledger.js';
import {
  balances,
  expectRevert,
  RESULT_A,
  RESULT_B,
  RESULT_C,
  setupStandardScenario,
  startLocalLedger,
  TOKEN,
} from './fixture.js';

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

/** Payment balances of requester, owner, compute x3, market, registry + requester's data tokens. */
async function snapshot() {
  const m = ledger.manifest.contracts;
  const who: Address[] = [s.requester.address, s.dataOwner.address, ...s.compute.map((c) => c.address), m.TaskMarket, m.NodeRegistry];
  const pay = await balances(ledger, m.PaymentToken, who);
  const data = await balances(ledger, s.dataToken, [s.requester.address, m.TaskMarket]);
  const stakes = await Promise.all(
    [s.dataOwner, ...s.compute].map(async (a) => (await ledger.contracts.nodeRegistry.read.getNode([a.address])).stake),
  );
  return { pay, data, stakes };
}

/** Asserts the requester is whole (plus `slashedToRequester`), the market empty, stakes cut by `cuts`. */
async function assertRefunded(before: Awaited<ReturnType<typeof snapshot>>, cuts: bigint[]) {
  const now = await snapshot();
  const totalCut = cuts.reduce((a, b) => a + b, 0n);
  const payChange = now.pay.map((b, i) => b - before.pay[i]!);
  // requester, owner, c0, c1, c2, market, registry
  assert.deepEqual(payChange, [totalCut, 0n, 0n, 0n, 0n, 0n, -totalCut]);
  assert.equal(now.pay[5], 0n, 'market holds no payment token');
  assert.deepEqual(now.data.map((b, i) => b - before.data[i]!), [0n, 0n], 'data token back with the requester');
  assert.equal(now.data[1], 0n, 'market holds no data token');
  assert.deepEqual(now.stakes.map((b, i) => before.stakes[i]! - b), cuts);
}

async function newTask(overrides = {}) {
  const { taskId } = await ledger.createTask(s.requester, await s.spec(overrides));
  return taskId;
}

async function acceptAll(taskId: bigint) {
  for (const node of [s.dataOwner, ...s.compute]) await ledger.accept(node, taskId);
}

test('refusal by a party that has not accepted ends the task with a full refund and no slash', async () => {
  const before = await snapshot();
  const taskId = await newTask();
  await ledger.accept(s.dataOwner, taskId);
  await ledger.accept(s.compute[0], taskId);
  // A party that accepted cannot refuse any more.
  await expectRevert(ledger.refuse(s.compute[0], taskId), 'TaskMarketAlreadyAccepted');
  const r = await ledger.refuse(s.compute[1], taskId);
  const [ev] = parseEventLogs({ abi: TaskMarketAbi, eventName: 'TaskRefused', logs: r.logs });
  assert.equal(ev!.args.node, s.compute[1].address);
  assert.equal(taskStatusName((await ledger.getTask(taskId)).status), 'Refused');
  await assertRefunded(before, [0n, 0n, 0n, 0n]);
  await expectRevert(ledger.accept(s.compute[2], taskId), 'TaskMarketWrongStatus');
});

test('a data owner can refuse too', async () => {
  const before = await snapshot();
  const taskId = await newTask();
  await ledger.refuse(s.dataOwner, taskId);
  await assertRefunded(before, [0n, 0n, 0n, 0n]);
});

test('expiry before every party accepted: full refund, nobody slashed', async () => {
  const before = await snapshot();
  const taskId = await newTask();
  await ledger.accept(s.dataOwner, taskId);
  await ledger.accept(s.compute[0], taskId);
  await expectRevert(ledger.expire(s.requester, taskId), 'TaskMarketNotExpired');
  await ledger.increaseTime(3601);
  await expectRevert(ledger.accept(s.compute[1], taskId), 'TaskMarketDeadlinePassed');
  await ledger.expire(s.compute[2], taskId); // anyone may expire
  assert.equal(taskStatusName((await ledger.getTask(taskId)).status), 'Expired');
  await assertRefunded(before, [0n, 0n, 0n, 0n]);
});

test('expiry of a running task slashes each compute party that did not commit, to the requester', async () => {
  const before = await snapshot();
  const taskId = await newTask();
  await acceptAll(taskId);
  await ledger.commit(s.compute[0], taskId, RESULT_A);
  await ledger.increaseTime(3601);
  await expectRevert(ledger.commit(s.compute[1], taskId, RESULT_A), 'TaskMarketDeadlinePassed');
  const r = await ledger.expire(s.requester, taskId);
  const slashed = parseEventLogs({ abi: TaskMarketAbi, eventName: 'TaskPartySlashed', logs: r.logs });
  assert.deepEqual(
    slashed.map((e) => [e.args.node, e.args.amount]),
    [
      [s.compute[1].address, SLASH],
      [s.compute[2].address, SLASH],
    ],
  );
  const regEvents = parseEventLogs({ abi: NodeRegistryAbi, eventName: 'NodeSlashed', logs: r.logs });
  assert.ok(regEvents.every((e) => e.args.beneficiary === s.requester.address));
  await assertRefunded(before, [0n, 0n, SLASH, SLASH]);
});

test('mismatch with a majority: task fails, requester refunded, the minority slashed', async () => {
  const before = await snapshot();
  const taskId = await newTask();
  await acceptAll(taskId);
  await ledger.commit(s.compute[0], taskId, RESULT_B); // the odd one out commits first
  const r = await ledger.commit(s.compute[1], taskId, RESULT_A);
  assert.equal(parseEventLogs({ abi: TaskMarketAbi, eventName: 'TaskDisputed', logs: r.logs }).length, 1);
  assert.equal(taskStatusName((await ledger.getTask(taskId)).status), 'Disputed');
  const last = await ledger.commit(s.compute[2], taskId, RESULT_A);
  const [failed] = parseEventLogs({ abi: TaskMarketAbi, eventName: 'TaskFailed', logs: last.logs });
  assert.equal(failed!.args.majority, RESULT_A);
  assert.equal(taskStatusName((await ledger.getTask(taskId)).status), 'Failed');
  assert.equal(await ledger.contracts.taskMarket.read.commitmentOf([taskId, s.compute[0].address]), RESULT_B);
  assert.equal(await ledger.contracts.taskMarket.read.commitmentOf([taskId, s.compute[2].address]), RESULT_A);
  await assertRefunded(before, [0n, SLASH, 0n, 0n]);
});

test('2-party tie (1 vs 1): no majority, refund, nobody slashed', async () => {
  const before = await snapshot();
  const taskId = await newTask({ computeParties: [s.compute[0].address, s.compute[1].address] });
  for (const node of [s.dataOwner, s.compute[0], s.compute[1]]) await ledger.accept(node, taskId);
  await ledger.commit(s.compute[0], taskId, RESULT_A);
  const last = await ledger.commit(s.compute[1], taskId, RESULT_B);
  const [failed] = parseEventLogs({ abi: TaskMarketAbi, eventName: 'TaskFailed', logs: last.logs });
  assert.equal(failed!.args.majority, `0x${'00'.repeat(32)}`);
  assert.equal(parseEventLogs({ abi: TaskMarketAbi, eventName: 'TaskPartySlashed', logs: last.logs }).length, 0);
  await assertRefunded(before, [0n, 0n, 0n, 0n]);
});

test('3-way split: no majority, refund, nobody slashed', async () => {
  const before = await snapshot();
  const taskId = await newTask();
  await acceptAll(taskId);
  await ledger.commit(s.compute[0], taskId, RESULT_A);
  await ledger.commit(s.compute[1], taskId, RESULT_B);
  await ledger.commit(s.compute[2], taskId, RESULT_C);
  assert.equal(taskStatusName((await ledger.getTask(taskId)).status), 'Failed');
  await assertRefunded(before, [0n, 0n, 0n, 0n]);
});

test('a disputed task that expires slashes only the missing committer', async () => {
  const before = await snapshot();
  const taskId = await newTask();
  await acceptAll(taskId);
  await ledger.commit(s.compute[0], taskId, RESULT_A);
  await ledger.commit(s.compute[1], taskId, RESULT_B);
  await ledger.increaseTime(3601);
  await ledger.expire(s.dataOwner, taskId);
  await assertRefunded(before, [0n, 0n, 0n, SLASH]);
});

test('a slash takes at most what is left of the stake; a drained node is ineligible until topped up', async () => {
  // A node staked at exactly the minimum (100) accepts three tasks at once and misses all three:
  // the penalties are 50, 50 and then 0, as nothing is left.
  const weak = ledger.account(6);
  const min = BigInt(ledger.manifest.parameters.minStake);
  await ledger.registerNode(weak, { roles: 2, name: 'weak', stake: min });
  const computeParties = [s.compute[0].address, weak.address];
  const before = await snapshot();
  const tasks: bigint[] = [];
  for (let k = 0; k < 3; k++) {
    const taskId = await newTask({ computeParties });
    for (const node of [s.dataOwner, s.compute[0], weak]) await ledger.accept(node, taskId);
    await ledger.commit(s.compute[0], taskId, RESULT_A);
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
  // Requester got fee and data tokens back three times plus the 100 slashed; market empty.
  const now = await snapshot();
  assert.equal(now.pay[0]! - before.pay[0]!, min);
  assert.equal(now.pay[5], 0n);
  assert.equal(now.data[0]! - before.data[0]!, 0n);
  assert.equal(now.data[1], 0n);

  assert.equal(await ledger.contracts.nodeRegistry.read.isEligible([weak.address, 2]), false);
  await expectRevert(ledger.createTask(s.requester, await s.spec({ computeParties })), 'TaskMarketNodeNotEligible');
  await ledger.mint(weak.address, min);
  await ledger.approve(weak, ledger.manifest.contracts.PaymentToken, ledger.manifest.contracts.NodeRegistry, min);
  await ledger.tx(weak, 'addStake', (w) =>
    w.writeContract({ address: ledger.manifest.contracts.NodeRegistry, abi: NodeRegistryAbi, functionName: 'addStake', args: [min] }),
  );
  assert.equal(await ledger.contracts.nodeRegistry.read.isEligible([weak.address, 2]), true);
});
