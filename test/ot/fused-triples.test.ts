// The fused per-chunk kernels of the triples (native/ot-kernels.c ssTriplesRecv, ssTriplesSend)
// against the separate native kernels they replace (64 ssBlock calls, transposeHashLow, the
// sender's gilboaSendTri; the receiver's hash sums against BigInt sums of the separate hashes), byte for byte, on sizes that end mid sub-batch and mid tile; and
// crossTermsBothWays with the two parties on different paths (fused, per-kernel native,
// WebAssembly): the shares add up to a_a·b_b + a_b·b_a over Z_2^64 (checked against BigInt
// products), so parties on any path interoperate. The separate kernels themselves are held
// to the WebAssembly ones in native-kernels.test.ts. Skips where the shim is not built.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { FIXED_KEY } from '../../src/ot/aes-hash.js';
import { nativeOtKernels as N } from '../../src/ot/native-kernels.js';
import { setupSoftSpoken } from '../../src/ot/softspoken.js';
import { CHUNK, crossTermsBothWays, type TriplePath } from '../../src/mpc/semi2k/ot-triples.js';
import { otPairs } from './ot-harness.js';

const MASK = (1n << 64n) - 1n;
const bytes = (n: number) => new Uint8Array(randomBytes(n));
const words = (n: number) => new BigUint64Array(bytes(8 * n).buffer);

describe('fused triple kernels', { skip: N ? false : 'native/ot-kernels.c not built' }, () => {
  // E elements → W = 8E column bytes: 16 (one partial tile), 2 sub-batches + 48 bytes, a whole chunk.
  for (const E of [2, 1030, 4096]) {
    const W = 8 * E, m = 8 * W;

    it(`receiver, ${E} elements: the message of the separate kernels and the sums Σ_k H(t_64e+k)·2^k of their hashes`, () => {
      const keys = bytes(16 * 256), r = bytes(W), counter = 12345;
      const message = new Uint8Array(64 * W), hs = new BigUint64Array(E);
      N!.ssTriplesRecv(FIXED_KEY, keys, counter, W, r, message, new Uint8Array(hs.buffer));
      const cols = new Uint8Array(16 * m), message2 = new Uint8Array(64 * W), ht2 = new Uint8Array(8 * m);
      for (let i = 0; i < 64; i++) N!.ssBlock(keys.subarray(64 * i, 64 * i + 64), 0, false, counter, 2, W, cols.subarray(2 * i * W, (2 * i + 2) * W), message2.subarray(i * W, (i + 1) * W), r, undefined, 0);
      N!.transposeHashLow(FIXED_KEY, cols, W, undefined, ht2, undefined);
      assert.ok(Buffer.from(message).equals(Buffer.from(message2)), 'message');
      const h = new BigUint64Array(ht2.buffer);
      for (let e = 0; e < E; e++) {
        let want = 0n;
        for (let k = 0; k < 64; k++) want += h[64 * e + k]! << BigInt(k);
        if (hs[e] !== (want & MASK)) assert.fail(`hash sum of element ${e}`);
      }
    });

    it(`sender, ${E} elements: the corrections and output words of the separate kernels`, () => {
      const keys = bytes(16 * 256), ds = bytes(64).map((x) => x & 3), msg = bytes(64 * W), delta = bytes(16), a = bytes(8 * E), counter = 777;
      const d = new Uint8Array(260 * E), out = new Uint8Array(8 * E);
      N!.ssTriplesSend(FIXED_KEY, keys, ds, counter, W, msg, delta, a, d, out);
      const cols = new Uint8Array(16 * m), h0 = new Uint8Array(8 * m), h1 = new Uint8Array(8 * m), d2 = new Uint8Array(260 * E), out2 = new Uint8Array(8 * E);
      for (let i = 0; i < 64; i++) N!.ssBlock(keys.subarray(64 * i, 64 * i + 64), ds[i]!, true, counter, 2, W, cols.subarray(2 * i * W, (2 * i + 2) * W), undefined, undefined, msg.subarray(i * W, (i + 1) * W), ds[i]!);
      N!.transposeHashLow(FIXED_KEY, cols, W, delta, h0, h1);
      N!.gilboaSendTri(d2, out2, h0, h1, a);
      assert.ok(Buffer.from(d).equals(Buffer.from(d2)), 'corrections');
      assert.ok(Buffer.from(out).equals(Buffer.from(out2)), 'output words');
    });
  }

  it('rejects a key set that is not k = 2 and a block value over 2 bits, with a message', () => {
    const W = 16;
    assert.throws(() => N!.ssTriplesRecv(FIXED_KEY, bytes(16 * 128), 0, W, bytes(W), new Uint8Array(64 * W), new Uint8Array(W)), /256 seed keys/);
    const ds = new Uint8Array(64);
    ds[5] = 4;
    assert.throws(() => N!.ssTriplesSend(FIXED_KEY, bytes(16 * 256), ds, 0, W, bytes(64 * W), bytes(16), bytes(W), new Uint8Array(260 * 2), new Uint8Array(W)), /2-bit/);
  });

  it('crossTermsBothWays with the parties on different paths: shares add up to the cross terms, chunk after chunk', async () => {
    const [pa, pb] = await otPairs();
    const [sa, sb] = await Promise.all([setupSoftSpoken(pa, 2), setupSoftSpoken(pb, 2)]);
    const n = 2 * CHUNK + 1001; // three chunks (two prepared ahead), the last odd (padded to an even count)
    const pairs: [TriplePath, TriplePath][] = [['fused', 'wasm'], ['wasm', 'fused'], ['fused', 'native'], ['native', 'wasm'], ['fused', 'fused']];
    for (const [pathA, pathB] of pairs) {
      const aA = words(n), bA = words(n), aB = words(n), bB = words(n);
      const [xa, xb] = await Promise.all([crossTermsBothWays(sa, aA, bA, n, pathA), crossTermsBothWays(sb, aB, bB, n, pathB)]);
      for (let e = 0; e < n; e++) {
        const want = (aA[e]! * bB[e]! + aB[e]! * bA[e]!) & MASK;
        if (((xa[e]! + xb[e]!) & MASK) !== want) assert.fail(`${pathA}/${pathB}: element ${e} of ${n}`);
      }
    }
  });
});
