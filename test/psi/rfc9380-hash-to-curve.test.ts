// RFC 9380 hash-to-curve as the PSI computes it: the WebAssembly kernel's expand_message_xmd
// (Appendix K.3), hash_to_field and the curve25519_XMD:SHA-512_ELL2_RO_ suite (Appendix J.4.1)
// against the RFC's vectors, and against @noble/curves (a second implementation, on the
// Edwards form, compared through the birational map) on random messages.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { expand_message_xmd } from '@noble/curves/abstract/hash-to-curve.js';
import { _map_to_curve_elligator2_curve25519, ed25519_hasher } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';
import {
  PSI_DST, expandMessageXmd, hashIdsToU, hashToCurveU, hashToField, kernelConstants, mapPairsToU,
} from '../../src/psi/hash-to-curve.js';
import { A, P, addU, edwardsYToU, fromHex, fromLE, inv, mod, pow, times8, toLE } from '../support/curve25519-ref.js';

const vectorsDir = new URL('../../../test/vectors/rfc9380/', import.meta.url);
const load = <T>(name: string): T => JSON.parse(readFileSync(new URL(name, vectorsDir), 'utf8')) as T;
const te = new TextEncoder();
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

interface Point { x: string; y: string }
interface RoVector { msg: string; P: Point; u: [string, string]; Q0: Point; Q1: Point }
const ro = load<{ dst: string; vectors: RoVector[] }>('curve25519_XMD_SHA-512_ELL2_RO_.json');
const k3 = load<{ dst: string; vectors: { msg: string; len_in_bytes: number; uniform_bytes: string }[] }>('expand_message_xmd_SHA512.json');

describe('RFC 9380 expand_message_xmd (SHA-512)', () => {
  it('matches Appendix K.3', () => {
    for (const v of k3.vectors) {
      assert.equal(hex(expandMessageXmd(te.encode(v.msg), te.encode(k3.dst), v.len_in_bytes)), v.uniform_bytes, `msg '${v.msg}', ${v.len_in_bytes} bytes`);
    }
  });

  it('matches noble on random messages, DSTs and lengths (block boundaries included)', () => {
    for (let i = 0; i < 300; i++) {
      const msg = randomBytes([0, 1, 63, 64, 111, 112, 127, 128, 129, 255, 256, 1000][i % 12]! + (i % 3));
      const dst = randomBytes(1 + ((i * 37) % 255));
      const len = 1 + ((i * 101) % 1200);
      assert.equal(hex(expandMessageXmd(msg, dst, len)), hex(expand_message_xmd(msg, dst, len, sha512)), `case ${i}`);
    }
  });

  it('rejects out-of-range lengths and DSTs', () => {
    assert.throws(() => expandMessageXmd(new Uint8Array(), te.encode('x'), 0), RangeError);
    assert.throws(() => expandMessageXmd(new Uint8Array(), te.encode('x'), 255 * 64 + 1), RangeError);
    assert.throws(() => expandMessageXmd(new Uint8Array(), new Uint8Array(), 32), RangeError);
    assert.throws(() => expandMessageXmd(new Uint8Array(), new Uint8Array(256), 32), RangeError);
  });
});

describe('RFC 9380 curve25519_XMD:SHA-512_ELL2_RO_ (Appendix J.4.1)', () => {
  const dst = te.encode(ro.dst);

  it('hash_to_field gives u[0], u[1]', () => {
    for (const v of ro.vectors) {
      const [u0, u1] = hashToField(te.encode(v.msg), dst);
      assert.equal(fromLE(u0), fromHex(v.u[0]), `u[0] of '${v.msg.slice(0, 8)}'`);
      assert.equal(fromLE(u1), fromHex(v.u[1]), `u[1] of '${v.msg.slice(0, 8)}'`);
    }
  });

  it('the map and the addition give u(Q0 + Q1), and 8 (Q0 + Q1) = P', () => {
    for (const v of ro.vectors) {
      const pair = new Uint8Array(64);
      pair.set(toLE(fromHex(v.u[0])), 0);
      pair.set(toLE(fromHex(v.u[1])), 32);
      const r = fromLE(mapPairsToU(pair));
      const expectedR = addU(fromHex(v.Q0.x), fromHex(v.Q0.y), fromHex(v.Q1.x), fromHex(v.Q1.y));
      assert.equal(r, expectedR, `Q0 + Q1 for '${v.msg.slice(0, 8)}'`);
      assert.equal(times8(r), fromHex(v.P.x), `P.x for '${v.msg.slice(0, 8)}'`);
      // The vectors are on the curve (guards against a mistyped vector).
      const px = fromHex(v.P.x), py = fromHex(v.P.y);
      assert.equal(mod(py * py), mod(px * px * px + A * px * px + px));
    }
  });

  it('hashes messages end to end in one batch', () => {
    const u = hashToCurveU(ro.vectors.map((v) => te.encode(v.msg)), dst);
    ro.vectors.forEach((v, i) => assert.equal(times8(fromLE(u.subarray(32 * i, 32 * i + 32))), fromHex(v.P.x), `'${v.msg.slice(0, 8)}'`));
  });
});

