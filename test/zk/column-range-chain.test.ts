/**
 * Column range over a whole committed column (src/zk/column-commitment.ts,
 * circuits/column-range-chunk.ts, contracts/ColumnRangeClaims.sol) on a real anvil chain, with
 * chunks of two (C = 2, 5 rows: chunks of 2, 2 and a short last chunk of 1 with a padding
 * slot) so it stays fast: the ~960-constraint chunk circuit fits the 2^10 accumulator the other
 * zk tests share (claims-chain, task-result-chain, cli) instead of preparing a 2^13 one (minutes
 * on a fresh clone), and column-range-cli.test.ts reuses the compiled circuit. The commitment is
 * checked against an independent recomputation (poseidon-lite's vector hash and viem's
 * keccak256 of the packed chain); the contract records a valid claim and the buyer's check
 * reads it through the DataRegistry; a false claim is refused before proving (naming the
 * row, not the value) and has no witness in the circuit; a tampered proof (alone or among
 * valid ones in a batch: the contract verifies a batch as one random linear combination), wrong
 * bounds, proofs swapped between chunks, a missing, skipped or reordered chunk, another
 * dataset's chunks and a full chunk repeated in the short last position are all rejected.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { encodePacked, keccak256, type Account, type Address } from 'viem';
import { ColumnRangeChain, columnCommitmentKey } from '../../src/chain/zk-column-claims.js';
import { setupCircuitOnChain, ZkChain } from '../../src/chain/zk-ledger.js';
import { startLocalLedger } from '../../src/chain/local-ledger.js';
import type { Table } from '../../src/data/csv.js';
import { checkColumnRangeClaim } from '../../src/sdk/actions/checkColumnRangeClaim.js';
import { commitZkColumn } from '../../src/sdk/actions/commitZkColumn.js';
import { proveColumnRange, type ProveColumnRangeReturnType } from '../../src/sdk/actions/proveColumnRange.js';
import { submitColumnRange } from '../../src/sdk/actions/submitColumnRange.js';
import { compileCircuit } from '../../src/zk/artifacts.js';
import { columnRangeChunkCircuit } from '../../src/zk/circuits/column-range-chunk.js';
import { COLUMN_PAD, ColumnCommitment, chunkSalt } from '../../src/zk/column-commitment.js';
import { ZkColumnError, ZkWitnessError } from '../../src/zk/errors.js';
import { idToField, toField } from '../../src/zk/field.js';
import { poseidonVector } from '../../src/zk/poseidon.js';
import { LOCAL_MIN_POWER, localPowerFor, localPtau } from '../../src/zk/setup.js';
import { expectRevert } from '../chain/fixture.js';
import { prover, zkSkipReason } from './support.js';

const skip = await zkSkipReason();
const C = 2;
const ROWS = 5;
const seed = new Uint8Array(32).fill(7);

/** 5 rows: income 1,000 … 1,148 (and a balance column −500.5 … 199.5), ids in file order. */
function table(rows = ROWS, offset = 0): Table {
  const ids = Array.from({ length: rows }, (_, i) => `cust-${offset + i}`);
  const values = new Float64Array(rows * 2);
  for (let i = 0; i < rows; i++) {
    values[2 * i] = 1000 + 37 * i + 0.75 * (i % 4);
    values[2 * i + 1] = -500.5 + 25 * ((i * 7) % 40);
  }
  return { columns: ['income', 'balance'], ids, values, rows, lines: Int32Array.from({ length: rows }, (_, i) => i + 2), source: 'test' };
}

test('the column commitment matches an independent recomputation; bad columns and false claims are refused by name', () => {
  const t = table();
  const col = ColumnCommitment.fromTable(t, 'balance', C, seed);
  assert.equal(col.chunkCount, 3);
  // Reference: sort by id field, fixed point, pad with 2^64, PoseidonVector(salt, chunk), keccak chain via viem.
  const order = t.ids.map((id, i) => ({ f: idToField(id), v: BigInt(Math.round(t.values[2 * i + 1]! * 1e6)) })).sort((a, b) => (a.f < b.f ? -1 : 1));
  let h = keccak256(encodePacked(['string', 'uint256', 'uint256'], ['tacit.zk.column.v1', BigInt(C), BigInt(ROWS)]));
  for (let j = 0; j < 3; j++) {
    const vs = Array.from({ length: C }, (_, i) => (order[j * C + i] ? toField(order[j * C + i]!.v) : COLUMN_PAD));
    const d = poseidonVector([chunkSalt(seed, 'balance', j), ...vs]);
    assert.equal(col.digests[j], d);
    h = keccak256(encodePacked(['bytes32', 'uint256'], [h, d]));
  }
  assert.equal(col.commitment, h);
  // Another seed: other salts, other digests (the digests hide the values).
  assert.notEqual(ColumnCommitment.fromTable(t, 'balance', C, new Uint8Array(32).fill(8)).digests[0], col.digests[0]);

  const bad = table();
  bad.values[2 * 3 + 1] = Number.NaN;
  assert.throws(() => ColumnCommitment.fromTable(bad, 'balance', C, seed), (e: unknown) => e instanceof ZkColumnError && /line 5\b/.test(e.message));
  assert.throws(() => ColumnCommitment.fromTable(t, 'balance', 12, seed), /power of two/);
  // Out of range: refused naming the row and its file line, never the value.
  const maxBalance = Math.max(...order.map((o) => Number(o.v))) / 1e6;
  assert.equal(maxBalance, 199.5);
  assert.throws(() => col.checkRange(-600_000_000n, 100_000_000n), (e: unknown) => {
    assert.ok(e instanceof ZkWitnessError);
    assert.match(e.message, /row \d+ \(file line \d+\)/);
    assert.ok(!e.message.includes(String(maxBalance)) && !e.message.includes('199'), e.message);
    return true;
  });
});

