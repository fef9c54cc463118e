/**
 * Dataset commitments: the Merkle tree is RFC 6962's (checked against the Certificate
 * Transparency reference tree heads for sizes 0..8), rows are encoded canonically (−0 as +0,
 * big-endian float64, length-prefixed ids), and the schema hash is the ABI encoding a
 * Solidity verifier would compute.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeAbiParameters, keccak256, toHex } from 'viem';
import { contentCommitment, encodeRow, leafHash, merkleRoot, schemaHash } from '../../src/data/commitment.js';
import { algorithmId, toAlgorithmId } from '../../src/chain/algorithm-id.js';

const CT_DATA = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'];
const CT_ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

describe('RFC 6962 Merkle Tree Hash', () => {
  it('matches the Certificate Transparency reference roots for 0..8 leaves', () => {
    const leaves = CT_DATA.map((h) => leafHash(Buffer.from(h, 'hex')));
    for (let n = 0; n <= 8; n++) assert.equal(merkleRoot(leaves.slice(0, n)).toString('hex'), CT_ROOTS[n], `size ${n}`);
  });
});

describe('row encoding and content commitment', () => {
  it('encodes a row as uint32be id length, the id, big-endian float64s; −0 as +0', () => {
    const row = encodeRow('é', [1, -0]);
    assert.equal(row.toString('hex'), '00000002' + 'c3a9' + '3ff0000000000000' + '0000000000000000');
  });

  it('depends on every id, every value and the order of rows', () => {
    const base = { columns: ['a', 'b'], ids: ['x', 'y'], values: Float64Array.from([1, 2, 3, 4]), rows: 2 };
    const c = contentCommitment(base);
    assert.match(c, /^0x[0-9a-f]{64}$/);
    assert.notEqual(contentCommitment({ ...base, ids: ['x', 'z'] }), c);
    assert.notEqual(contentCommitment({ ...base, values: Float64Array.from([1, 2, 3, 4.000000001]) }), c);
    assert.notEqual(contentCommitment({ ...base, ids: ['y', 'x'], values: Float64Array.from([3, 4, 1, 2]) }), c);
    // ids and values cannot slide into each other thanks to the length prefix
    assert.notEqual(contentCommitment({ columns: ['a'], ids: ['ab'], values: Float64Array.from([1]), rows: 1 }), contentCommitment({ columns: ['a'], ids: ['a'], values: Float64Array.from([1]), rows: 1 }));
    assert.equal(contentCommitment(base), c, 'deterministic');
  });
});

describe('schema hash and algorithm ids', () => {
  it('is keccak256(abi.encode("tacit-schema-v1", idColumn, columns))', () => {
    const expected = keccak256(encodeAbiParameters([{ type: 'string' }, { type: 'string' }, { type: 'string[]' }], ['tacit-schema-v1', 'id', ['x0', 'x1']]));
    assert.equal(schemaHash('id', ['x0', 'x1']), expected);
    assert.notEqual(schemaHash('id', ['x1', 'x0']), expected, 'column order is part of the schema');
    assert.notEqual(schemaHash('uid', ['x0', 'x1']), expected);
  });

  it('algorithm ids are keccak256 of the program name; explicit ids pass through', () => {
    assert.equal(algorithmId('lr-train'), keccak256(toHex('lr-train')));
    const id = `0x${'AB'.repeat(32)}` as const;
    assert.equal(toAlgorithmId(id), id.toLowerCase());
    assert.equal(toAlgorithmId('debt-query'), algorithmId('debt-query'));
  });
});
