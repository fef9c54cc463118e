// The X25519 blinding: commutative, canonical-encoding checks at the exact boundary, small-order
// points refused (RFC 7748 §6.1).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { isCanonicalU, InvalidPointError, MaskingKey } from '../../src/psi/masking-key.js';
import { P, toLE } from '../support/curve25519-ref.js';

const pts = (n: number) => {
  const b = randomBytes(32 * n);
  for (let o = 31; o < b.length; o += 32) b[o]! &= 0x7f;
  for (let o = 0; o < b.length; o += 32) if (!isCanonicalU(b, o)) b[o + 31] = 0;
  return new Uint8Array(b);
};

describe('masking key (X25519)', () => {
  it('is commutative: X25519(a, X25519(b, u)) = X25519(b, X25519(a, u))', () => {
    const a = new MaskingKey(), b = new MaskingKey();
    const u = pts(50);
    const ab = new Uint8Array(u.length), ba = new Uint8Array(u.length);
    a.mask(u, ab);
    b.mask(ab, ab);
    b.mask(u, ba);
    a.mask(ba, ba);
    assert.deepEqual(ab, ba);
    assert.equal(a.count, 100);
    assert.notDeepEqual(ab, u);
  });

  it('accepts exactly the canonical encodings (u < 2^255 - 19, top bit clear)', () => {
    const at = (x: bigint) => { const b = new Uint8Array(32); b.set(toLE(x & ((1n << 256n) - 1n))); return b; };
    assert.ok(isCanonicalU(at(0n), 0));
    assert.ok(isCanonicalU(at(P - 1n), 0));
    assert.ok(!isCanonicalU(at(P), 0));
    assert.ok(!isCanonicalU(at(P + 1n), 0));
    assert.ok(!isCanonicalU(at((1n << 255n) - 1n), 0));
    assert.ok(!isCanonicalU(at(1n << 255n), 0));
    assert.ok(isCanonicalU(at(P - 1n - (1n << 200n)), 0));
    const k = new MaskingKey();
    assert.throws(() => k.mask(at(P), new Uint8Array(32)), (e: unknown) => e instanceof InvalidPointError && e.index === 0 && /canonical/.test(e.reason));
  });

  it('refuses points of small order, naming their index', () => {
    // u-coordinates of the points of order 1, 2, 4 and 8 on Curve25519 (RFC 7748 §6.1 outputs zero for these).
    const small = [0n, 1n, P - 1n,
      325606250916557431795983626356110631294008115727848805560023387167927233504n,
      39382357235489614581723060781553021112529911719440698176882885853963445705823n];
    const k = new MaskingKey();
    for (const u of small) {
      const batch = pts(3);
      batch.set(toLE(u), 64);
      assert.throws(() => k.mask(batch, new Uint8Array(96)), (e: unknown) => e instanceof InvalidPointError && e.index === 2, `u = ${u}`);
    }
  });
});
