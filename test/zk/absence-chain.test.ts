/**
 * "No row has id X" for a committed dataset (circuit dataset-absence-d20): the leaf whose id
 * and successor enclose X — or leaf 0 when X is below every id — proven with locally set-up
 * keys and checked by the generated verifier contract on a real anvil chain. The reference
 * is the plaintext id list (and the ids' field order computed here). Covered: an id between
 * two rows, below the first and above the last; an id the dataset holds cannot be proven
 * absent — neither through the input builder nor with a hand-made witness pointing at its
 * neighbour, nor with the "below every id" case at a later leaf; a changed id, another
 * dataset's commitment and a tampered proof fail on-chain. A 2^13 circuit: runs when
 * TACIT_ZK_LARGE=1 or its keys are cached (as dataset-credit.test.ts).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { devAccount } from '../../src/chain/dev-accounts.js';
import { startEphemeralChain } from '../../src/chain/embedded.js';
import { ZkChain } from '../../src/chain/zk-ledger.js';
import { absenceCircuit, absenceInput, absenceWitness } from '../../src/zk/circuits/dataset-claims.js';
import { DatasetCommitment, ID_END } from '../../src/zk/dataset-commitment.js';
import { ZkInputError, ZkWitnessError } from '../../src/zk/errors.js';
import { idToField } from '../../src/zk/field.js';
import { hasLocalKeys, localSetup, type CircuitKeys } from '../../src/zk/setup.js';
import { WarmProver } from '../../src/zk/warm-prover.js';
import { prover, zkSkipReason } from './support.js';

const large = process.env.TACIT_ZK_LARGE === '1' || hasLocalKeys(absenceCircuit());
const skip = (await zkSkipReason()) || (large ? false : 'large circuit: set TACIT_ZK_LARGE=1 (sets up a 2^13 circuit, minutes) or run `npm run bench -- zk` first to cache its keys');
let chain: Awaited<ReturnType<typeof startEphemeralChain>>;
let zk: ZkChain;
let keys: CircuitKeys;
let verifier: `0x${string}`;
const admin = devAccount(0);
const warm = new WarmProver();

before(async () => {
  if (skip) return;
  chain = await startEphemeralChain();
  zk = await ZkChain.deploy(chain.rpcUrl, admin);
  keys = await localSetup(prover, absenceCircuit());
  verifier = await zk.deployVerifier(admin.address, keys.vk);
});
after(async () => {
  warm.close();
  await chain?.stop();
});

const ids = Array.from({ length: 9 }, (_, i) => `cust-${i}`);
const data = new DatasetCommitment(['income', 'age'], ids.map((id, i) => ({ id, values: [1000 * i, 20 + i] })));
/** Plaintext reference: the ids in field order. */
const sorted = [...ids].sort((a, b) => (idToField(a) < idToField(b) ? -1 : 1));

async function proveAndCheck(input: ReturnType<typeof absenceInput>) {
  const r = await warm.prove(keys.circuit.wasm, keys.zkey, input);
  const inputs = r.publicSignals.map(BigInt);
  const ok = await zk.callVerifier(admin.address, verifier, inputs, r.proof);
  return { r, inputs, ok };
}

/** Strangers whose field element falls below every id, between two ids, above every id. */
function strangers(): { below: string; between: string; above: string } {
  const lo = idToField(sorted[0]!);
  const hi = idToField(sorted[sorted.length - 1]!);
  let below, between, above;
  for (let i = 0; !(below && between && above); i++) {
    const id = `stranger-${i}`;
    const x = idToField(id);
    if (x < lo) below ??= id;
    else if (x > hi) above ??= id;
    else between ??= id;
  }
  return { below: below!, between: between!, above: above! };
}

test('an absent id proves (between two rows, below the first, above the last); the verifier checks id and commitment', { skip }, async () => {
  assert.equal(data.rows.at(-1)!.nextIdField, ID_END);
  const s = strangers();
  for (const id of [s.between, s.below, s.above]) {
    assert.ok(!ids.includes(id)); // the plaintext statement
    const { r, inputs, ok } = await proveAndCheck(absenceInput(data, id));
    assert.equal(ok.valid, true, id);
    assert.ok(ok.gas <= 300_000n, `verification gas ${ok.gas}`);
    assert.deepEqual(r.publicSignals, [data.commitment.toString(), idToField(id).toString()]);
    if (id === s.between) {
      // Another id (one the dataset holds), another dataset's commitment, a tampered proof.
      assert.equal((await zk.callVerifier(admin.address, verifier, [inputs[0]!, idToField(ids[3]!)], r.proof)).valid, false);
      const other = new DatasetCommitment(['income', 'age'], ids.slice(1).map((x, i) => ({ id: x, values: [1000 * i, 20 + i] })));
      assert.equal((await zk.callVerifier(admin.address, verifier, [other.commitment, inputs[1]!], r.proof)).valid, false);
      assert.equal((await zk.callVerifier(admin.address, verifier, inputs, { ...r.proof, pi_c: r.proof.pi_a })).valid, false);
    }
  }
});

test('an id the dataset holds cannot be proven absent', { skip }, async () => {
  const k = 4;
  const present = sorted[k]!;
  const x = idToField(present);
  assert.throws(() => absenceInput(data, present), ZkInputError);
  // Hand-made witnesses: its predecessor's leaf (whose successor IS x), its own leaf, and the
  // "below every id" case at a leaf other than 0.
  await assert.rejects(warm.prove(keys.circuit.wasm, keys.zkey, absenceWitness(data, x, k - 1, false)), ZkWitnessError);
  await assert.rejects(warm.prove(keys.circuit.wasm, keys.zkey, absenceWitness(data, x, k, false)), ZkWitnessError);
  await assert.rejects(warm.prove(keys.circuit.wasm, keys.zkey, absenceWitness(data, idToField(strangers().below), 2, true)), ZkWitnessError);
  // A leaf past the row count does not exist.
  const w = absenceWitness(data, idToField(strangers().above), data.rowCount - 1, false);
  await assert.rejects(warm.prove(keys.circuit.wasm, keys.zkey, { ...w, bits: data.path(data.rowCount).bits.map(String), siblings: data.path(data.rowCount).siblings.map(String) }), ZkWitnessError);
});
