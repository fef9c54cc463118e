// Paillier (1999) and the Damgård–Jurik short-exponent variant: homomorphic properties
// against plaintext arithmetic on random and extreme values, both modexp backends, a
// cross-check against an independent implementation (paillier-bigint, as an oracle only),
// and refusal of bad keys and malformed ciphertexts.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as oracle from 'paillier-bigint';
import {
  add, addPlain, decodeNumber, decrypt, deserializeCiphertexts, encodeNumber, encrypt, encryptPublic, generateKeyPair, HeCiphertextError,
  HeEncodingError, HeKeyError, mulPlain, negate, ObfuscatorSource, PaillierPrivateKey, PaillierPublicKey, rerandomize, serializeCiphertexts, sub,
  type KeyPair,
} from '../../src/he/index.js';
import { modInverse, randomBelow, randomBits } from '../../src/he/bigint.js';

const mod = (a: bigint, m: bigint) => ((a % m) + m) % m;

for (const scheme of ['zpaillier', 'paillier'] as const) {
  for (const backend of ['openssl', 'bigint'] as const) {
    describe(`${scheme} (${backend} modexp), 1024-bit key`, () => {
      let kp: KeyPair;
      before(() => {
        kp = generateKeyPair({ bits: 1024, scheme, backend });
      });

      it('decrypts what it encrypts, for random and extreme plaintexts', () => {
        const { publicKey: pk, privateKey: sk } = kp;
        const values = [0n, 1n, 2n, pk.n - 1n, pk.n - 2n, pk.halfN, pk.halfN + 1n, ...Array.from({ length: 8 }, () => randomBelow(pk.n))];
        for (const m of values) assert.equal(decrypt(sk, encrypt(pk, m)), m);
      });

      it('is probabilistic: two encryptions of one value differ', () => {
        assert.notEqual(encrypt(kp.publicKey, 7n), encrypt(kp.publicKey, 7n));
      });

      it('adds, subtracts, negates and multiplies by plaintexts as the integers mod n do', () => {
        const { publicKey: pk, privateKey: sk } = kp;
        for (let t = 0; t < 6; t++) {
          const a = t === 0 ? pk.n - 1n : randomBelow(pk.n), b = t === 1 ? pk.n - 1n : randomBelow(pk.n);
          const k = t === 2 ? -1n : t === 3 ? pk.n - 1n : randomBits(64) - (1n << 63n);
          const ca = encrypt(pk, a), cb = encrypt(pk, b);
          assert.equal(decrypt(sk, add(pk, ca, cb)), mod(a + b, pk.n));
          assert.equal(decrypt(sk, sub(pk, ca, cb)), mod(a - b, pk.n));
          assert.equal(decrypt(sk, negate(pk, ca)), mod(-a, pk.n));
          assert.equal(decrypt(sk, addPlain(pk, ca, b)), mod(a + b, pk.n));
          assert.equal(decrypt(sk, mulPlain(pk, ca, k)), mod(a * k, pk.n));
          assert.equal(decrypt(sk, rerandomize(pk, ca)), a);
          assert.equal(decrypt(sk, encryptPublic(pk, b)), b);
        }
      });

      it('encodes signed fixed-point numbers and their sums and scalar products', () => {
        const { publicKey: pk, privateKey: sk } = kp;
        const xs = [0, -0, 1.5, -1.5, 1e-9, -123456.789, 2 ** 20, -(2 ** 20)];
        let acc = encryptPublic(pk, 0n), sum = 0;
        for (const x of xs) {
          const c = encrypt(pk, encodeNumber(pk, x, 32));
          assert.ok(Math.abs(decodeNumber(pk, decrypt(sk, c), 32) - x) <= 2 ** -33);
          acc = add(pk, acc, c);
          sum += x;
        }
        assert.ok(Math.abs(decodeNumber(pk, decrypt(sk, acc), 32) - sum) < 1e-8);
        const prod = mulPlain(pk, encrypt(pk, encodeNumber(pk, -2.25, 16)), -3n);
        assert.equal(decodeNumber(pk, decrypt(sk, prod), 16), 6.75);
        assert.throws(() => encodeNumber(pk, NaN), HeEncodingError);
        assert.throws(() => encrypt(pk, -1n), HeEncodingError);
        assert.throws(() => encrypt(pk, pk.n), HeEncodingError);
      });

      it('agrees with paillier-bigint in both directions (an independent implementation)', () => {
        const { publicKey: pk, privateKey: sk } = kp;
        const lambda = (sk.p - 1n) * (sk.q - 1n);
        const opk = new oracle.PublicKey(pk.n, pk.n + 1n);
        const osk = new oracle.PrivateKey(lambda, modInverse(lambda, pk.n), opk, sk.p, sk.q);
        for (let t = 0; t < 4; t++) {
          const a = randomBelow(pk.n), b = randomBelow(pk.n);
          // theirs → ours, ours → theirs, and a sum mixing both.
          assert.equal(decrypt(sk, opk.encrypt(a)), a);
          assert.equal(osk.decrypt(encrypt(pk, b)), b);
          assert.equal(osk.decrypt(add(pk, opk.encrypt(a), encrypt(pk, b))), mod(a + b, pk.n));
          assert.equal(decrypt(sk, opk.multiply(encrypt(pk, a), 12345n)), mod(a * 12345n, pk.n));
        }
        // Same ρ = r^n: our ciphertext equals theirs bit for bit (paillier scheme's obfuscator).
        const r = randomBelow(pk.n);
        assert.equal(encrypt(pk, 99n, pk.powerN(r)), opk.encrypt(99n, r));
      });

      it('round-trips keys and ciphertexts through their wire forms', () => {
        const { publicKey: pk, privateKey: sk } = kp;
        const pk2 = PaillierPublicKey.fromJSON(JSON.parse(JSON.stringify(pk.toJSON())));
        const sk2 = PaillierPrivateKey.fromJSON(JSON.parse(JSON.stringify(sk.toJSON())));
        const cs = [encrypt(pk2, 5n), encrypt(pk, 6n)];
        const bytes = serializeCiphertexts(pk, cs);
        assert.equal(bytes.length, 2 * pk.cipherBytes);
        assert.deepEqual(deserializeCiphertexts(pk2, bytes, 2).map((c) => decrypt(sk2, c)), [5n, 6n]);
      });
    });
  }
}

