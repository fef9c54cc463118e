// The native CRT decryption on several threads (native/paillier-bn-crt.h: a batch split into
// runs, or one ciphertext's two CRT halves) against two references: the BigInt CRT path of
// the same key and paillier-bigint's decryption by λ (an independent implementation, as an
// oracle only), on random and extreme plaintexts and on arbitrary units of Z_{n²}; non-units
// and out-of-range ciphertexts are refused wherever they sit in a batch, bad thread counts
// are refused; the bench's baseline (the constant-time powers alone) computes c^e mod m.
// Skipped where the kernel is not built.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as oracle from 'paillier-bigint';
import { HE_NATIVE, NativeModulus } from '../../src/he/native.js';
import { byteLength, fromBytes, modInverse, modPowBigInt, randomBelow, toBytes } from '../../src/he/bigint.js';
import { decrypt, decryptManyBytes, encrypt, generateKeyPair, HeCiphertextError, PaillierPrivateKey, serializeCiphertexts } from '../../src/he/index.js';

for (const bits of [1024, 2048] as const) {
  describe(`native decryption on threads, ${bits}-bit key`, { skip: HE_NATIVE ? false : 'native/paillier-bn.c is not built here' }, () => {
    const { publicKey: pk, privateKey: sk } = generateKeyPair({ bits });
    const bigintKey = PaillierPrivateKey.fromJSON(sk.toJSON(), 'bigint');
    const lambda = (sk.p - 1n) * (sk.q - 1n);
    const opk = new oracle.PublicKey(pk.n, pk.n + 1n);
    const osk = new oracle.PrivateKey(lambda, modInverse(lambda, pk.n), opk, sk.p, sk.q);
    const plains = (b: Uint8Array) => Array.from({ length: b.length / pk.nBytes }, (_, i) => fromBytes(b.subarray(i * pk.nBytes, (i + 1) * pk.nBytes)));
    const extremes = [0n, 1n, 2n, pk.n - 1n, pk.n - 2n, pk.halfN, pk.halfN + 1n, sk.p, sk.q, 1n << BigInt(bits - 2)];

    it('decrypts random and extreme plaintexts with 1, 2, 3 and 16 threads as BigInt and paillier-bigint do', () => {
      const ms = [...extremes, ...Array.from({ length: 7 }, () => randomBelow(pk.n))];
      const cs = ms.map((m) => encrypt(pk, m));
      const block = serializeCiphertexts(pk, cs);
      assert.notEqual(sk.native, null);
      for (const threads of [1, 2, 3, 16]) {
        assert.deepEqual(plains(decryptManyBytes(sk, block, { threads })), ms, `batch, ${threads} threads`);
        cs.forEach((c, i) => assert.equal(decrypt(sk, c, { threads }), ms[i], `single, ${threads} threads`));
      }
      cs.forEach((c, i) => {
        assert.equal(decrypt(bigintKey, c), ms[i]);
        assert.equal(osk.decrypt(c), ms[i]);
      });
      // A batch of one with two threads takes the CRT-halves path; an empty batch is empty.
      assert.deepEqual(plains(decryptManyBytes(sk, serializeCiphertexts(pk, [cs[3]!]), { threads: 2 })), [ms[3]]);
      assert.equal(decryptManyBytes(sk, new Uint8Array(0), { threads: 2 }).length, 0);
    });

    it('decrypts arbitrary units of Z_{n²} (not made by encrypt) as the references do', () => {
      const junk = [1n, pk.n2 - 1n, pk.n + 1n, ...Array.from({ length: 6 }, () => randomBelow(pk.n2))];
      const want = junk.map((c) => osk.decrypt(c));
      junk.forEach((c, i) => assert.equal(decrypt(bigintKey, c), want[i]));
      for (const threads of [1, 2]) {
        assert.deepEqual(plains(decryptManyBytes(sk, serializeCiphertexts(pk, junk), { threads })), want);
        junk.forEach((c, i) => assert.equal(decrypt(sk, c, { threads }), want[i]));
      }
    });

    it('refuses non-units and out-of-range ciphertexts in either thread’s run, and bad thread counts', () => {
      const good = Array.from({ length: 5 }, (_, i) => encrypt(pk, BigInt(i)));
      const nonUnits = [sk.p, sk.q * 3n, sk.p2, sk.q2 * 5n, pk.n, pk.n * 7n];
      for (const bad of nonUnits) {
        for (const threads of [1, 2]) {
          assert.throws(() => decrypt(sk, bad, { threads }), HeCiphertextError);
          for (const at of [0, 2, 5]) {
            const cs = [...good];
            cs.splice(at, 0, bad);
            assert.throws(() => decryptManyBytes(sk, serializeCiphertexts(pk, cs), { threads }), HeCiphertextError, `non-unit at ${at}, ${threads} threads`);
          }
        }
      }
      // Serialized 0 and values ≥ n² (which serializeCiphertexts itself would refuse).
      const w = pk.cipherBytes;
      for (const fill of [0x00, 0xff]) {
        const block = Buffer.concat([serializeCiphertexts(pk, good), Buffer.alloc(w, fill)]);
        for (const threads of [1, 2, 4]) assert.throws(() => decryptManyBytes(sk, block, { threads }), HeCiphertextError);
      }
      assert.throws(() => decryptManyBytes(sk, serializeCiphertexts(pk, good).subarray(1), { threads: 2 }), HeCiphertextError);
      for (const threads of [0, 17, -1]) assert.throws(() => decrypt(sk, good[0]!, { threads }), RangeError);
      assert.throws(() => decryptManyBytes(sk, serializeCiphertexts(pk, good), { threads: 1.5 }), TypeError);
      assert.throws(() => decrypt(sk, 0n, { threads: 2 }), HeCiphertextError);
      assert.throws(() => decrypt(sk, pk.n2, { threads: 2 }), HeCiphertextError);
    });

    it('computes the bench’s baseline (the two constant-time powers alone) as BigInt does', () => {
      const c = encrypt(pk, randomBelow(pk.n));
      for (const [m, e] of [[sk.p2, sk.p - 1n], [sk.q2, sk.q - 1n]] as const) {
        const w = byteLength(m), eb = byteLength(e), nm = new NativeModulus(HE_NATIVE!, m, w);
        const bases = Buffer.concat([toBytes(c % m, w), toBytes(1n, w), toBytes(m - 1n, w)]);
        const exps = Buffer.concat([toBytes(e, eb), toBytes(e, eb), toBytes(e, eb)]);
        const got = nm.powManyConsttime(bases, exps, eb);
        assert.deepEqual(got, nm.powMany(bases, exps, eb));
        assert.deepEqual([0, 1, 2].map((i) => fromBytes(got.subarray(i * w, (i + 1) * w))), [modPowBigInt(c % m, e, m), 1n, modPowBigInt(m - 1n, e, m)]);
      }
    });
  });
}
