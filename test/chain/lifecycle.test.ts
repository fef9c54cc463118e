/**
 * The happy path of a task on a real anvil: create (fee and data token escrowed), accept by
 * all four involved nodes (the receiver among them), three salted commitments, three reveals
 * whose link digests agree, automatic settlement on the last reveal.
 * Every balance is checked: requester, data owner, compute parties, the market (back to zero)
 * and the data token supply (one use burnt).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { keccak256, parseEventLogs, toHex } from 'viem';
import { TaskMarketAbi } from '../../src/chain/artifacts.js';
import { DATA_TOKEN_UNIT, Role, taskStatusName } from '../../src/chain/roles.js';
import type { LocalLedger, StandardScenario } from '../../src/chain/local-ledger.js';
import { balances, commitAll, expectRevert, openings, RESULT_A, revealAll, setupStandardScenario, startLocalLedger, TOKEN } from './fixture.js';
import { commitmentOf } from '../../src/chain/commit-reveal.js';

let env: Awaited<ReturnType<typeof startLocalLedger>>;
let ledger: LocalLedger;
let s: StandardScenario;

before(async () => {
  env = await startLocalLedger();
  ledger = env.ledger;
  s = await setupStandardScenario(ledger);
});
after(() => env?.stop());

test('role and status constants mirror the contracts', async () => {
  const r = ledger.contracts.nodeRegistry.read;
  assert.equal(await r.ROLE_DATA(), Role.Data);
  assert.equal(await r.ROLE_COMPUTE(), Role.Compute);
  assert.equal(await r.ROLE_RECEIVER(), Role.Receiver);
  assert.equal(await ledger.contracts.taskMarket.read.DATA_TOKEN_UNIT(), DATA_TOKEN_UNIT);
});

test('full lifecycle: create, accept x4, commit x3, reveal x3 settles, every balance accounted for', async () => {
  const market = ledger.manifest.contracts.TaskMarket;
  const pay = ledger.manifest.contracts.PaymentToken;
  const who = [s.requester.address, s.dataOwner.address, ...s.compute.map((c) => c.address), market];
  const spec = await s.spec({ fee: 100n * TOKEN + 2n }); // 2 units of dust: not divisible by 3
  const pay0 = await balances(ledger, pay, who);
  const data0 = await balances(ledger, s.dataToken, [s.requester.address, market]);
  const supply0 = await ledger.contracts.dataToken(s.dataToken).read.totalSupply();

  const { taskId, receipt: created } = await ledger.createTask(s.requester, spec);
  // Escrow: fee and one data token moved into the market.
  const pay1 = await balances(ledger, pay, who);
  assert.equal(pay1[0]! - pay0[0]!, -spec.fee);
  assert.equal(pay1[5]! - pay0[5]!, spec.fee);
  const data1 = await balances(ledger, s.dataToken, [s.requester.address, market]);
  assert.deepEqual([data1[0]! - data0[0]!, data1[1]! - data0[1]!], [-DATA_TOKEN_UNIT, DATA_TOKEN_UNIT]);

  const view = await ledger.getTask(taskId);
  assert.equal(taskStatusName(view.status), 'Pending');
  assert.deepEqual(view.parties, [...s.compute.map((c) => c.address), s.dataOwner.address]);
  assert.deepEqual(view.dataPayouts, [0n, 0n, 0n, s.price]);
  assert.deepEqual(view.dataTokens, [s.dataToken]);
  assert.equal(view.nCompute, 3);
  const [ev] = parseEventLogs({ abi: TaskMarketAbi, eventName: 'TaskCreated', logs: created.logs });
  assert.equal(ev!.args.spec.codeHash, spec.codeHash);
  assert.deepEqual(ev!.args.parties, view.parties);

  for (const node of [s.dataOwner, ...s.compute]) await ledger.accept(node, taskId);
  assert.equal(taskStatusName((await ledger.getTask(taskId)).status), 'Running');

  const ops = openings(3);
  await commitAll(ledger, taskId, s.compute, ops);
  assert.equal(taskStatusName((await ledger.getTask(taskId)).status), 'Revealing');
  // A commitment hides the claims and binds them: a wrong salt or claim does not open it.
  await expectRevert(ledger.reveal(s.compute[0], taskId, ops[0]!.claims, ops[1]!.salt), 'TaskMarketBadOpening');
  await expectRevert(ledger.reveal(s.compute[0], taskId, ops[1]!.claims, ops[0]!.salt), 'TaskMarketBadOpening');
  await expectRevert(ledger.reveal(s.compute[0], taskId, [RESULT_A], ops[0]!.salt), 'TaskMarketBadClaims');
  const [r0, r1, last] = await revealAll(ledger, taskId, s.compute, ops);
  assert.equal(parseEventLogs({ abi: TaskMarketAbi, eventName: 'TaskSettled', logs: [...r0!.logs, ...r1!.logs] }).length, 0);
  const [settled] = parseEventLogs({ abi: TaskMarketAbi, eventName: 'TaskSettled', logs: last!.logs });
  assert.ok(settled, 'the last reveal settles the task');
  const computePool = spec.fee - s.price;
  const share = computePool / 3n;
  const dust = computePool - share * 3n;
  assert.equal(dust, 2n);
  assert.deepEqual(
    [settled.args.dataPayout, settled.args.computeShare, settled.args.refund],
    [s.price, share, dust],
  );

  const pay2 = await balances(ledger, pay, who);
  const change = pay2.map((b, i) => b - pay0[i]!);
  assert.deepEqual(change, [-spec.fee + dust, s.price, share, share, share, 0n]);
  assert.equal(pay2[5], 0n, 'the market holds no payment token after settlement');
  const data2 = await balances(ledger, s.dataToken, [s.requester.address, market]);
  assert.deepEqual([data2[0]! - data0[0]!, data2[1]], [-DATA_TOKEN_UNIT, 0n]);
  assert.equal(await ledger.contracts.dataToken(s.dataToken).read.totalSupply(), supply0 - DATA_TOKEN_UNIT, 'one use burnt');

  const done = await ledger.getTask(taskId);
  assert.equal(taskStatusName(done.status), 'Settled');
  assert.equal(done.committed, 0b111);
  assert.equal(done.revealed, 0b111);
  assert.equal(done.accepted, 0b1111);
  assert.equal(
    await ledger.contracts.taskMarket.read.commitmentOf([taskId, s.compute[1].address]),
    commitmentOf(market, ledger.manifest.chainId, taskId, s.compute[1].address, ops[1]!),
  );

  // Nothing more can happen to a settled task: no second settlement, commit, refusal or expiry.
  await expectRevert(ledger.commit(s.compute[0], taskId, RESULT_A), 'TaskMarketWrongStatus');
  await expectRevert(ledger.reveal(s.compute[0], taskId, ops[0]!.claims, ops[0]!.salt), 'TaskMarketWrongStatus');
  await expectRevert(ledger.accept(s.dataOwner, taskId), 'TaskMarketWrongStatus');
  await expectRevert(ledger.refuse(s.dataOwner, taskId), 'TaskMarketWrongStatus');
  await ledger.increaseTime(7200);
  await expectRevert(ledger.expire(s.requester, taskId), 'TaskMarketWrongStatus');
});

test('a data owner that is also a compute party is one party, paid price + share in one transfer', async () => {
  // Make the data owner a compute node too and run a 2-party task: owner + compute[0].
  await ledger.tx(s.dataOwner, 'updateNode', (w) =>
    w.writeContract({
      address: ledger.manifest.contracts.NodeRegistry,
      abi: ledger.contracts.nodeRegistry.abi,
      functionName: 'updateNode',
      args: ['bank-a', '127.0.0.1:1', `0x${'11'.repeat(32)}`, Role.Data | Role.Compute],
    }),
  );
  const spec = await s.spec({ computeParties: [s.dataOwner.address, s.compute[0].address], fee: 30n * TOKEN });
  const pay = ledger.manifest.contracts.PaymentToken;
  const who = [s.requester.address, s.dataOwner.address, s.compute[0].address, ledger.manifest.contracts.TaskMarket];
  const before = await balances(ledger, pay, who);
  const { taskId } = await ledger.createTask(s.requester, spec);
  const view = await ledger.getTask(taskId);
  assert.deepEqual(view.parties, [s.dataOwner.address, s.compute[0].address]);
  assert.deepEqual(view.dataPayouts, [s.price, 0n]);
  await ledger.accept(s.dataOwner, taskId);
  await ledger.accept(s.compute[0], taskId);
  const ops = openings(2);
  await commitAll(ledger, taskId, [s.dataOwner, s.compute[0]], ops);
  await revealAll(ledger, taskId, [s.dataOwner, s.compute[0]], ops);
  const after = await balances(ledger, pay, who);
  const share = (30n * TOKEN - s.price) / 2n;
  assert.deepEqual(
    after.map((b, i) => b - before[i]!),
    [-30n * TOKEN, s.price + share, share, 0n],
  );
});

test('gas of one whole task (create, 4 accepts, 3 commits, 3 reveals incl. settlement) is under 1,000,000', async () => {
  const spec = await s.spec();
  const { taskId, receipt } = await ledger.createTask(s.requester, spec);
  let total = receipt.gasUsed;
  for (const node of [s.dataOwner, ...s.compute]) total += (await ledger.accept(node, taskId)).gasUsed;
  const ops = openings(3);
  for (const r of await commitAll(ledger, taskId, s.compute, ops)) total += r.gasUsed;
  for (const r of await revealAll(ledger, taskId, s.compute, ops)) total += r.gasUsed;
  assert.equal(taskStatusName((await ledger.getTask(taskId)).status), 'Settled');
  assert.ok(total < 1_000_000n, `whole task used ${total} gas`);
});

test('a receiver that is not a compute party or data owner is a party: it must accept too', async () => {
  const receiver = ledger.account(9);
  await ledger.registerNode(receiver, { roles: Role.Receiver, name: 'insurer' });
  const { taskId } = await ledger.createTask(s.requester, await s.spec({ receiver: receiver.address }));
  const view = await ledger.getTask(taskId);
  assert.deepEqual(view.parties, [...s.compute.map((c) => c.address), s.dataOwner.address, receiver.address]);
  assert.equal(view.receiverIndex, 4);
  assert.equal(view.receiver, receiver.address);
  for (const node of [s.dataOwner, ...s.compute]) await ledger.accept(node, taskId);
  assert.equal(taskStatusName((await ledger.getTask(taskId)).status), 'Pending', 'still waiting for the receiver');
  await ledger.accept(receiver, taskId);
  assert.equal(taskStatusName((await ledger.getTask(taskId)).status), 'Running');
});

test('getContracts gives typed handles that read and write through viem', async () => {
  const { getContracts } = await import('../../src/chain/contracts.js');
  const { walletClientFor } = await import('../../src/chain/clients.js');
  const wallet = walletClientFor({ rpcUrl: ledger.rpcUrl, chainId: ledger.manifest.chainId, account: s.dataOwner, pollingInterval: 20 });
  const c = getContracts({ public: ledger.pub, wallet }, ledger.manifest);
  assert.equal(await c.taskMarket.read.paymentToken(), ledger.manifest.contracts.PaymentToken);
  assert.equal(await c.dataRegistry.read.nodeRegistry(), ledger.manifest.contracts.NodeRegistry);
  assert.equal(await c.paymentToken.read.decimals(), 18);
  const count = await c.nodeRegistry.read.nodeCount();
  assert.ok(count >= 4n);
  const { taskId } = await ledger.createTask(s.requester, await s.spec());
  const hash = await c.taskMarket.write.refuse([taskId, 0, 'test']);
  await ledger.pub.waitForTransactionReceipt({ hash });
  assert.equal(taskStatusName((await c.taskMarket.read.getTask([taskId])).status), 'Refused');
  assert.equal(await c.dataToken(s.dataToken).read.registry(), ledger.manifest.contracts.DataRegistry);
});

test('createTaskWithParams publishes the parameters in a TaskParams event, checked against paramsHash', async () => {
  const params = toHex(JSON.stringify({ program: 'lr-train', hyper: { epochs: 10 } }));
  const spec = await s.spec({ paramsHash: keccak256(params) });
  const { taskId, receipt } = await ledger.createTaskWithParams(s.requester, spec, params);
  const [ev] = parseEventLogs({ abi: TaskMarketAbi, eventName: 'TaskParams', logs: receipt.logs });
  assert.equal(ev!.args.taskId, taskId);
  assert.equal(ev!.args.params, params);
  await expectRevert(ledger.createTaskWithParams(s.requester, await s.spec({ paramsHash: keccak256(params) }), toHex('tampered')), 'TaskMarketParamsMismatch');
});
