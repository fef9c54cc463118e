// The per-OT word arithmetic of correlated OT and bit conversion (src/ot/cot-words.ts: native
// in place where native/ot-kernels.c is built) against BigInt on the definitions and against
// the WebAssembly kernels (src/ot/kernel.ts) word for word, on lengths that are not multiples
// of 8 words (a partial byte of choice bits) and into subarrays at an offset.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as K from '../../src/ot/kernel.js';
import { cotRecvWords, cotSendWords, unpackBits, weightedSum } from '../../src/ot/cot-words.js';

const M = (1n << 64n) - 1n;
const words = (n: number) => new BigUint64Array(new Uint8Array(randomBytes(8 * n)).buffer);

describe('correlated-OT words', () => {
  for (const n of [1, 13, 1000]) {
    it(`sender and receiver, ${n} words: d = h0 − h1 + c, s = −h0, v = ht + r·d`, () => {
      const h0 = words(n + 3), h1 = words(n + 3), c = words(n);
      const d = new BigUint64Array(n + 3), s = new BigUint64Array(n + 5);
      cotSendWords(h0, h1, c, d, s.subarray(2, 2 + n));
      const wasm = K.cotSend(h0.subarray(0, n), h1.subarray(0, n), c);
      for (let j = 0; j < n; j++) {
        assert.equal(d[j], (h0[j]! - h1[j]! + c[j]!) & M, `d ${j}`);
        assert.equal(s[2 + j], -h0[j]! & M, `s ${j}`);
        assert.equal(d[j], wasm.d[j]);
        assert.equal(s[2 + j], wasm.s[j]);
      }
      assert.deepEqual([s[0], s[1], d[n]], [0n, 0n, 0n], 'nothing written outside the words of c');
      // The receiver's words: v = ht + r·d for any hashes ht (the OT relation itself is test/ot's and ot-preprocessing's).
      const ht = words(n), bits = new Uint8Array(randomBytes(Math.ceil(n / 8)));
      const v = new BigUint64Array(n);
      cotRecvWords(ht, d, bits, v);
      const vw = K.cotRecv(ht, d.subarray(0, n), bits);
      for (let j = 0; j < n; j++) {
        const r = (bits[j >> 3]! >> (j & 7)) & 1;
        assert.equal(v[j], (ht[j]! + (r ? d[j]! : 0n)) & M, `v ${j}`);
        assert.equal(v[j], vw[j]);
      }
    });
  }

  it('unpackBits and weightedSum: bits as words, and their weighted sums', () => {
    const n = 37, x = words(n), w = words(64);
    for (const width of [1, 64]) {
      const got = unpackBits(x, width);
      assert.deepEqual(got, K.unpackBits(x, width));
      for (let e = 0; e < n; e++) for (let k = 0; k < width; k++) assert.equal(got[e * width + k], (x[e]! >> BigInt(k)) & 1n);
      const into = new BigUint64Array(n * width + 4);
      unpackBits(x, width, into.subarray(0, n * width));
      assert.deepEqual(into.subarray(0, n * width), got);
    }
    const bitWords = words(64 * n);
    const sums = weightedSum(bitWords, w, n - 2);
    assert.deepEqual(sums, K.weightedSum(bitWords, w, n - 2));
    for (let e = 0; e < n - 2; e++) {
      let acc = 0n;
      for (let k = 0; k < 64; k++) acc += w[k]! * bitWords[64 * e + k]!;
      assert.equal(sums[e], acc & M, `sum ${e}`);
    }
  });
});
