// rep3's local product kernel (src/mpc/rep3/product-kernel.ts): the native path (native/rep3-mul.c,
// when built) and the WebAssembly path against a BigInt reference computed here from the
// definitions — x0·(y0 + y1) + x1·y0 + S − N mod 2^64 (and the XOR/AND analogue), S and N the
// AES-128-CTR keystreams of the two seeds from createCipheriv directly — at lengths around the
// kernel's blocks, from stream offsets even and odd, and with no mask.
import assert from 'node:assert/strict';
import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { maskStreams, rep3KernelPath, rep3Product, type ZeroSeeds } from '../../src/mpc/rep3/product-kernel.js';

const MASK = (1n << 64n) - 1n;

function words(n: number): BigUint64Array {
  return new BigUint64Array(randomBytes(8 * n).buffer);
}

/** Keystream words [start, start + n) of AES-128-CTR(seed, IV 0), little-endian. */
function keystream(seed: Uint8Array, start: number, n: number): BigUint64Array {
  const bytes = createCipheriv('aes-128-ctr', seed, new Uint8Array(16)).update(new Uint8Array(8 * (start + n)));
  const all = new BigUint64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  return all.subarray(start);
}

function reference(x0: BigUint64Array, x1: BigUint64Array, y0: BigUint64Array, y1: BigUint64Array, seeds: ZeroSeeds | undefined, boolean: boolean, start: number): BigUint64Array {
  const n = x0.length;
  const s = seeds ? keystream(seeds.self, start, n) : new BigUint64Array(n);
  const m = seeds ? keystream(seeds.next, start, n) : new BigUint64Array(n);
  const out = new BigUint64Array(n);
  for (let i = 0; i < n; i++) {
    const [a0, a1, b0, b1] = [x0[i]!, x1[i]!, y0[i]!, y1[i]!];
    out[i] = boolean ? (a0 & (b0 ^ b1)) ^ (a1 & b0) ^ s[i]! ^ m[i]! : (a0 * (b0 + b1) + a1 * b0 + s[i]! - m[i]!) & MASK;
  }
  return out;
}

function firstDifference(a: BigUint64Array, b: BigUint64Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

describe(`rep3 product kernel (${rep3KernelPath()})`, () => {
  const seeds = { self: randomBytes(16), next: randomBytes(16) };
  for (const n of [1, 2, 3, 1023, 1024, 1025, 8193, 20_001]) {
    for (const boolean of [false, true]) {
      for (const start of [0, 1, 4097]) {
        it(`n ${n}, ${boolean ? 'AND' : 'product'}, from element ${start}`, () => {
          const [x0, x1, y0, y1] = [words(n), words(n), words(n), words(n)];
          const want = reference(x0, x1, y0, y1, seeds, boolean, start);
          for (const forceWasm of [false, true]) {
            const got = rep3Product(new BigUint64Array(n), x0, x1, y0, y1, seeds, boolean, start, undefined, forceWasm);
            assert.equal(firstDifference(got, want), -1, `${forceWasm ? 'wasm' : rep3KernelPath()} differs`);
          }
        });
      }
    }
  }

  it('no mask: the bare local terms', () => {
    const n = 5000;
    const [x0, x1, y0, y1] = [words(n), words(n), words(n), words(n)];
    for (const forceWasm of [false, true]) {
      assert.equal(firstDifference(rep3Product(new BigUint64Array(n), x0, x1, y0, y1, undefined, false, 0, undefined, forceWasm), reference(x0, x1, y0, y1, undefined, false, 0)), -1);
    }
  });

  it('in chunks (as pipelined) equals in one go, on both paths', () => {
    const n = 10_007;
    const [x0, x1, y0, y1] = [words(n), words(n), words(n), words(n)];
    const want = reference(x0, x1, y0, y1, seeds, false, 0);
    for (const forceWasm of [false, true]) {
      const out = new BigUint64Array(n);
      const streams = maskStreams(seeds);
      for (let off = 0; off < n; off += 999) {
        const end = Math.min(n, off + 999);
        rep3Product(out.subarray(off, end), x0.subarray(off, end), x1.subarray(off, end), y0.subarray(off, end), y1.subarray(off, end), seeds, false, off, streams, forceWasm);
      }
      assert.equal(firstDifference(out, want), -1);
    }
  });

  it('refuses arrays of different lengths and bad seeds with a typed error', () => {
    const a = words(4);
    assert.throws(() => rep3Product(new BigUint64Array(4), a, a, a, words(3), seeds, false), RangeError);
    assert.throws(() => rep3Product(new BigUint64Array(4), a, a, a, a, { self: new Uint8Array(15), next: seeds.next }, false), TypeError);
  });
});
