// The OPRF PSI's native per-item kernels (native/ot-kernels-kkrt.h: kkrtValues, kkrtRowValues)
// against the JavaScript path they replace (codewords of the tweaked digests, the rows
// q ⊕ (C ∧ s), the MMO row hash in kkrt.ts), byte for byte, on counts that end mid-tile; and
// a bin index past q refused with a message. Parties on either path interoperate because the
// bytes are equal. Skips where the OT kernels are not built.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { nativeOtKernels as N } from '../../src/ot/native-kernels.js';
import { FIXED_KEY } from '../../src/ot/aes-hash.js';
import { digestIds, rowValuesInto, senderValues } from '../../src/psi/oprf/run-oprf-psi.js';

const bytes = (n: number) => new Uint8Array(randomBytes(n));

describe('OPRF PSI native kernels', { skip: N ? false : 'native/ot-kernels.c not built' }, () => {
  it('sender values equal the JavaScript path (1, 84, 85, 86 and 1000 items, batches from an offset)', () => {
    const rowsQ = 700;
    const q = bytes(64 * rowsQ), s = bytes(64);
    for (const n of [1, 84, 85, 86, 1000]) {
      const digests = bytes(16 * (n + 5));
      const cand = new Uint32Array(3 * (n + 5)).map(() => Math.floor(Math.random() * rowsQ));
      const native = senderValues({ delta: s }, q, digests, cand, 5, n);
      const js = senderValues({ delta: s }, q, digests, cand, 5, n, null);
      assert.ok(Buffer.from(native).equals(Buffer.from(js)), `${n} items`);
    }
  });

  it('row values equal the JavaScript row hash, truncated (1, 255, 256, 257 and 3000 rows)', () => {
    for (const n of [1, 255, 256, 257, 3000]) {
      const rows = bytes(64 * n);
      const a = new Uint8Array(12 * n), b = new Uint8Array(12 * n);
      rowValuesInto(rows, a);
      rowValuesInto(rows, b, null);
      assert.ok(Buffer.from(a).equals(Buffer.from(b)), `${n} rows`);
    }
  });

  it('refuses a bin index past q and a wrong output size, with a message', () => {
    const q = bytes(64 * 10), s = bytes(64), digests = bytes(16 * 2);
    assert.throws(() => N!.kkrtValues(FIXED_KEY, q, s, digests, new Uint32Array([0, 1, 2, 3, 4, 10]), new Uint8Array(72)), /past q's rows/);
    assert.throws(() => N!.kkrtValues(FIXED_KEY, q, s, digests, new Uint32Array(6), new Uint8Array(71)), /36 bytes an item/);
    assert.throws(() => N!.kkrtRowValues(FIXED_KEY, bytes(64 * 3), new Uint8Array(35)), /12 bytes a row/);
  });
});

describe('OPRF PSI id digests', { skip: N ? false : 'native/ot-kernels.c not built' }, () => {
  it('native digests and bins equal the hash object per id, for ids with any characters', () => {
    const ids = ['', 'A-17', 'ünïcødé', '客户-0042', '😀 emoji', 'lone \ud800 surrogate', 'comma,quote"line\nbreak', 'x'.repeat(5000)];
    for (let i = 0; i < 2000; i++) ids.push(`id-${i}-${Math.random()}`);
    const seed = bytes(16);
    for (const bins of [1, 7, 2 ** 20 + 3]) {
      const a = digestIds(seed, ids, bins), b = digestIds(seed, ids, bins, null);
      assert.ok(Buffer.from(a.digests).equals(Buffer.from(b.digests)), `digests, ${bins} bins`);
      assert.deepEqual([...a.cand], [...b.cand], `bins, ${bins} bins`);
    }
  });

  it('refuses offsets that fall or leave the packed ids', () => {
    const d = new Uint8Array(32), c = new Uint32Array(6);
    assert.throws(() => N!.oprfDigests(bytes(4), bytes(10), new Uint32Array([5, 3]), 9, d, c), /rise and stay within/);
    assert.throws(() => N!.oprfDigests(bytes(4), bytes(10), new Uint32Array([5, 11]), 9, d, c), /rise and stay within/);
  });
});
