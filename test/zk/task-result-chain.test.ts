/**
 * Claims about a task's result, bound to the task: the receiver records Poseidon(result, salt)
 * on the TaskMarket (`commitResult`, as the receiver node does for a task created with
 * `zkResult`), ZkClaims reads it through the TaskMarket as a registered commitment source
 * once the task settled, and a third party verifies "the result lies in [lo, hi]" on-chain.
 * Real anvil, real TaskMarket lifecycle (standard scenario: one data owner, three compute
 * parties, the first also the receiver). The reference for each statement is the plaintext
 * comparison of the result with the bounds. Rejected: a non-receiver's or a second
 * commitment, a claim before settlement, a changed bound, a proof against another task's
 * commitment, a tampered proof, a source that is not a contract or not registered by the admin.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupCircuitOnChain, taskResultRef, ZkChain } from '../../src/chain/zk-ledger.js';
import { commitResultField } from '../../src/node/tasks/result-commitment.js';
import { compileCircuit } from '../../src/zk/artifacts.js';
import { resultBoundCircuit, resultBoundInput } from '../../src/zk/circuits/result-bound.js';
import { ZkWitnessError } from '../../src/zk/errors.js';
import { hash2 } from '../../src/zk/poseidon.js';
import { localPowerFor, localPtau } from '../../src/zk/setup.js';
import { WarmProver } from '../../src/zk/warm-prover.js';
import type { StandardScenario } from '../../src/chain/local-ledger.js';
import { commitAll, expectRevert, openings, revealAll, setupStandardScenario, startLocalLedger } from '../chain/fixture.js';
import { prover, zkSkipReason } from './support.js';

const skip = await zkSkipReason();
let net: Awaited<ReturnType<typeof startLocalLedger>>;
let s: StandardScenario;
let zk: ZkChain;
let dir: string;
let circuit: { circuitId: `0x${string}`; zkey: string; wasm: string };
const warm = new WarmProver();

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'tacit-zk-task-'));
  net = await startLocalLedger();
  s = await setupStandardScenario(net.ledger);
  const admin = net.ledger.account(0);
  zk = await ZkChain.deploy(net.chain.rpcUrl, admin);
  for (const a of [s.requester, s.dataOwner, ...s.compute]) zk.addAccount(a);
  const compiled = await compileCircuit(prover, resultBoundCircuit());
  const ptauFinal = await localPtau(prover, localPowerFor(compiled));
  const setup = await setupCircuitOnChain(zk, prover, { admin: admin.address, circuit: compiled, ptauFinal, participants: [s.compute[1].address], dir });
  circuit = { circuitId: setup.circuitId, zkey: setup.zkey, wasm: compiled.wasm };
});
after(async () => {
  warm.close();
  await net?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A task through acceptance and commits (Revealing); returns its id and the openings to reveal. */
async function runningTask() {
  const { ledger } = net;
  const { taskId } = await ledger.createTask(s.requester, await s.spec());
  for (const node of [s.dataOwner, ...s.compute]) await ledger.accept(node, taskId);
  const ops = openings(s.compute.length);
  await commitAll(ledger, taskId, s.compute, ops);
  return { taskId, ops };
}

