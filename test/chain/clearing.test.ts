/**
 * Clearing.sol on a real anvil: banks lock, the compute parties approve one digest, one
 * settle call moves every bank by exactly its plaintext net position (checked against the
 * queue-removal rule on generated queues); every guard reverts by name; a cycle that does
 * not settle returns every lock after its deadline; gas per bank stays under 30,000.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Account, Address, Hex } from 'viem';
import { approveSettlement, cycleMembers, expireCycle, lockForCycle, openClearingCycle, settleCycle } from '../../src/chain/clearing.js';
import type { LocalLedger } from '../../src/chain/local-ledger.js';
import { settlementDigest } from '../../src/algorithms/clearing/settlement.js';
import { clearExact } from '../../src/algorithms/clearing/plaintext.js';
import { generateQueues } from '../../src/algorithms/clearing/generate.js';
import { deltas, expectRevert, startLocalLedger } from './fixture.js';
import { approveClearingSettlement, createTacitClient, expireClearingCycle, getClearingCycle, lockForClearing, openClearingCycle as sdkOpen, settleClearingCycle } from '../../src/sdk/index.js';

let env: Awaited<ReturnType<typeof startLocalLedger>>;
let ledger: LocalLedger;
let token: Address;
const UNIT = 10n ** 16n; // token units per cent (18 decimals)
const SET: Hex = `0x${'5e'.repeat(32)}`;

before(async () => {
  env = await startLocalLedger();
  ledger = env.ledger;
  token = ledger.manifest.contracts.PaymentToken;
});
after(() => env?.stop());

const banksOf = (n: number) => Array.from({ length: n }, (_, i) => ledger.account(1 + i));
const compute = () => [ledger.account(7), ledger.account(8), ledger.account(9)] as const;

async function openFunded(banks: Account[], locks: bigint[], ttl = 3600n) {
  const deadline = (await ledger.now()) + ttl;
  const { cycleId } = await openClearingCycle(ledger, ledger.account(0), { token, banks: banks.map((b) => b.address), computeParties: compute().map((c) => c.address), deadline });
  for (const [i, b] of banks.entries()) {
    await ledger.mint(b.address, locks[i]! + 1n); // +1: the bank keeps a balance (see docs/clearing.md on gas)
    if (locks[i]! > 0n) await lockForCycle(ledger, b, token, cycleId, locks[i]!);
  }
  return cycleId;
}

test('settle applies the plaintext net positions atomically, within 30,000 gas per bank', async () => {
  const queues = generateQueues({ banks: 6, payments: 60, seed: 3, liquidity: 0.5 });
  const ref = clearExact(queues);
  const banks = banksOf(6);
  const locks = queues.map((q) => BigInt(q.balance) * UNIT);
  const cycleId = await openFunded(banks, locks);
  const nets = ref.banks.map((b) => b.net * UNIT);
  const digest = settlementDigest(cycleId, nets, SET);
  for (const c of compute()) await approveSettlement(ledger, c, cycleId, digest);
  const who = [...banks.map((b) => b.address), ledger.manifest.contracts.Clearing!];
  let gas = 0n;
  const moved = await deltas(ledger, token, who, async () => {
    gas = (await settleCycle(ledger, ledger.account(0), cycleId, nets, SET)).gasUsed;
  });
  assert.deepEqual(moved.slice(0, 6), locks.map((l, i) => l + nets[i]!), 'each bank gets its lock plus its position');
  assert.equal(moved[6], -locks.reduce((a, b) => a + b, 0n), 'the contract keeps nothing');
  assert.ok(gas / 6n < 30_000n, `settle used ${gas} gas, ${gas / 6n} per bank`);
  await expectRevert(settleCycle(ledger, ledger.account(0), cycleId, nets, SET), 'ClearingNotOpen');
});

test('guards: authorisation, balance, overdraft, length, membership', async () => {
  const banks = banksOf(3);
  const cycleId = await openFunded(banks, [100n, 50n, 0n]);
  const good = [-100n, 40n, 60n];
  const [c0, c1, c2] = compute();
  await expectRevert(lockForCycle(ledger, ledger.account(6), token, cycleId, 1n), 'ClearingNotMember');
  await expectRevert(approveSettlement(ledger, banks[0]!, cycleId, settlementDigest(cycleId, good, SET)), 'ClearingNotComputeParty');
  await approveSettlement(ledger, c0, cycleId, settlementDigest(cycleId, good, SET));
  await approveSettlement(ledger, c1, cycleId, settlementDigest(cycleId, good, SET));
  await expectRevert(approveSettlement(ledger, c1, cycleId, settlementDigest(cycleId, good, SET)), 'ClearingAlreadyApproved');
  await expectRevert(settleCycle(ledger, c0, cycleId, good, SET), 'ClearingNotAuthorised'); // c2 has not approved
  await approveSettlement(ledger, c2, cycleId, settlementDigest(cycleId, [-100n, 41n, 59n], SET)); // disagrees
  await expectRevert(settleCycle(ledger, c0, cycleId, good, SET), 'ClearingNotAuthorised');
  await expectRevert(settleCycle(ledger, c0, cycleId, good, SET, '0x01'), 'ClearingUnsupportedAuthorisation');
  await expectRevert(settleCycle(ledger, c0, cycleId, [-100n, 100n], SET), 'ClearingWrongLength');

  // Positions that do not sum to zero, or debit a bank beyond its lock, never settle even if approved.
  const unbalanced = [-100n, 40n, 61n];
  const c2nd = await openFunded(banks, [100n, 50n, 0n]);
  for (const c of compute()) await approveSettlement(ledger, c, c2nd, settlementDigest(c2nd, unbalanced, SET));
  await expectRevert(settleCycle(ledger, c0, c2nd, unbalanced, SET), 'ClearingNotBalanced');
  const overdrawn = [-101n, 41n, 60n];
  const c3rd = await openFunded(banks, [100n, 50n, 0n]);
  for (const c of compute()) await approveSettlement(ledger, c, c3rd, settlementDigest(c3rd, overdrawn, SET));
  await expectRevert(settleCycle(ledger, c0, c3rd, overdrawn, SET), 'ClearingOverdrawn');
});

test('a cycle that does not settle by its deadline returns every lock', async () => {
  const banks = banksOf(4);
  const locks = [300n, 0n, 120n, 5n];
  const cycleId = await openFunded(banks, locks, 600n);
  await expectRevert(expireCycle(ledger, ledger.account(0), cycleId), 'ClearingDeadlineNotReached');
  await ledger.increaseTime(601);
  const digest = settlementDigest(cycleId, [0n, 0n, 0n, 0n], SET);
  await expectRevert(approveSettlement(ledger, compute()[0], cycleId, digest), 'ClearingPastDeadline');
  await expectRevert(lockForCycle(ledger, banks[1]!, token, cycleId, 1n), 'ClearingPastDeadline');
  const who = [...banks.map((b) => b.address), ledger.manifest.contracts.Clearing!];
  const moved = await deltas(ledger, token, who, () => expireCycle(ledger, ledger.account(6), cycleId));
  assert.deepEqual(moved, [...locks, -locks.reduce((a, b) => a + b, 0n)]);
  assert.deepEqual((await cycleMembers(ledger, cycleId)).locked, locks);
  await expectRevert(expireCycle(ledger, ledger.account(0), cycleId), 'ClearingNotOpen');
  await expectRevert(settleCycle(ledger, ledger.account(0), cycleId, [0n, 0n, 0n, 0n], SET), 'ClearingNotOpen');
});

test('openCycle refuses duplicate banks, a single bank and a past deadline', async () => {
  const now = await ledger.now();
  const open = (banks: Address[], deadline: bigint) => openClearingCycle(ledger, ledger.account(0), { token, banks, computeParties: compute().map((c) => c.address), deadline });
  const [a, b] = banksOf(2).map((x) => x.address) as [Address, Address];
  await expectRevert(open([a, a], now + 100n), 'ClearingInvalidCycle');
  await expectRevert(open([a], now + 100n), 'ClearingInvalidCycle');
  await expectRevert(open([a, b], now - 1n), 'ClearingInvalidCycle');
});

test('SDK: a whole cycle through the client actions, and an expired one', async () => {
  const banks = banksOf(3);
  const client = (a: Account) => createTacitClient({ manifest: ledger.manifest, rpcUrl: ledger.rpcUrl, account: a });
  const [c0, c1, c2] = compute();
  const open = () => ledger.now().then((now) => sdkOpen(client(ledger.account(0)), { banks: banks.map((b) => b.address), computeParties: [c0, c1, c2].map((c) => c.address), deadline: now + 600n }));
  const { cycleId } = await open();
  const locks = [500n, 200n, 0n];
  for (const [i, b] of banks.entries()) {
    await ledger.mint(b.address, 1000n);
    if (locks[i]! > 0n) await lockForClearing(client(b), { cycleId, amount: locks[i]! });
  }
  const nets = [-450n, 100n, 350n];
  const digest = settlementDigest(cycleId, nets, SET);
  for (const c of [c0, c1, c2]) await approveClearingSettlement(client(c), { cycleId, digest });
  let cycle = await getClearingCycle(client(c0), { cycleId });
  assert.deepEqual([cycle.state, cycle.locked, cycle.approvals], ['Open', locks, [digest, digest, digest]]);
  const moved = await deltas(ledger, token, banks.map((b) => b.address), () => settleClearingCycle(client(banks[2]!), { cycleId, nets, settledSet: SET }));
  assert.deepEqual(moved, locks.map((l, i) => l + nets[i]!));
  cycle = await getClearingCycle(client(c0), { cycleId });
  assert.equal(cycle.state, 'Settled');

  const second = (await open()).cycleId;
  await lockForClearing(client(banks[0]!), { cycleId: second, amount: 300n });
  await ledger.increaseTime(601);
  const back = await deltas(ledger, token, [banks[0]!.address], () => expireClearingCycle(client(banks[1]!), { cycleId: second }));
  assert.deepEqual(back, [300n]);
  assert.equal((await getClearingCycle(client(c0), { cycleId: second })).state, 'Expired');
});

test('openCycleWithParams publishes the parameters the bank nodes read (CycleParams); empty or oversized params revert', async () => {
  const { parseEventLogs, hexToString } = await import('viem');
  const { ClearingAbi } = await import('../../src/chain/artifacts.js');
  const { decodeCycleParams } = await import('../../src/node/clearing/params.js');
  const client = createTacitClient({ manifest: ledger.manifest, rpcUrl: ledger.rpcUrl, account: ledger.account(0) });
  const banks = banksOf(3).map((b) => b.address);
  const deadline = (await ledger.now()) + 3600n;
  const { cycleId, txHash, params } = await sdkOpen(client, { banks, computeParties: compute().map((c) => c.address), deadline, run: { slots: 8 } });
  assert.deepEqual(params, { program: 'clearing', protocol: 'rep3', slots: 8, iterations: 32, revealAggregates: true, unitsPerCent: UNIT.toString() });
  const receipt = await ledger.pub.getTransactionReceipt({ hash: txHash });
  const ev = parseEventLogs({ abi: ClearingAbi, logs: receipt.logs, eventName: 'CycleParams' });
  assert.equal(ev.length, 1);
  assert.equal(ev[0]!.args.cycleId, cycleId);
  assert.deepEqual(decodeCycleParams(hexToString(ev[0]!.args.params), 3), params);
  const address = ledger.manifest.contracts.Clearing!;
  for (const bytes of ['0x', `0x${'20'.repeat(1025)}`] as const) {
    await expectRevert(
      ledger.tx(ledger.account(0), 'openCycleWithParams', (w) => w.writeContract({ address, abi: ClearingAbi, functionName: 'openCycleWithParams', args: [token, banks, compute().map((c) => c.address), deadline, bytes] })),
      'ClearingInvalidCycle',
    );
  }
});