describe('hash to curve: cross-check with @noble/curves', () => {
  it('agrees with noble edwards25519_XMD:SHA-512_ELL2_RO_ through the birational map, on random messages', () => {
    // The edwards25519 suite is the curve25519 one followed by the rational map of RFC 9380
    // Appendix D.1, a group isomorphism: with the same DST the points correspond.
    const dst = te.encode(PSI_DST);
    const msgs = Array.from({ length: 64 }, (_, i) => randomBytes(i * 5));
    const u = hashToCurveU(msgs, dst);
    msgs.forEach((m, i) => {
      const e = ed25519_hasher.hashToCurve(m, { DST: dst }).toAffine();
      assert.equal(times8(fromLE(u.subarray(32 * i, 32 * i + 32))), edwardsYToU(e.y), `message ${i}`);
    });
  });

  it('agrees with noble map_to_curve_elligator2_curve25519 on random field elements, and doubles when u0 = u1', () => {
    const n = 200;
    const pairs = new Uint8Array(64 * n);
    const us: [bigint, bigint][] = [];
    for (let i = 0; i < n; i++) {
      const u0 = fromLE(randomBytes(32)) % P;
      const u1 = i % 10 === 0 ? u0 : fromLE(randomBytes(32)) % P;
      us.push([u0, u1]);
      pairs.set(toLE(u0), 64 * i);
      pairs.set(toLE(u1), 64 * i + 32);
    }
    const out = mapPairsToU(pairs);
    us.forEach(([u0, u1], i) => {
      const q0 = _map_to_curve_elligator2_curve25519(u0), q1 = _map_to_curve_elligator2_curve25519(u1);
      const x0 = mod(q0.xMn * inv(q0.xMd)), y0 = mod(q0.yMn * inv(q0.yMd)), x1 = mod(q1.xMn * inv(q1.xMd)), y1 = mod(q1.yMn * inv(q1.yMd));
      assert.equal(fromLE(out.subarray(32 * i, 32 * i + 32)), addU(x0, y0, x1, y1), `pair ${i}`);
    });
  });

  it('hashes ids as their UTF-8 bytes, and writes canonical values', () => {
    const ids = ['customer-1', 'é', 'e\u0301', '👍🏽', 'a,b"c', ' ', 'x'.repeat(100_000)];
    const viaIds = new Uint8Array(32 * ids.length);
    hashIdsToU(ids, 0, ids.length, viaIds);
    const viaBytes = hashToCurveU(ids.map((s) => te.encode(s)), te.encode(PSI_DST));
    assert.equal(hex(viaIds), hex(viaBytes));
    for (let i = 0; i < ids.length; i++) assert.ok(fromLE(viaIds.subarray(32 * i, 32 * i + 32)) < P);
    assert.notEqual(hex(viaIds.subarray(32, 64)), hex(viaIds.subarray(64, 96)), 'no Unicode normalisation');
  });
});

describe('kernel constants, derived from first principles', () => {
  const { sha512K, sha512Iv, c2, c3 } = kernelConstants();
  const primes: bigint[] = [];
  for (let n = 2n; primes.length < 80; n++) if (primes.every((p) => n % p !== 0n)) primes.push(n);
  const iroot = (x: bigint, k: bigint) => {
    let lo = 0n, hi = 1n << (BigInt(x.toString(2).length) / k + 2n);
    while (lo < hi) {
      const m = (lo + hi + 1n) >> 1n;
      if (m ** k <= x) lo = m;
      else hi = m - 1n;
    }
    return lo;
  };
  const M64 = (1n << 64n) - 1n;

  it('SHA-512 K (cube roots of the first 80 primes) and IV (square roots of the first 8), FIPS 180-4 §4.2.3, §5.3.5', () => {
    primes.forEach((p, i) => assert.equal(sha512K[i], iroot(p << 192n, 3n) & M64, `K[${i}]`));
    primes.slice(0, 8).forEach((p, i) => assert.equal(sha512Iv[i], iroot(p << 128n, 2n) & M64, `IV[${i}]`));
  });

  it('the map constants c2 = 2^((p + 3) / 8) and c3 = sqrt(-1)', () => {
    assert.equal(fromLE(c2), pow(2n, (P + 3n) / 8n));
    assert.equal(mod(fromLE(c3) * fromLE(c3)), P - 1n);
  });
});