test('a settled task’s result commitment: the receiver records it once, a third party proves a bound against it on-chain', { skip }, async () => {
  const { ledger } = net;
  const market = ledger.manifest.contracts.TaskMarket;
  const receiver = s.compute[0];
  const admin = ledger.account(0);

  // Only the admin registers a source, and only a contract.
  await expectRevert(zk.registerSource(s.requester.address, market), 'ZkClaimsNotAdmin');
  await expectRevert(zk.registerSource(admin.address, s.requester.address), 'ZkClaimsBadSource');
  await zk.registerSource(admin.address, market);

  // Not before the task runs.
  const { taskId: pending } = await ledger.createTask(s.requester, await s.spec());
  await expectRevert(ledger.commitResult(receiver, pending, 5n), 'TaskMarketWrongStatus');

  const a = await runningTask();
  const b = await runningTask();
  // The receiver node's step: the debt query's total, committed with a fresh salt.
  const debt = { total: 1234.56, lenders: 2 };
  const { output, commitment } = commitResultField(debt, 'total');
  const opening = output['zkResult'] as { fixed: string; salt: string; commitment: string };
  const total = BigInt(opening.fixed);
  assert.equal(total, 1_234_560_000n);
  assert.equal(commitment, hash2(total, BigInt(opening.salt)));
  assert.throws(() => commitResultField(debt, 'missing'), TypeError);

  await expectRevert(ledger.commitResult(s.compute[1], a.taskId, commitment), 'TaskMarketNotReceiver');
  await expectRevert(ledger.commitResult(receiver, a.taskId, 0n), 'TaskMarketBadResultCommitment');
  const gas = (await ledger.commitResult(receiver, a.taskId, commitment)).gasUsed;
  assert.ok(gas < 60_000n, `commitResult gas ${gas}`);
  await expectRevert(ledger.commitResult(receiver, a.taskId, commitment + 1n), 'TaskMarketResultAlreadyCommitted');
  // Task b: another result (9,000.00).
  const other = commitResultField({ total: 9000 }, 'total');
  await ledger.commitResult(receiver, b.taskId, other.commitment);

  const refA = [taskResultRef(market, a.taskId)];
  const cap = 2_000_000_000n; // 2,000.00
  assert.ok(total >= 0n && total <= cap); // the plaintext statement
  const proven = await warm.prove(circuit.wasm, circuit.zkey, resultBoundInput(total, BigInt(opening.salt), commitment, 0n, cap));
  assert.deepEqual(proven.publicSignals, [commitment.toString(), '0', cap.toString()]);

  // Until the task settles the commitment is not claimable.
  await expectRevert(zk.submitClaim(s.dataOwner.address, circuit.circuitId, refA, [0n, cap], proven.proof), 'ZkClaimsUnknownCommitment');
  await revealAll(ledger, a.taskId, s.compute, a.ops);
  await revealAll(ledger, b.taskId, s.compute, b.ops);
  assert.equal(await zk.commitmentOf(market, refA[0]!.key), commitment);

  // A third party (the data owner here) submits the receiver's proof: verified and recorded.
  const { claimId } = await zk.submitClaim(s.dataOwner.address, circuit.circuitId, refA, [0n, cap], proven.proof);
  const recorded = await zk.claim(claimId);
  assert.equal(recorded.prover, s.dataOwner.address);
  assert.ok(recorded.verifiedAt > 0n);

  // "Below 1,000.00" is false: no witness. The bound, the task and the proof are all bound.
  assert.ok(!(total <= 1_000_000_000n));
  await assert.rejects(warm.prove(circuit.wasm, circuit.zkey, resultBoundInput(total, BigInt(opening.salt), commitment, 0n, 1_000_000_000n)), ZkWitnessError);
  await expectRevert(zk.submitClaim(s.dataOwner.address, circuit.circuitId, refA, [0n, 1_000_000_000n], proven.proof), 'ZkClaimsInvalidProof');
  await expectRevert(zk.submitClaim(s.dataOwner.address, circuit.circuitId, [taskResultRef(market, b.taskId)], [0n, cap], proven.proof), 'ZkClaimsInvalidProof');
  await expectRevert(zk.submitClaim(s.dataOwner.address, circuit.circuitId, refA, [0n, cap], { ...proven.proof, pi_c: proven.proof.pi_a }), 'ZkClaimsInvalidProof');
  // A task nobody committed a result for.
  const c = await runningTask();
  await revealAll(ledger, c.taskId, s.compute, c.ops);
  await expectRevert(zk.submitClaim(s.dataOwner.address, circuit.circuitId, [taskResultRef(market, c.taskId)], [0n, cap], proven.proof), 'ZkClaimsUnknownCommitment');
});
