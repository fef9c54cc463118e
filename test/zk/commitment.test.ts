/**
 * The parts of the zk layer that need no prover: Poseidon against published vectors, the
 * fixed-depth Merkle tree against a naive full-tree reference, the dataset commitment's
 * canonical order and errors, the claim checks made before proving, and the licence
 * boundary (no file under src/ imports snarkjs or circom2).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { claimCircuit } from '../../src/zk/claims.js';
import { circuitSource } from '../../src/zk/circuits/circuit.js';
import { membershipCircuit } from '../../src/zk/circuits/dataset-claims.js';
import { DatasetCommitment, ID_END } from '../../src/zk/dataset-commitment.js';
import { ZkInputError } from '../../src/zk/errors.js';
import { FIELD_MODULUS, fromFieldSigned, idToField, toField, toFixed } from '../../src/zk/field.js';
import { PoseidonMerkleTree, rootFromPath, zeroHash } from '../../src/zk/merkle.js';
import { hash2, hash3, poseidonConstants, poseidonVector } from '../../src/zk/poseidon.js';

test('Poseidon(1, 2) matches the reference vector of the paper’s BN254 instance (t = 3)', () => {
  // Test vector of the reference implementation (hadeshash, poseidonperm_x5_254_3) as used by every BN254 Poseidon.
  assert.equal(hash2(1n, 2n), 0x115cc0f5e7d690413df64c6b9662e9cf2a3617f2743245519e19607a4417189an);
  const c = poseidonConstants(2);
  assert.equal(c.M.length, 3);
  assert.equal(c.C.length, 3 * (8 + 57));
});

test('the circom source carries poseidon-lite’s constants', () => {
  const src = circuitSource(membershipCircuit(4));
  const { C, M } = poseidonConstants(2);
  assert.ok(src.includes(C[0]!.toString()) && src.includes(C[C.length - 1]!.toString()) && src.includes(M[2]![1]!.toString()));
});

test('Merkle tree of fixed depth equals a naive full tree, and paths recompute the root', () => {
  const leaves = [5n, 7n, 11n, 13n, 17n];
  const depth = 4;
  let level = Array.from({ length: 2 ** depth }, (_, i) => leaves[i] ?? 0n);
  while (level.length > 1) level = Array.from({ length: level.length / 2 }, (_, i) => hash2(level[2 * i]!, level[2 * i + 1]!));
  const tree = new PoseidonMerkleTree(leaves, depth);
  assert.equal(tree.root, level[0]);
  for (let i = 0; i < 2 ** depth; i++) assert.equal(rootFromPath(tree.leaf(i), tree.path(i)), tree.root);
  assert.notEqual(rootFromPath(6n, tree.path(0)), tree.root);
  assert.equal(new PoseidonMerkleTree([], 3).root, zeroHash(3));
});

test('dataset commitment: independent of file order, sorted by id field, bound to values and row count', () => {
  const rows = [{ id: 'a', values: [1, 2] }, { id: 'b', values: [3, -4.5] }, { id: 'c', values: [0, 6] }];
  const one = new DatasetCommitment(['x', 'y'], rows);
  const two = new DatasetCommitment(['x', 'y'], [...rows].reverse());
  assert.equal(one.commitment, two.commitment);
  for (let i = 1; i < one.rows.length; i++) assert.ok(one.rows[i - 1]!.idField < one.rows[i]!.idField);
  const changed = new DatasetCommitment(['x', 'y'], [rows[0]!, { id: 'b', values: [3, -4.4] }, rows[2]!]);
  assert.notEqual(changed.commitment, one.commitment);
  assert.equal(one.commitment, hash2(one.tree.root, 3n));
  // Each leaf is Poseidon(id, successor id, column root); the last row's successor is 2^248.
  const byField = [...rows].map((r) => ({ ...r, f: idToField(r.id) })).sort((a, b) => (a.f < b.f ? -1 : 1));
  byField.forEach((r, i) => {
    const row = one.rows[i]!;
    assert.equal(row.id, r.id);
    assert.equal(row.nextIdField, byField[i + 1]?.f ?? ID_END);
    assert.equal(row.leaf, hash3(r.f, row.nextIdField, new PoseidonMerkleTree(r.values.map((v) => toField(toFixed(v, 'v'))), 5).root));
    assert.equal(one.tree.leaf(i), row.leaf);
  });
  assert.throws(() => new DatasetCommitment(['x'], [{ id: 'a', values: [1] }, { id: 'a', values: [2] }]), ZkInputError);
  assert.throws(() => one.columnIndex('z'), ZkInputError);
});

test('field encodings: ids below 2^248, signed fixed point round-trips, out-of-range numbers refused', () => {
  assert.ok(idToField('applicant-1') < 1n << 248n);
  assert.notEqual(idToField('a'), idToField('b'));
  assert.equal(fromFieldSigned(toField(toFixed(-4.5, 'v'))), -4_500_000n);
  assert.equal(toField(-1n), FIELD_MODULUS - 1n);
  assert.throws(() => toFixed(1e13, 'v'), RangeError);
  assert.throws(() => toFixed(Number.NaN, 'v'), RangeError);
  assert.notEqual(poseidonVector([1n, 2n]), poseidonVector([1n, 2n, 0n, 1n]));
});

test('claims refuse inputs that could only yield a false proof', () => {
  const data = new DatasetCommitment(['x'], [{ id: 'a', values: [1] }]);
  assert.throws(() => claimCircuit({ kind: 'membership', data, id: 'zz' }), ZkInputError);
  assert.throws(() => claimCircuit({ kind: 'absence', data, id: 'a' }), ZkInputError);
  assert.throws(() => claimCircuit({ kind: 'absence', data: new DatasetCommitment(['x'], []), id: 'a' }), ZkInputError);
  assert.throws(() => claimCircuit({ kind: 'column-range', data, column: 'x', lo: 5n, hi: 1n }), ZkInputError);
  assert.throws(() => claimCircuit({ kind: 'credit-decision', witness: { weights: [1n], bias: 0n, modelSalt: 1n, features: [1n], featuresSalt: 1n, threshold: 5n, approve: true } }), ZkInputError);
});

test('licence boundary: nothing under src/ imports snarkjs or circom2 (they run only in prover/)', () => {
  const root = join(process.cwd(), 'src');
  const offenders: string[] = [];
  (function walk(dir: string) {
    for (const e of readdirSync(dir)) {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts') && /from ['"](snarkjs|circom2|circomlib|ffjavascript)|import\(['"](snarkjs|circom2)|require\(['"](snarkjs|circom2)/.test(readFileSync(p, 'utf8'))) offenders.push(p);
    }
  })(root);
  assert.deepEqual(offenders, []);
});
