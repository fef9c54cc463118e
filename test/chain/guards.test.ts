/**
 * Every guard of the contracts, each matched by the NAME of the custom error it reverts with
 * (decoded by viem from the revert data): task creation checks, who may accept, refuse,
 * commit and expire and when, double accept/commit, the registries' role and owner checks,
 * paused and retired datasets, the node exit delay, and slashing reserved to the TaskMarket.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { zeroAddress, type Address, type Hex } from 'viem';
import { DataRegistryAbi, DataTokenAbi, NodeRegistryAbi, TaskMarketAbi, TaskMarketBytecode } from '../../src/chain/artifacts.js';
import type { LocalLedger, StandardScenario } from '../../src/chain/local-ledger.js';
import { DatasetStatus } from '../../src/chain/roles.js';
import { expectRevert, RESULT_A, setupStandardScenario, startLocalLedger, TOKEN, commitAll, openings, revealAll } from './fixture.js';

let env: Awaited<ReturnType<typeof startLocalLedger>>;
let ledger: LocalLedger;
let s: StandardScenario;
let m: LocalLedger['manifest']['contracts'];

before(async () => {
  env = await startLocalLedger();
  ledger = env.ledger;
  m = ledger.manifest.contracts;
  s = await setupStandardScenario(ledger);
});
after(() => env?.stop());

const FP: Hex = `0x${'fe'.repeat(32)}`;

function registry(account = ledger.account(9)) {
  const send = (functionName: string, args: readonly unknown[]) =>
    ledger.tx(account, functionName, (w) =>
      w.writeContract({ address: m.NodeRegistry, abi: NodeRegistryAbi, functionName, args } as any),
    );
  return send;
}

function dataRegistry(account: ReturnType<LocalLedger['account']>) {
  return (functionName: string, args: readonly unknown[]) =>
    ledger.tx(account, functionName, (w) =>
      w.writeContract({ address: m.DataRegistry, abi: DataRegistryAbi, functionName, args } as any),
    );
}

// ------------------------------------------------------------------ TaskMarket.createTask

test('createTask rejects malformed specs, each with its own error', async () => {
  const c = s.compute.map((a) => a.address);
  const now = await ledger.now();
  const cases: [Partial<Awaited<ReturnType<StandardScenario['spec']>>>, string][] = [
    [{ computeParties: [] }, 'TaskMarketNoComputeParties'],
    [{ computeParties: [c[0]!, c[0]!] }, 'TaskMarketDuplicateParty'],
    [{ datasetIds: [s.datasetId, s.datasetId] }, 'TaskMarketDuplicateDataset'],
    [{ deadline: now - 1n }, 'TaskMarketBadDeadline'],
    [{ deadline: now + BigInt(ledger.manifest.parameters.maxTaskDuration) + 100n }, 'TaskMarketBadDeadline'],
    [{ receiver: s.compute[1].address }, 'TaskMarketNodeNotEligible'], // no receiver role
    [{ computeParties: [s.dataOwner.address] }, 'TaskMarketNodeNotEligible'], // no compute role
    [{ computeParties: [ledger.account(8).address] }, 'TaskMarketNodeNotEligible'], // not registered
    [{ datasetIds: [999n] }, 'TaskMarketDatasetUnavailable'],
    [{ algorithmId: `0x${'0b'.repeat(32)}` }, 'TaskMarketAlgorithmNotAllowed'],
    [{ fee: s.price - 1n }, 'TaskMarketFeeBelowPrices'],
    [{ computeParties: Array.from({ length: 17 }, (_, i) => `0x${(i + 1).toString(16).padStart(40, '0')}` as Address) }, 'TaskMarketTooManyParties'],
    [{ datasetIds: Array.from({ length: 17 }, (_, i) => BigInt(i + 1)) }, 'TaskMarketTooManyDatasets'],
  ];
  for (const [override, name] of cases) {
    await expectRevert(ledger.createTask(s.requester, await s.spec(override)), name);
  }
});

test('createTask without allowance or funds reverts with the token error', async () => {
  const poor = ledger.account(7);
  await expectRevert(ledger.createTask(poor, await s.spec()), 'ERC20InsufficientAllowance');
});

// ------------------------------------------------------------------ accept / refuse / commit / expire

test('accept, refuse, commit and expire enforce party, status, uniqueness and deadline', async () => {
  const stranger = ledger.account(8);
  await expectRevert(ledger.accept(s.dataOwner, 12345n), 'TaskMarketUnknownTask');
  await expectRevert(ledger.expire(s.dataOwner, 12345n), 'TaskMarketUnknownTask');
  const { taskId } = await ledger.createTask(s.requester, await s.spec());
  await expectRevert(ledger.accept(stranger, taskId), 'TaskMarketNotParty');
  await expectRevert(ledger.accept(s.requester, taskId), 'TaskMarketNotParty');
  await expectRevert(ledger.refuse(stranger, taskId), 'TaskMarketNotParty');
  await ledger.accept(s.dataOwner, taskId);
  await expectRevert(ledger.accept(s.dataOwner, taskId), 'TaskMarketAlreadyAccepted');
  await expectRevert(ledger.refuse(s.dataOwner, taskId), 'TaskMarketAlreadyAccepted');
  // Commitments only once the task runs; reveals only once all have committed.
  await expectRevert(ledger.commit(s.compute[0], taskId, RESULT_A), 'TaskMarketWrongStatus');
  for (const node of s.compute) await ledger.accept(node, taskId);
  await expectRevert(ledger.refuse(s.compute[0], taskId), 'TaskMarketWrongStatus');
  await expectRevert(ledger.commit(s.dataOwner, taskId, RESULT_A), 'TaskMarketNotComputeParty');
  await expectRevert(ledger.commit(stranger, taskId, RESULT_A), 'TaskMarketNotComputeParty');
  await expectRevert(ledger.commit(s.compute[0], taskId, `0x${'00'.repeat(32)}`), 'TaskMarketZeroCommitment');
  const ops = openings(3);
  await commitAll(ledger, taskId, [s.compute[0]], ops);
  await expectRevert(ledger.commit(s.compute[0], taskId, RESULT_A), 'TaskMarketAlreadyCommitted');
  await expectRevert(ledger.reveal(s.compute[0], taskId, ops[0]!.claims, ops[0]!.salt), 'TaskMarketWrongStatus');
  await expectRevert(ledger.expire(stranger, taskId), 'TaskMarketNotExpired');
  await commitAll(ledger, taskId, [s.compute[1], s.compute[2]], ops.slice(1));
  await expectRevert(ledger.reveal(s.dataOwner, taskId, ops[0]!.claims, ops[0]!.salt), 'TaskMarketNotComputeParty');
  await revealAll(ledger, taskId, [s.compute[0]], ops);
  await expectRevert(ledger.reveal(s.compute[0], taskId, ops[0]!.claims, ops[0]!.salt), 'TaskMarketAlreadyRevealed');
  await expectRevert(ledger.resolve(stranger, taskId, ops.map((o) => o.claims), ops.map((o) => o.salt)), 'TaskMarketWrongStatus');
  await revealAll(ledger, taskId, s.compute.slice(1), ops.slice(1)); // settles
  await expectRevert(ledger.commit(s.compute[2], taskId, RESULT_A), 'TaskMarketWrongStatus');
});

test('an exiting node cannot accept', async () => {
  const node = ledger.account(6);
  await ledger.registerNode(node, { roles: 2 });
  const { taskId } = await ledger.createTask(s.requester, await s.spec({ computeParties: [node.address] }));
  await registry(node)('requestExit', []);
  await expectRevert(ledger.accept(node, taskId), 'TaskMarketNodeNotEligible');
  await ledger.refuse(node, taskId); // it can still decline, which refunds the requester
});

// ------------------------------------------------------------------ NodeRegistry

test('NodeRegistry: registration checks', async () => {
  const a = ledger.account(9);
  const min = BigInt(ledger.manifest.parameters.minStake);
  await ledger.mint(a.address, 10n * min);
  await ledger.approve(a, m.PaymentToken, m.NodeRegistry, 10n * min);
  const reg = registry(a);
  await expectRevert(reg('register', ['n', 'e', FP, 0, min]), 'NodeRegistryInvalidRoles');
  await expectRevert(reg('register', ['n', 'e', FP, 8, min]), 'NodeRegistryInvalidRoles');
  await expectRevert(reg('register', ['', 'e', FP, 1, min]), 'NodeRegistryInvalidProfile');
  await expectRevert(reg('register', ['n', '', FP, 1, min]), 'NodeRegistryInvalidProfile');
  await expectRevert(reg('register', ['n', 'e', FP, 1, min - 1n]), 'NodeRegistryStakeTooLow');
  await expectRevert(reg('updateNode', ['n', 'e', FP, 1]), 'NodeRegistryNotRegistered');
  await expectRevert(reg('addStake', [1n]), 'NodeRegistryNotRegistered');
  await expectRevert(reg('requestExit', []), 'NodeRegistryNotRegistered');
  await expectRevert(reg('withdrawStake', []), 'NodeRegistryNotRegistered');
  await reg('register', ['n', 'e', FP, 1, min]);
  await expectRevert(reg('register', ['n', 'e', FP, 1, min]), 'NodeRegistryAlreadyRegistered');
  await expectRevert(reg('addStake', [0n]), 'NodeRegistryZeroAmount');
  await expectRevert(reg('withdrawStake', []), 'NodeRegistryNotExiting');
  const info = await ledger.contracts.nodeRegistry.read.getNode([a.address]);
  assert.deepEqual([info.name, info.endpoint, info.tlsFingerprint, info.roles, info.stake], ['n', 'e', FP, 1, min]);
});

test('NodeRegistry: exit delay — stake stays locked (and slashable) until the delay has passed', async () => {
  const a = ledger.account(9); // registered by the previous test
  const reg = registry(a);
  const before = await ledger.paymentBalance(a.address);
  await reg('requestExit', []);
  await expectRevert(reg('requestExit', []), 'NodeRegistryExiting');
  await expectRevert(reg('updateNode', ['n', 'e', FP, 1]), 'NodeRegistryExiting');
  await expectRevert(reg('addStake', [1n]), 'NodeRegistryExiting');
  assert.equal(await ledger.contracts.nodeRegistry.read.isEligible([a.address, 0]), false);
  await expectRevert(reg('withdrawStake', []), 'NodeRegistryExitDelayPending');
  await ledger.increaseTime(ledger.manifest.parameters.exitDelay - 60);
  await expectRevert(reg('withdrawStake', []), 'NodeRegistryExitDelayPending');
  await ledger.increaseTime(120);
  await reg('withdrawStake', []);
  const min = BigInt(ledger.manifest.parameters.minStake);
  assert.equal((await ledger.paymentBalance(a.address)) - before, min);
  assert.equal((await ledger.contracts.nodeRegistry.read.getNode([a.address])).registered, false);
});

test('NodeRegistry: only the TaskMarket slashes; only the deployer binds, once', async () => {
  const deployer = ledger.account(0);
  await expectRevert(registry(deployer)('slash', [s.compute[0].address, 1n]), 'NodeRegistryNotTaskMarket');
  await expectRevert(registry(s.requester)('slash', [s.compute[0].address, 1n]), 'NodeRegistryNotTaskMarket');
  await expectRevert(registry(s.requester)('bindTaskMarket', [s.requester.address]), 'NodeRegistryNotBinder');
  await expectRevert(registry(deployer)('bindTaskMarket', [deployer.address]), 'NodeRegistryAlreadyBound');
  assert.equal(await ledger.contracts.nodeRegistry.read.taskMarket(), m.TaskMarket);
});

// ------------------------------------------------------------------ DataRegistry + DataToken

test('DataRegistry: only eligible data nodes list; only the owner updates; paused and retired datasets are refused', async () => {
  const listing = {
    schemaHash: `0x${'5c'.repeat(32)}`,
    contentCommitment: `0x${'c0'.repeat(32)}`,
    rowCount: 10n,
    price: 1n,
    metadataURI: 'x',
    allowedAlgorithms: [s.algorithmId],
    initialSupply: 0n,
  };
  await expectRevert(dataRegistry(ledger.account(8))('list', [listing]), 'DataRegistryNotDataNode');
  await expectRevert(dataRegistry(s.compute[1])('list', [listing]), 'DataRegistryNotDataNode'); // compute-only node
  await expectRevert(dataRegistry(s.dataOwner)('list', [{ ...listing, schemaHash: `0x${'00'.repeat(32)}` }]), 'DataRegistryInvalidListing');

  const { datasetId, token } = await ledger.listDataset(s.dataOwner, { price: 5n * TOKEN, algorithms: [s.algorithmId], initialSupply: 3n * TOKEN });
  const owner = dataRegistry(s.dataOwner);
  const other = dataRegistry(s.requester);
  await expectRevert(other('setPrice', [datasetId, 1n]), 'DataRegistryNotOwner');
  await expectRevert(other('updatePolicy', [datasetId, [], [s.algorithmId]]), 'DataRegistryNotOwner');
  await expectRevert(other('pause', [datasetId]), 'DataRegistryNotOwner');
  await expectRevert(other('retire', [datasetId]), 'DataRegistryNotOwner');
  await expectRevert(owner('pause', [777n]), 'DataRegistryUnknownDataset');
  await expectRevert(owner('unpause', [datasetId]), 'DataRegistryWrongStatus');

  // Data token: only the dataset owner mints; a clone initialises once.
  await ledger.tx(s.dataOwner, 'transfer', (w) =>
    w.writeContract({ address: token, abi: DataTokenAbi, functionName: 'transfer', args: [s.requester.address, 3n * TOKEN] }),
  );
  await ledger.approve(s.requester, token, m.TaskMarket, 2n ** 255n);
  await expectRevert(
    ledger.tx(s.requester, 'mint', (w) => w.writeContract({ address: token, abi: DataTokenAbi, functionName: 'mint', args: [s.requester.address, 1n] })),
    'DataTokenNotDatasetOwner',
  );
  await expectRevert(
    ledger.tx(s.requester, 'initialize', (w) =>
      w.writeContract({ address: token, abi: DataTokenAbi, functionName: 'initialize', args: [1n, 'x', 'x', s.requester.address, 1n] }),
    ),
    'DataTokenAlreadyInitialized',
  );
  const dt = ledger.contracts.dataToken(token);
  assert.equal(await dt.read.name(), `Tacit Data #${datasetId}`);
  assert.equal(await dt.read.symbol(), `TD${datasetId}`);
  assert.equal(await dt.read.datasetId(), datasetId);

  const spec = () => s.spec({ datasetIds: [datasetId] });
  // Paused: refused; unpaused: usable; a task created before a pause still settles.
  const { taskId } = await ledger.createTask(s.requester, await spec());
  await owner('pause', [datasetId]);
  assert.equal(DatasetStatus[(await ledger.contracts.dataRegistry.read.getDataset([datasetId])).status], 'Paused');
  await expectRevert(ledger.createTask(s.requester, await spec()), 'TaskMarketDatasetUnavailable');
  await expectRevert(owner('pause', [datasetId]), 'DataRegistryWrongStatus');
  for (const node of [s.dataOwner, ...s.compute]) await ledger.accept(node, taskId);
  const ops = openings(3);
  await commitAll(ledger, taskId, s.compute, ops);
  await revealAll(ledger, taskId, s.compute, ops);
  await owner('unpause', [datasetId]);
  // Policy and price changes apply to new tasks.
  await owner('updatePolicy', [datasetId, [], [s.algorithmId]]);
  await expectRevert(ledger.createTask(s.requester, await spec()), 'TaskMarketAlgorithmNotAllowed');
  await owner('updatePolicy', [datasetId, [s.algorithmId], []]);
  await owner('setPrice', [datasetId, 200n * TOKEN]);
  await expectRevert(ledger.createTask(s.requester, await spec()), 'TaskMarketFeeBelowPrices');
  await owner('setPrice', [datasetId, 5n * TOKEN]);
  // Retired: refused for good, and no further changes.
  await owner('retire', [datasetId]);
  await expectRevert(ledger.createTask(s.requester, await spec()), 'TaskMarketDatasetUnavailable');
  await expectRevert(owner('retire', [datasetId]), 'DataRegistryWrongStatus');
  await expectRevert(owner('unpause', [datasetId]), 'DataRegistryWrongStatus');
  await expectRevert(owner('setPrice', [datasetId, 1n]), 'DataRegistryWrongStatus');
  await expectRevert(owner('updatePolicy', [datasetId, [], []]), 'DataRegistryWrongStatus');
});

test('TaskMarket constructor refuses a max task duration that is not below the exit delay', async () => {
  const deployer = ledger.account(0);
  const exitDelay = ledger.manifest.parameters.exitDelay;
  await expectRevert(
    ledger.tx(deployer, 'deploy', (w) =>
      w.deployContract({
        abi: TaskMarketAbi,
        bytecode: TaskMarketBytecode,
        args: [m.NodeRegistry, m.DataRegistry, 1n, exitDelay],
      }),
    ),
    'TaskMarketInvalidConfig',
  );
  assert.notEqual(m.TaskMarket, zeroAddress);
});
