/**
 * The larger circuits — depth-20 Merkle membership and the 23-feature credit decision (both
 * ~5,500 constraints, a 2^13 accumulator) — proven with locally set-up keys and checked
 * by their generated verifier contracts on a real anvil chain (direct calls: registration
 * and claim recording are covered by claims-chain.test.ts). The reference for every
 * statement is a plaintext computation here; false statements have no witness, and a flipped
 * public input (the decision, the id) fails the contract's check.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { devAccount } from '../../src/chain/dev-accounts.js';
import { startEphemeralChain } from '../../src/chain/embedded.js';
import { ZkChain } from '../../src/chain/zk-ledger.js';
import { claimCircuit, featuresCommitment, modelCommitment, splitPublicSignals, type Claim } from '../../src/zk/claims.js';
import { scoreThresholdCircuit, scoreThresholdInput } from '../../src/zk/circuits/credit-score.js';
import { membershipCircuit } from '../../src/zk/circuits/dataset-claims.js';
import { DatasetCommitment } from '../../src/zk/dataset-commitment.js';
import { ZkWitnessError } from '../../src/zk/errors.js';
import { idToField, randomField } from '../../src/zk/field.js';
import { hasLocalKeys, localSetup } from '../../src/zk/setup.js';
import { prover, zkSkipReason } from './support.js';

// Setting these circuits up from nothing (a 2^13 accumulator, two phase-2 runs) takes minutes:
// they run when TACIT_ZK_LARGE=1 or when their keys are already cached (after `npm run bench -- zk`).
const large = process.env.TACIT_ZK_LARGE === '1' || [membershipCircuit(), scoreThresholdCircuit()].every((s) => hasLocalKeys(s));
const skip = (await zkSkipReason()) || (large ? false : 'large circuits: set TACIT_ZK_LARGE=1 (sets up 2^13 circuits, minutes) or run `npm run bench -- zk` first to cache their keys');
let chain: Awaited<ReturnType<typeof startEphemeralChain>>;
let zk: ZkChain;
const admin = devAccount(0);

before(async () => {
  if (skip) return;
  chain = await startEphemeralChain();
  zk = await ZkChain.deploy(chain.rpcUrl, admin);
});
after(() => chain?.stop());

/** Proves `claim`, checks the proof with a freshly deployed verifier, returns what is needed to tamper. */
async function proveAndCheck(claim: Claim) {
  const { spec, input } = claimCircuit(claim);
  const keys = await localSetup(prover, spec);
  const r = await prover.prove(keys.circuit.wasm, keys.zkey, input);
  const verifier = await zk.deployVerifier(admin.address, keys.vk);
  const { commitments, statement } = splitPublicSignals(spec, r.publicSignals);
  const inputs = [...commitments, ...statement];
  const ok = await zk.callVerifier(admin.address, verifier, inputs, r.proof);
  assert.equal(ok.valid, true);
  assert.ok(ok.gas <= 300_000n, `verification gas ${ok.gas}`);
  return { keys, r, verifier, inputs, input };
}

test('depth-20 membership: an id in the dataset proves, a flipped id fails on-chain', { skip }, async () => {
  const data = new DatasetCommitment(['income', 'age'], Array.from({ length: 6 }, (_, i) => ({ id: `p-${i}`, values: [100 * i, 30 + i] })));
  const { r, verifier, inputs } = await proveAndCheck({ kind: 'membership', data, id: 'p-4' });
  assert.deepEqual(r.publicSignals, [data.commitment.toString(), idToField('p-4').toString()]);
  assert.equal((await zk.callVerifier(admin.address, verifier, [inputs[0]!, idToField('p-5')], r.proof)).valid, false);
});

test('credit decision on 23 committed features: the decision proves, the opposite one does not, a flipped decision fails on-chain', { skip }, async () => {
  const n = 23;
  const weights = Array.from({ length: n }, (_, i) => BigInt(((i * 7) % 11) - 5) * 100_000n); // −0.5 … 0.5
  const features = Array.from({ length: n }, (_, i) => BigInt((i * 13) % 17) * 1_000_000n); // 0 … 16
  const bias = -2_000_000_000_000n; // −2.0 at scale 10^12
  const score = weights.reduce((s, w, i) => s + w * features[i]!, bias); // the plaintext reference
  const threshold = score - 1n; // just below the score: approve
  const witness = { weights, bias, modelSalt: randomField(), features, featuresSalt: randomField(), threshold, approve: true };
  const { keys, verifier, inputs, r } = await proveAndCheck({ kind: 'credit-decision', witness });
  assert.equal(inputs[0], modelCommitment(weights, bias, witness.modelSalt));
  assert.equal(inputs[1], featuresCommitment(features, witness.featuresSalt));
  assert.equal(inputs[3], 1n);
  const mc = inputs[0]!;
  const fc = inputs[1]!;
  // Claiming "deny" for the same data has no witness; nor has the right decision with another applicant's features.
  await assert.rejects(prover.prove(keys.circuit.wasm, keys.zkey, scoreThresholdInput({ ...witness, approve: false }, mc, fc)), ZkWitnessError);
  await assert.rejects(prover.prove(keys.circuit.wasm, keys.zkey, scoreThresholdInput({ ...witness, features: features.map((x, i) => (i === 0 ? x + 1n : x)) }, mc, fc)), ZkWitnessError);
  // The threshold one unit above the score: deny is the provable decision.
  const deny = await prover.prove(keys.circuit.wasm, keys.zkey, scoreThresholdInput({ ...witness, threshold: score + 1n, approve: false }, mc, fc));
  assert.equal(deny.publicSignals[3], '0');
  assert.equal((await zk.callVerifier(admin.address, verifier, [mc, fc, inputs[2]!, 0n], r.proof)).valid, false);
  assert.equal(scoreThresholdCircuit().id, keys.circuit.spec.id);
});
