// The opt-in key with a short decryption exponent (Ma et al., ACSAC 2021, on Groth's RSA
// subgroups, TCC 2005): its structure checked with plain BigInt arithmetic, decryption (native
// on 1 and 2 threads, and the BigInt backend) against plaintext and against paillier-bigint's
// decryption by λ (an independent implementation, as an oracle only), homomorphic operations
// and every randomness source; ciphertexts whose randomness is outside the key's subgroup and
// malformed or inconsistent keys are refused.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkPrimeSync } from 'node:crypto';
import * as oracle from 'paillier-bigint';
import {
  add, decrypt, decryptManyBytes, encrypt, encryptPublic, generateKeyPair, HeCiphertextError, HeKeyError, mulPlain, negate, ObfuscatorSource, PaillierPrivateKey,
  PaillierPublicKey, RandomnessPool, deserializeCiphertexts, serializeCiphertexts,
} from '../../src/he/index.js';
import { bitLength, fromBytes, modInverse, modPowBigInt, randomBelow } from '../../src/he/bigint.js';

const mod = (a: bigint, m: bigint) => ((a % m) + m) % m;

for (const bits of [1024, 2048] as const) {
  describe(`short-decryption zpaillier key, ${bits} bits`, () => {
    const { publicKey: pk, privateKey: sk } = generateKeyPair({ bits, shortDecryption: true });
    const { alphaP, alphaQ } = sk.subgroup!;
    const lambda = (sk.p - 1n) * (sk.q - 1n);
    const opk = new oracle.PublicKey(pk.n, pk.n + 1n);
    const osk = new oracle.PrivateKey(lambda, modInverse(lambda, pk.n), opk, sk.p, sk.q);

    it('has the structure: α_p | p − 1 prime of 224 bits, h_s of order α_p mod p² and α_q mod q², a long enough randomness exponent', () => {
      assert.equal(bitLength(pk.n), bits);
      for (const [prime, alpha, other] of [[sk.p, alphaP, alphaQ], [sk.q, alphaQ, alphaP]] as const) {
        assert.ok(checkPrimeSync(alpha) && bitLength(alpha) === 224);
        assert.equal((prime - 1n) % alpha, 0n);
        assert.notEqual((prime - 1n) % other, 0n);
        assert.equal(modPowBigInt(pk.hs!, alpha, prime * prime), 1n);
        assert.notEqual(pk.hs! % (prime * prime), 1n);
      }
      assert.ok(pk.exponentBits >= bitLength(alphaP * alphaQ) + 128 && pk.exponentBits % 8 === 0);
      assert.deepEqual([sk.expP, sk.expQ], [alphaP, alphaQ]);
    });

    it('decrypts random and extreme plaintexts natively (1 and 2 threads) and with BigInt, as paillier-bigint does', () => {
      const bigintKey = PaillierPrivateKey.fromJSON(sk.toJSON(), 'bigint');
      const ms = [0n, 1n, 2n, pk.n - 1n, pk.halfN, sk.p, sk.q, ...Array.from({ length: 6 }, () => randomBelow(pk.n))];
      const cs = ms.map((m) => encrypt(pk, m));
      cs.forEach((c, i) => {
        assert.equal(osk.decrypt(c), ms[i]);
        assert.equal(decrypt(bigintKey, c), ms[i]);
        for (const threads of [1, 2]) assert.equal(decrypt(sk, c, { threads }), ms[i]);
      });
      if (sk.native) {
        const raw = decryptManyBytes(sk, serializeCiphertexts(pk, cs), { threads: 2 });
        assert.deepEqual(Array.from({ length: ms.length }, (_, i) => fromBytes(raw.subarray(i * pk.nBytes, (i + 1) * pk.nBytes))), ms);
      }
      // Homomorphic operations stay in the subgroup.
      const [a, b] = [ms[7]!, ms[8]!];
      assert.equal(decrypt(sk, add(pk, mulPlain(pk, cs[7]!, 12345n), negate(pk, cs[8]!))), mod(12345n * a - b, pk.n));
      assert.equal(decrypt(sk, encryptPublic(pk, 77n)), 77n);
    });

    it('decrypts the randomness of every source (the key holder’s CRT comb, the public combs, worker threads)', async () => {
      for (const [method, key] of [['auto', sk], ['native', undefined], ['openssl', undefined], ['comb', undefined]] as const) {
        const src = new ObfuscatorSource(pk, method, key);
        assert.equal(decrypt(sk, encrypt(pk, 9n, src.next())), 9n, `ObfuscatorSource ${method} (${src.method})`);
      }
      const pool = new RandomnessPool(pk, { workers: 1, privateKey: sk });
      try {
        for (const r of deserializeCiphertexts(pk, await pool.takeBytes(2))) assert.equal(decrypt(sk, r), 0n);
      } finally {
        await pool.close();
      }
    });

    it('refuses ciphertexts whose randomness is outside the subgroup (r^n from paillier-bigint, arbitrary units)', () => {
      const bigintKey = PaillierPrivateKey.fromJSON(sk.toJSON(), 'bigint');
      const foreign = [opk.encrypt(5n), randomBelow(pk.n2), pk.n2 - 1n];
      for (const c of foreign) {
        for (const key of [sk, bigintKey]) assert.throws(() => decrypt(key, c), HeCiphertextError);
        assert.throws(() => decrypt(sk, c, { threads: 2 }), HeCiphertextError);
      }
      assert.throws(() => decryptManyBytes(sk, serializeCiphertexts(pk, [encrypt(pk, 1n), foreign[0]!]), { threads: 2 }), HeCiphertextError);
      assert.throws(() => decrypt(sk, sk.p * 3n), HeCiphertextError);
    });

    it('round-trips through JSON and refuses inconsistent keys', () => {
      const j = JSON.parse(JSON.stringify(sk.toJSON()));
      assert.equal(j.expBits, pk.exponentBits);
      const sk2 = PaillierPrivateKey.fromJSON(j);
      assert.equal(PaillierPublicKey.fromJSON(JSON.parse(JSON.stringify(pk.toJSON()))).exponentBits, pk.exponentBits);
      assert.equal(decrypt(sk2, encrypt(pk, 31n)), 31n);
      const hex = (v: bigint) => v.toString(16);
      const bad: [string, object][] = [
        ['only alphaP', { ...j, alphaQ: undefined }],
        ['α_p not dividing p − 1', { ...j, alphaP: hex(alphaP + 2n) }],
        ['α_p and α_q swapped', { ...j, alphaP: j.alphaQ, alphaQ: j.alphaP }],
        ['a composite α_p', { ...j, alphaP: hex(2n * alphaP) }],
        ['a short randomness exponent', { ...j, expBits: 448 }],
        ['h_s outside the subgroup', { ...j, hs: hex(randomBelow(pk.n2)) }],
        ['the paillier scheme', { ...j, scheme: 'paillier', hs: undefined, expBits: undefined }],
      ];
      for (const [what, k] of bad) assert.throws(() => PaillierPrivateKey.fromJSON(JSON.parse(JSON.stringify(k))), HeKeyError, what);
      assert.throws(() => generateKeyPair({ bits: 1024, scheme: 'paillier', shortDecryption: true }), HeKeyError);
      assert.throws(() => PaillierPublicKey.fromJSON({ ...pk.toJSON(), expBits: 100 }), HeKeyError);
    });
  });
}