let stop: (() => Promise<void>) | undefined;
let zk: ZkChain;
let cols: ColumnRangeChain;
let owner: Account;
let buyer: Account;
let registry: Address;
let datasetA: bigint;
let datasetB: bigint;
let client: Parameters<typeof checkColumnRangeClaim>[0];
let keys: { zkey: string; wasm: string; vk: ProveColumnRangeReturnType['vk'] };
let dir: string;

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'tacit-zk-column-'));
  const started = await startLocalLedger();
  stop = started.stop;
  const ledger = started.ledger;
  owner = ledger.account(2);
  buyer = ledger.account(1);
  const admin = ledger.account(0);
  await ledger.registerNode(owner, { roles: 1, name: 'bureau' });
  datasetA = (await ledger.listDataset(owner, { price: 1n, algorithms: [`0x${'a1'.repeat(32)}`], rowCount: BigInt(ROWS) })).datasetId;
  datasetB = (await ledger.listDataset(owner, { price: 1n, algorithms: [`0x${'a1'.repeat(32)}`], rowCount: BigInt(ROWS) })).datasetId;
  registry = ledger.manifest.contracts.DataRegistry;
  client = { manifest: ledger.manifest, ledger } as unknown as Parameters<typeof checkColumnRangeClaim>[0];
  zk = await ZkChain.deploy(started.chain.rpcUrl, admin);
  zk.addAccount(owner);
  zk.addAccount(buyer);
  cols = await ColumnRangeChain.deploy(zk, admin.address);
  const circuit = await compileCircuit(prover, columnRangeChunkCircuit(C));
  // The shared 2^10 accumulator (made once per cache by the first zk test that needs it) serves this
  // ~960-constraint circuit; phase 2 with the owner and the buyer contributing.
  assert.equal(localPowerFor(circuit), LOCAL_MIN_POWER, `the C = ${C} chunk circuit (${circuit.constraints} constraints) no longer fits the shared 2^${LOCAL_MIN_POWER} accumulator`);
  const s = await setupCircuitOnChain(zk, prover, { admin: admin.address, circuit, ptauFinal: await localPtau(prover, LOCAL_MIN_POWER), participants: [owner.address, buyer.address], dir });
  keys = { zkey: s.zkey, wasm: circuit.wasm, vk: s.vk };
});
after(async () => {
  await stop?.();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('a column range claim verifies chunk by chunk on-chain and is recorded; every forgery is rejected', { skip }, async () => {
  const colA = ColumnCommitment.fromTable(table(), 'income', C, seed);
  const colB = ColumnCommitment.fromTable(table(ROWS, 1000), 'income', C, seed);
  // A column that does not exist, or a circuit nobody registered, cannot be committed.
  await expectRevert(cols.commitColumn(owner.address, `0x${'11'.repeat(32)}`, { commitment: colA.commitment, circuitId: `0x${'22'.repeat(32)}`, rowCount: ROWS, chunkSize: C }), 'ColumnUnknownCircuit');
  const a = await commitZkColumn(cols, { from: owner.address, dataRegistry: registry, datasetId: datasetA, column: colA });
  const b = await commitZkColumn(cols, { from: owner.address, dataRegistry: registry, datasetId: datasetB, column: colB });
  assert.equal(a.key, columnCommitmentKey(registry, datasetA, 'income'));
  await expectRevert(commitZkColumn(cols, { from: owner.address, dataRegistry: registry, datasetId: datasetA, column: colB }), 'ColumnExists');
  const rec = await cols.column(owner.address, a.key);
  assert.deepEqual([rec.commitment, rec.rowCount, rec.chunkSize, rec.chunkCount], [colA.commitment, BigInt(ROWS), C, 3]);

  // income lies in [1000, 1148]: prove [900, 2500] with progress per chunk.
  const lo = 900_000_000n;
  const hi = 2_500_000_000n;
  const progress: number[] = [];
  const pa = await proveColumnRange({ column: colA, lo, hi, prover, keys, onChunk: (done) => progress.push(done) });
  assert.deepEqual(progress, [1, 2, 3]);
  assert.deepEqual(pa.chunks[2]!.publicSignals, [colA.digests[2]!.toString(), '1', lo.toString(), hi.toString()]);
  const pb = await proveColumnRange({ column: colB, lo, hi, prover, keys });
  const ref = { committer: owner.address, key: a.key, lo, hi };
  const refField = { ...ref, lo: toField(lo), hi: toField(hi) };
  const [c0, c1, c2] = pa.chunks.map((c) => ({ digest: c.digest, proof: c.proof }));

  // A tampered proof, wrong bounds.
  await expectRevert(cols.submitBatch(buyer.address, refField, 0, [{ ...c0!, proof: { ...c0!.proof, pi_c: c0!.proof.pi_a } }]), 'ColumnInvalidProof');
  await expectRevert(cols.submitBatch(buyer.address, { ...refField, hi: hi + 1n }, 0, [c0!]), 'ColumnInvalidProof');
  // One bad proof among valid ones fails the whole batch (the random linear combination), as do proofs swapped between digests.
  await expectRevert(cols.submitBatch(buyer.address, refField, 0, [c0!, { ...c1!, proof: { ...c1!.proof, pi_c: c0!.proof.pi_c } }, c2!]), 'ColumnInvalidProof');
  await expectRevert(cols.submitBatch(buyer.address, refField, 0, [{ ...c0!, proof: c1!.proof }, { ...c1!, proof: c0!.proof }]), 'ColumnInvalidProof');
  // A skipped chunk: chunk 2 (1 value) in position 1 (2 values) does not verify.
  await expectRevert(cols.submitBatch(buyer.address, refField, 0, [c0!, c2!]), 'ColumnInvalidProof');
  // Reordered chunks: every proof verifies, the digest chain does not match.
  await expectRevert(cols.submitBatch(buyer.address, refField, 0, [c1!, c0!, c2!]), 'ColumnCommitmentMismatch');
  // Another dataset's chunks (valid proofs, same bounds and shape) against dataset A's column.
  await expectRevert(cols.submitBatch(buyer.address, refField, 0, pb.chunks), 'ColumnCommitmentMismatch');
  // A missing chunk: two of three submitted, nothing recorded; out-of-order batches refused.
  const partial = await cols.submitBatch(buyer.address, refField, 0, [c0!, c1!]);
  assert.equal(partial.complete, false);
  assert.equal(await cols.progress(buyer.address, partial.claimId), 2);
  assert.equal((await cols.claim(partial.claimId)).verifiedAt, 0n);
  await expectRevert(cols.submitBatch(buyer.address, refField, 1, [c1!]), 'ColumnBadBatch');
  // A repeated chunk in the last position (a full chunk where the short one belongs).
  await expectRevert(cols.submitBatch(buyer.address, refField, 2, [c1!]), 'ColumnInvalidProof');
  assert.equal((await checkColumnRangeClaim(client, cols, { datasetId: datasetA, column: 'income', lo, hi })).verified, false);

  // The whole claim, two batches: recorded; the buyer's check reads owner and row count from the DataRegistry.
  const sent = await submitColumnRange(cols, { from: owner.address, committer: owner.address, key: a.key, lo, hi, proven: pa, batch: 2 });
  assert.equal(sent.complete, true);
  assert.equal(sent.transactions, 2);
  const check = await checkColumnRangeClaim(client, cols, { datasetId: datasetA, column: 'income', lo, hi });
  assert.equal(check.verified, true);
  assert.equal(check.owner, owner.address);
  assert.equal(check.committedRows, BigInt(ROWS));
  assert.equal(check.prover, owner.address);
  // 3 chunks in 2 transactions (batch verification pays off only in large batches: see the bench).
  assert.ok(sent.gasUsed < 900_000n, `gas ${sent.gasUsed}`);
  // Other bounds were never proven; dataset B's column has no claim.
  assert.equal((await checkColumnRangeClaim(client, cols, { datasetId: datasetA, column: 'income', lo, hi: hi - 1n })).verified, false);
  assert.equal((await checkColumnRangeClaim(client, cols, { datasetId: datasetB, column: 'income', lo, hi })).verified, false);
  void b;
});

test('an out-of-range value has no proof: refused before proving, and the circuit has no witness', { skip }, async () => {
  const col = ColumnCommitment.fromTable(table(), 'income', C, seed);
  const hi = 1_100_000_000n; // rows above 1,100 exist
  await assert.rejects(proveColumnRange({ column: col, lo: 0n, hi, prover, keys }), (e: unknown) => e instanceof ZkWitnessError && /row \d+/.test((e as Error).message));
  // Bypassing the check: the chunk holding the largest incomes does not satisfy the circuit.
  const j = col.data.values.findIndex((v) => v > hi);
  await assert.rejects(prover.prove(keys.wasm, keys.zkey, col.chunkInput(Math.floor(j / C), 0n, hi)), ZkWitnessError);
  // Negative values: [−501, 500] holds every balance.
  const bal = ColumnCommitment.fromTable(table(), 'balance', C, seed);
  const r = await prover.prove(keys.wasm, keys.zkey, bal.chunkInput(0, -501_000_000n, 500_000_000n));
  assert.equal(r.publicSignals[2], toField(-501_000_000n).toString());
});
