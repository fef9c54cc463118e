// OpenSSL modexp through node:crypto's Diffie–Hellman object: the same function as BigInt
// square-and-multiply, and (pinned) much faster for r^n mod n² at 2048 bits.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generatePrimeSync } from 'node:crypto';
import { CombFixedBase, FixedExponent, OpenSslFixedBase } from '../../src/he/modexp.js';
import { modPowBigInt, randomBelow, randomBits } from '../../src/he/bigint.js';

describe('modexp', () => {
  const p = generatePrimeSync(1024, { bigint: true }), q = generatePrimeSync(1024, { bigint: true });
  const n = p * q, n2 = n * n;

  it('computes b^e mod m as BigInt does, edge bases included', () => {
    const f = new FixedExponent(n2, n, 'openssl');
    assert.equal(f.backend, 'openssl');
    for (const b of [0n, 1n, 2n, n2 - 2n, n2 - 1n, randomBelow(n2), randomBelow(n)]) assert.equal(f.pow(b), modPowBigInt(b, n, n2));
    const g = randomBelow(n2);
    const ob = new OpenSslFixedBase(n2, g), comb = new CombFixedBase(n2, g, 448);
    for (const e of [0n, 1n, 255n, 256n, (1n << 448n) - 1n, randomBits(448)]) {
      const want = modPowBigInt(g, e, n2);
      assert.equal(ob.pow(e), want);
      assert.equal(comb.pow(e), want);
    }
  });

  it('OpenSSL computes r^n mod n² at least 3x faster than BigInt (2048-bit n)', () => {
    const f = new FixedExponent(n2, n, 'openssl');
    const bases = Array.from({ length: 6 }, () => randomBelow(n));
    f.pow(bases[0]!);
    let t = performance.now();
    for (const b of bases) f.pow(b);
    const ossl = performance.now() - t;
    t = performance.now();
    for (const b of bases.slice(0, 3)) modPowBigInt(b, n, n2);
    const big = (performance.now() - t) * 2;
    console.log(`r^n mod n²: openssl ${(ossl / 6).toFixed(2)} ms, bigint ${(big / 6).toFixed(2)} ms, ratio ${(big / ossl).toFixed(1)}`);
    assert.ok(big / ossl > 3, `ratio ${big / ossl}`);
  });
});