describe('refusals', () => {
  let kp: KeyPair;
  before(() => {
    kp = generateKeyPair({ bits: 1024 });
  });

  it('refuses bad public and private keys with HeKeyError', () => {
    const { publicKey: pk, privateKey: sk } = kp;
    assert.throws(() => new PaillierPublicKey(pk.n + 1n, 'paillier'), HeKeyError); // even
    assert.throws(() => new PaillierPublicKey(pk.n >> 3n, 'paillier'), HeKeyError); // wrong size
    assert.throws(() => new PaillierPublicKey(pk.n * 3n, 'paillier'), HeKeyError); // small factor / size
    assert.throws(() => new PaillierPublicKey(pk.n, 'zpaillier'), HeKeyError); // no h_s
    assert.throws(() => new PaillierPublicKey(pk.n, 'zpaillier', 1n), HeKeyError);
    assert.throws(() => new PaillierPublicKey(pk.n, 'zpaillier', pk.n), HeKeyError); // shares a factor
    assert.throws(() => PaillierPublicKey.fromJSON({ scheme: 'paillier', n: 'xyz' }), HeKeyError);
    assert.throws(() => PaillierPublicKey.fromJSON(null), HeKeyError);
    assert.throws(() => PaillierPublicKey.fromJSON({ scheme: 'rsa', n: pk.n.toString(16) }), HeKeyError);
    assert.throws(() => new PaillierPrivateKey(pk, sk.p, sk.p), HeKeyError);
    assert.throws(() => new PaillierPrivateKey(pk, sk.p + 2n, sk.q), HeKeyError);
    assert.throws(() => new PaillierPrivateKey(pk, 1n, pk.n), HeKeyError);
    assert.throws(() => generateKeyPair({ bits: 1000 }), HeKeyError);
  });

  it('refuses malformed ciphertexts with HeCiphertextError', () => {
    const { publicKey: pk, privateKey: sk } = kp;
    assert.throws(() => decrypt(sk, 0n), HeCiphertextError);
    assert.throws(() => decrypt(sk, pk.n2), HeCiphertextError);
    assert.throws(() => decrypt(sk, -5n), HeCiphertextError);
    assert.throws(() => decrypt(sk, sk.p * 12345n), HeCiphertextError); // not a unit
    assert.throws(() => negate(pk, sk.q), HeCiphertextError);
    assert.throws(() => deserializeCiphertexts(pk, new Uint8Array(pk.cipherBytes + 1)), HeCiphertextError);
    assert.throws(() => deserializeCiphertexts(pk, new Uint8Array(pk.cipherBytes)), HeCiphertextError); // zero
    assert.throws(() => deserializeCiphertexts(pk, new Uint8Array(pk.cipherBytes).fill(0xff)), HeCiphertextError); // ≥ n²
    assert.throws(() => deserializeCiphertexts(pk, serializeCiphertexts(pk, [encrypt(pk, 1n)]), 2), HeCiphertextError);
  });

  it('makes zpaillier randomness in the subgroup: ρ decrypts to 0 with either fixed-base method', () => {
    const { publicKey: pk, privateKey: sk } = kp;
    for (const m of ['comb', 'openssl'] as const) {
      const src = new ObfuscatorSource(pk, m);
      assert.equal(src.method, m);
      assert.equal(decrypt(sk, src.next()), 0n);
    }
  });
});
