// Slot packing (SecureBoost+ gradient packing and cipher compression) against plaintext sums,
// with negative slots and slots at their bounds, and the randomness pool's worker threads.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { add, decrypt, deserializeCiphertexts, encrypt, encryptManyBytes, generateKeyPair, HeEncodingError, layoutFor, packCiphertexts, packSigned, RandomnessPool, unpackSigned, type KeyPair } from '../../src/he/index.js';
import { randomBits } from '../../src/he/bigint.js';

describe('packing', () => {
  let kp: KeyPair;
  before(() => {
    kp = generateKeyPair({ bits: 1024 });
  });

  it('packs signed slots whose encrypted sums unpack to the slot sums', () => {
    const { publicKey: pk, privateKey: sk } = kp;
    const width = 40, count = 5;
    const rows = Array.from({ length: 30 }, (_, r) =>
      Array.from({ length: count }, (_, i) => (r === 0 ? -(1n << 30n) : r === 1 ? (1n << 30n) - 1n : randomBits(30) - (1n << 29n)) * (i % 2 ? -1n : 1n)),
    );
    let acc = encrypt(pk, packSigned(pk, rows[0]!, width));
    for (const r of rows.slice(1)) acc = add(pk, acc, encrypt(pk, packSigned(pk, r, width)));
    const want = Array.from({ length: count }, (_, i) => rows.reduce((s, r) => s + r[i]!, 0n));
    assert.deepEqual(unpackSigned(pk, decrypt(sk, acc), width, count), want);
    assert.throws(() => packSigned(pk, [1n << 39n], width), HeEncodingError);
    assert.throws(() => packSigned(pk, new Array(30).fill(0n), width), HeEncodingError);
    assert.equal(layoutFor(pk, width).slots, Math.floor(1022 / 40));
  });

  it('compresses ciphertexts of packed pairs into one and recovers every pair', () => {
    const { publicKey: pk, privateKey: sk } = kp;
    const inner = 30, outer = 2 * inner + 1;
    const pairs = Array.from({ length: Math.floor(1022 / outer) }, () => [randomBits(20) - (1n << 19n), randomBits(20)]);
    const cs = pairs.map((p) => encrypt(pk, packSigned(pk, p, inner)));
    const packed = packCiphertexts(pk, cs, outer);
    const bins = unpackSigned(pk, decrypt(sk, packed), outer, pairs.length);
    assert.deepEqual(bins.map((b) => unpackSigned(pk, b < 0n ? b + pk.n : b, inner, 2)), pairs);
  });

  it('makes randomness in worker threads: each ρ is an encryption of 0, all distinct', async () => {
    const { publicKey: pk, privateKey: sk } = kp;
    const pool = new RandomnessPool(pk, { workers: 2 });
    try {
      pool.prefill(6);
      const rs = await pool.take(10);
      assert.equal(rs.length, 10);
      assert.equal(new Set(rs).size, 10);
      for (const r of rs) assert.equal(decrypt(sk, r), 0n);
      assert.equal(decrypt(sk, encrypt(pk, 77n, rs[0])), 77n);
      // Batch encryption from pooled bytes (native products when built).
      const ms = [0n, 1n, pk.n - 1n, 123456789n];
      const cts = deserializeCiphertexts(pk, encryptManyBytes(pk, ms, await pool.takeBytes(ms.length)));
      assert.deepEqual(cts.map((c) => decrypt(sk, c)), ms);
    } finally {
      await pool.close();
    }
  });
});
