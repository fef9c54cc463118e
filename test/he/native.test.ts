// The native Montgomery kernel (native/paillier-bn.c over OpenSSL BN) against BigInt: batch
// products, SecureBoost histograms (also with feature grouping), Horner packing, the
// fixed-base comb, encryption mod n, CRT decryption and the key holder's CRT comb compute
// the same residues; out-of-range operands and non-units are refused. Skipped where the
// kernel is not built.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { HE_NATIVE, NativeModulus } from '../../src/he/native.js';
import { fromBytes, modPowBigInt, randomBelow, toBytes } from '../../src/he/bigint.js';
import {
  generateKeyPair, packCiphertexts, decrypt, decryptManyBytes, encrypt, encryptManyBytes, ObfuscatorSource, deserializeCiphertexts, serializeCiphertexts,
  PaillierPrivateKey, RandomnessPool, HeCiphertextError,
} from '../../src/he/index.js';

describe('native Paillier kernel', { skip: HE_NATIVE ? false : 'native/paillier-bn.c is not built here' }, () => {
  const { publicKey: pk, privateKey: sk } = generateKeyPair({ bits: 1024 });
  const w = pk.cipherBytes;
  const nm = HE_NATIVE ? new NativeModulus(HE_NATIVE, pk.n2, w) : undefined!;
  const els = (k: number) => Array.from({ length: k }, () => randomBelow(pk.n2));
  const pack = (xs: bigint[]) => Buffer.concat(xs.map((x) => toBytes(x, w)));
  const unpack = (b: Uint8Array) => Array.from({ length: b.length / w }, (_, i) => fromBytes(b.subarray(i * w, (i + 1) * w)));

  it('multiplies batches mod n² as BigInt does', () => {
    const a = els(20), b = els(20);
    a[0] = 1n;
    b[1] = pk.n2 - 1n;
    assert.deepEqual(unpack(nm.mulMany(pack(a), pack(b))), a.map((x, i) => (x * b[i]!) % pk.n2));
    assert.throws(() => nm.mulMany(pack([pk.n2]).subarray(0, w), pack([1n])), /not below the modulus/);
  });

  it('builds histograms (per node slot, feature, bin) as products of the rows’ ciphertexts', () => {
    const rows = 40, F = 3, stride = 4, slots = 2;
    const cts = els(30);
    const cipherOfRow = Int32Array.from({ length: rows }, (_, r) => (r < 30 ? r : -1));
    const slotOfRow = Int32Array.from({ length: rows }, (_, r) => (r % 5 === 0 ? -1 : r % 2));
    const bins = Uint8Array.from({ length: rows * F }, () => Math.floor(Math.random() * stride));
    const want = new Array(slots * F * stride).fill(1n);
    for (let r = 0; r < rows; r++) {
      if (cipherOfRow[r]! < 0 || slotOfRow[r]! < 0) continue;
      for (let f = 0; f < F; f++) {
        const at = (slotOfRow[r]! * F + f) * stride + bins[r * F + f]!;
        want[at] = (want[at] * cts[cipherOfRow[r]!]!) % pk.n2;
      }
    }
    assert.deepEqual(unpack(nm.histogram(pack(cts), cipherOfRow, slotOfRow, bins, F, stride, slots)), want);
    assert.throws(() => nm.histogram(pack(cts), cipherOfRow, slotOfRow, bins.map(() => 9), F, stride, slots), /out of range/);
  });

  it('packs ciphertexts (Horner with shifts) as packCiphertexts does', () => {
    const cts = [1n, 2n, 3n, 4n, 5n, 6n, 7n].map((m) => encrypt(pk, m));
    const got = unpack(nm.packMany(pack(cts), 3, 40));
    assert.deepEqual(got, [packCiphertexts(pk, cts.slice(0, 3), 40), packCiphertexts(pk, cts.slice(3, 6), 40), cts[6]]);
    assert.equal(decrypt(sk, got[0]!), 1n + (2n << 40n) + (3n << 80n));
  });

  it('raises h_s to short exponents with its comb as modPow does, and the randomness decrypts to 0', () => {
    const comb = nm.comb(pk.hs!, 448);
    const exps = randomBytes(5 * 56);
    exps.fill(0, 0, 56); // e = 0 → 1
    const got = unpack(comb.pow(exps, 56));
    got.forEach((v, i) => assert.equal(v, modPowBigInt(pk.hs!, fromBytes(exps.subarray(i * 56, (i + 1) * 56)), pk.n2)));
    const src = new ObfuscatorSource(pk, 'native');
    assert.equal(src.method, 'native');
    for (const r of deserializeCiphertexts(pk, src.nextBytes(3))) assert.equal(decrypt(sk, r), 0n);
  });

  it('groups features (products per distinct bin tuple, then per bin) with the same result as row by row', () => {
    // Few distinct tuples among many rows, so the kernel takes groups of 2 and 3 features.
    const rows = 400, F = 7, stride = 3, slots = 3;
    const cts = els(rows);
    const cipherOfRow = Int32Array.from({ length: rows }, (_, r) => (r % 11 === 3 ? -1 : r));
    const slotOfRow = Int32Array.from({ length: rows }, (_, r) => (r % 13 === 0 ? -1 : r % slots));
    const bins = Uint8Array.from({ length: rows * F }, (_, i) => (Math.floor(i / F) % 4 === 0 ? Math.floor(Math.random() * stride) : (i % F) % stride));
    const want = new Array(slots * F * stride).fill(1n);
    for (let r = 0; r < rows; r++) {
      if (cipherOfRow[r]! < 0 || slotOfRow[r]! < 0) continue;
      for (let f = 0; f < F; f++) {
        const at = (slotOfRow[r]! * F + f) * stride + bins[r * F + f]!;
        want[at] = (want[at] * cts[cipherOfRow[r]!]!) % pk.n2;
      }
    }
    assert.deepEqual(unpack(nm.histogram(pack(cts), cipherOfRow, slotOfRow, bins, F, stride, slots)), want);
    // The same from ciphertexts loaded once into Montgomery form (as a feature holder does per tree).
    const loaded = nm.loadCiphertexts(pack(cts));
    assert.deepEqual(unpack(nm.histogram(loaded, cipherOfRow, slotOfRow, bins, F, stride, slots)), want);
    assert.throws(() => nm.loadCiphertexts(pack([pk.n2 - 1n]).map(() => 0xff)), /not below the modulus/);
  });

  it('encrypts a batch mod n as (1 + m·n)·ρ mod n² in BigInt', () => {
    const ms = [0n, 1n, pk.n - 1n, randomBelow(pk.n), randomBelow(pk.n)];
    const rhos = [1n, ...els(4)];
    const got = unpack(encryptManyBytes(pk, ms, pack(rhos)));
    assert.deepEqual(got, ms.map((m, i) => ((1n + m * pk.n) * rhos[i]!) % pk.n2));
    assert.throws(() => encryptManyBytes(pk, [1n], pack([pk.n2 - 1n]).map(() => 0xff)), HeCiphertextError);
  });

  it('decrypts by CRT in C as the BigInt CRT does, and refuses non-units', () => {
    const bigintKey = PaillierPrivateKey.fromJSON(sk.toJSON(), 'bigint');
    assert.equal(bigintKey.native, null);
    assert.ok(sk.native);
    const ms = [0n, 1n, pk.n - 1n, randomBelow(pk.n), pk.halfN];
    const cts = ms.map((m) => encrypt(pk, m));
    const raw = decryptManyBytes(sk, serializeCiphertexts(pk, cts));
    assert.deepEqual(Array.from({ length: ms.length }, (_, i) => fromBytes(raw.subarray(i * pk.nBytes, (i + 1) * pk.nBytes))), ms);
    cts.forEach((c, i) => assert.equal(decrypt(bigintKey, c), ms[i]));
    const junk = els(3);
    for (const c of junk) assert.equal(decrypt(sk, c), decrypt(bigintKey, c));
    assert.throws(() => decrypt(sk, sk.p), HeCiphertextError);
    assert.throws(() => decryptManyBytes(sk, serializeCiphertexts(pk, [cts[0]!, sk.q * 7n])), HeCiphertextError);
  });

  it('makes the key holder’s randomness by CRT: h_s^α mod n² from combs mod p² and q²', async () => {
    const fb = sk.native!.fixedBase(pk.hs!, 448, 6);
    const exps = randomBytes(4 * 56);
    exps.fill(0, 0, 56);
    const got = unpack(fb.pow(exps, 56));
    got.forEach((v, i) => assert.equal(v, modPowBigInt(pk.hs!, fromBytes(exps.subarray(i * 56, (i + 1) * 56)), pk.n2)));
    const src = new ObfuscatorSource(pk, 'auto', sk);
    assert.equal(src.method, 'native-crt');
    const pool = new RandomnessPool(pk, { workers: 1, privateKey: sk });
    try {
      for (const r of deserializeCiphertexts(pk, await pool.takeBytes(3))) assert.equal(decrypt(sk, r), 0n);
    } finally {
      await pool.close();
    }
  });
});
