/**
 * Claims verified by ZkClaims on a real anvil chain, with keys from a phase-2 ceremony
 * recorded in ZkCeremony (one participant here; ceremony-chain.test.ts runs three): a dataset's row count and a task result's
 * bound. Valid proofs are recorded; a false statement has no proof (the witness does not
 * satisfy the circuit); a tampered proof, a changed public input and a proof replayed
 * against another registered commitment are all rejected by the contract. The commitments
 * come from poseidon-lite (MIT) and the circuits from Tacit's own Poseidon template, so a
 * proof that verifies also cross-checks the two implementations.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Address } from 'viem';
import { devAccount } from '../../src/chain/dev-accounts.js';
import { startEphemeralChain } from '../../src/chain/embedded.js';
import { setupCircuitOnChain, ZkChain } from '../../src/chain/zk-ledger.js';
import { compileCircuit } from '../../src/zk/artifacts.js';
import { rowCountCircuit, rowCountInput } from '../../src/zk/circuits/dataset-claims.js';
import { resultBoundCircuit, resultBoundInput } from '../../src/zk/circuits/result-bound.js';
import { DatasetCommitment } from '../../src/zk/dataset-commitment.js';
import { ZkWitnessError } from '../../src/zk/errors.js';
import { randomField } from '../../src/zk/field.js';
import { hash2 } from '../../src/zk/poseidon.js';
import { localPowerFor, localPtau } from '../../src/zk/setup.js';
import { expectRevert } from '../chain/fixture.js';
import { prover, zkSkipReason } from './support.js';

const skip = await zkSkipReason();

let chain: Awaited<ReturnType<typeof startEphemeralChain>>;
let zk: ZkChain;
let dir: string;
const admin = devAccount(0);
const [alice, bob, owner, receiver] = [1, 2, 3, 4].map((i) => devAccount(i));
const circuits: Record<string, { circuitId: `0x${string}`; zkey: string; wasm: string }> = {};

const key = (s: string): `0x${string}` => `0x${Buffer.from(s.padEnd(32, '\0')).toString('hex')}`;

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'tacit-zk-claims-'));
  chain = await startEphemeralChain();
  zk = await ZkChain.deploy(chain.rpcUrl, admin);
  for (const a of [alice!, bob!, owner!, receiver!]) zk.addAccount(a);
  for (const spec of [rowCountCircuit(), resultBoundCircuit()]) {
    const circuit = await compileCircuit(prover, spec);
    const ptauFinal = await localPtau(prover, localPowerFor(circuit));
    const s = await setupCircuitOnChain(zk, prover, { admin: admin.address, circuit, ptauFinal, participants: [alice!.address], dir: join(dir, spec.id) });
    circuits[spec.id] = { circuitId: s.circuitId, zkey: s.zkey, wasm: circuit.wasm };
  }
});
after(async () => {
  await chain?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const rows = (n: number, offset = 0) => Array.from({ length: n }, (_, i) => ({ id: `c-${offset + i}`, values: [i * 1.5, 100 - i, (i % 3) - 1] }));

test('row count ≥ N: a valid proof is recorded on-chain; tampered, re-targeted or false claims are rejected', { skip }, async () => {
  const data = new DatasetCommitment(['income', 'age', 'flag'], rows(5));
  const other = new DatasetCommitment(['income', 'age', 'flag'], rows(7, 100));
  await zk.registerCommitment(owner!.address, key('bureau-2026'), data.commitment);
  await zk.registerCommitment(owner!.address, key('bureau-2025'), other.commitment);
  assert.equal(await zk.commitmentOf(owner!.address, key('bureau-2026')), data.commitment);
  const c = circuits['dataset-row-count']!;
  const refs = [{ committer: owner!.address as Address, key: key('bureau-2026') }];

  const { proof, publicSignals } = await prover.prove(c.wasm, c.zkey, rowCountInput(data, 5));
  assert.deepEqual(publicSignals, [data.commitment.toString(), '5']);
  const { claimId, gasUsed } = await zk.submitClaim(receiver!.address, c.circuitId, refs, [5n], proof);
  const recorded = await zk.claim(claimId);
  assert.equal(recorded.circuitId, c.circuitId);
  assert.equal(recorded.prover, receiver!.address);
  assert.ok(recorded.verifiedAt > 0n);
  assert.ok(gasUsed < 400_000n, `claim gas ${gasUsed}`);

  // A weaker claim on the same data also proves; a false one has no witness.
  const weaker = await prover.prove(c.wasm, c.zkey, rowCountInput(data, 3));
  await zk.submitClaim(receiver!.address, c.circuitId, refs, [3n], weaker.proof);
  await assert.rejects(prover.prove(c.wasm, c.zkey, rowCountInput(data, 6)), ZkWitnessError);

  // Wrong public input: the proof says ≥ 5, the submission says ≥ 6.
  await expectRevert(zk.submitClaim(receiver!.address, c.circuitId, refs, [6n], proof), 'ZkClaimsInvalidProof');
  // Against another registered commitment.
  await expectRevert(zk.submitClaim(receiver!.address, c.circuitId, [{ committer: owner!.address, key: key('bureau-2025') }], [5n], proof), 'ZkClaimsInvalidProof');
  // Tampered proof: C replaced by A (a valid curve point, wrong proof), and a point off the curve.
  await expectRevert(zk.submitClaim(receiver!.address, c.circuitId, refs, [5n], { ...proof, pi_c: proof.pi_a }), 'ZkClaimsInvalidProof');
  await expectRevert(zk.submitClaim(receiver!.address, c.circuitId, refs, [5n], { ...proof, pi_a: [proof.pi_a[0]!, (BigInt(proof.pi_a[1]!) + 1n).toString(), '1'] }), 'ZkClaimsInvalidProof');
  // A commitment nobody registered.
  await expectRevert(zk.submitClaim(receiver!.address, c.circuitId, [{ committer: alice!.address, key: key('bureau-2026') }], [5n], proof), 'ZkClaimsUnknownCommitment');
  // Registered commitments never change.
  await expectRevert(zk.registerCommitment(owner!.address, key('bureau-2026'), other.commitment), 'ZkClaimsCommitmentExists');
});

test('task result within [lo, hi] against the receiver’s hiding commitment Poseidon(result, salt)', { skip }, async () => {
  const c = circuits['task-result-bound']!;
  const totalDebt = 1_234_500_000n; // 1234.5 in six-decimal fixed point
  const salt = randomField();
  const commitment = hash2(totalDebt, salt);
  await zk.registerCommitment(receiver!.address, key('task-42-result'), commitment);
  const refs = [{ committer: receiver!.address as Address, key: key('task-42-result') }];

  const below = await prover.prove(c.wasm, c.zkey, resultBoundInput(totalDebt, salt, commitment, 0n, 2_000_000_000n));
  await zk.submitClaim(bob!.address, c.circuitId, refs, [0n, 2_000_000_000n], below.proof);
  // "below 1000" is false: no proof; the wrong salt opens nothing.
  await assert.rejects(prover.prove(c.wasm, c.zkey, resultBoundInput(totalDebt, salt, commitment, 0n, 1_000_000_000n)), ZkWitnessError);
  await assert.rejects(prover.prove(c.wasm, c.zkey, resultBoundInput(totalDebt, salt + 1n, commitment, 0n, 2_000_000_000n)), ZkWitnessError);
  // The bounds are bound to the proof.
  await expectRevert(zk.submitClaim(bob!.address, c.circuitId, refs, [0n, 1_000_000_000n], below.proof), 'ZkClaimsInvalidProof');
});
