// The native Montgomery kernel (native/paillier-bn.c over OpenSSL BN) against BigInt: batch
// products, SecureBoost histograms, Horner packing and the fixed-base comb compute the same
// residues; out-of-range operands are refused. Skipped where the kernel is not built.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { HE_NATIVE, NativeModulus } from '../../src/he/native.js';
import { fromBytes, modPowBigInt, randomBelow, toBytes } from '../../src/he/bigint.js';
import { generateKeyPair, packCiphertexts, decrypt, encrypt, ObfuscatorSource, deserializeCiphertexts } from '../../src/he/index.js';

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
});
