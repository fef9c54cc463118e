// Every engine operation against a plaintext reference, for rep3 and for semi2k with 2, 3
// (separate dealer) and 5 parties, including negative and extreme fixed-point values,
// inputs from a member that does not compute and outputs to one that does not either.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeFixed, encodeFixed, encodeInt, fixedPointLimit } from '../../src/mpc/fixed-point.js';
import type { Mpc } from '../../src/mpc/engine.js';
import { SS_DEFAULT_K } from '../../src/ot/softspoken.js';
import { SESSIONS, describeSession, randomArray, runSession, type TestSession } from '../support/session.js';

const F = 18;
const ULP = 2 ** -F;
/** What the engine computes on: the values after fixed-point rounding. */
const q = (v: ArrayLike<number>) => decodeFixed(encodeFixed(v, F), F);

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: (e: number) => number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!, e = expected[i]!;
    if (!(Math.abs(a - e) <= tol(e))) assert.fail(`${what}[${i}]: got ${a}, expected ${e} (tolerance ${tol(e)})`);
  }
}

/** Runs `program` and returns what the member `at` (default p0) returned. */
async function at<T>(s: TestSession, program: (mpc: Mpc) => Promise<T>, who = 'p0'): Promise<T> {
  return (await runSession(s, program)).get(who)!;
}

for (const s of SESSIONS) {
  describe(`engine ops: ${describeSession(s)}`, () => {
    it('input and reveal: from a compute party and from a provider; to all, to one, to an outside receiver', async () => {
      const limit = fixedPointLimit(F);
      const vals = [0, 1, -1, ULP, -ULP, 123.456, -98765.4321, limit - 1, -(limit - 1), 2 ** 40 + 0.5];
      const res = await runSession(s, async (mpc) => {
        const a = await mpc.input('p1', mpc.self === 'p1' ? vals : undefined, [vals.length]);
        const b = await mpc.input('provider', mpc.self === 'provider' ? vals : undefined, [vals.length]);
        const all = await mpc.reveal(a);
        const onlyP0 = await mpc.reveal(b, 'p0');
        const onlyReceiver = await mpc.reveal(mpc.add(a, b), 'receiver');
        return { all, onlyP0, onlyReceiver };
      });
      const expected = q(vals);
      for (const [id, r] of res) {
        close(r.all!, expected, () => 0, `reveal at ${id}`);
        if (id === 'p0') close(r.onlyP0!, expected, () => 0, 'reveal to p0');
        else assert.equal(r.onlyP0, undefined, `${id} must not learn a value revealed to p0`);
        if (id === 'receiver') close(r.onlyReceiver!, expected.map((v) => 2 * v), () => 0, 'reveal to receiver');
        else assert.equal(r.onlyReceiver, undefined, `${id} must not learn the receiver's output`);
      }
    });

    it('hconcat joins column blocks row by row (and rows, split, concat agree)', async () => {
      const a = [1, 2, 3, 4, 5, 6], b = [-7, -8], c = [9.5, 10.5, 11.5, 12.5];
      const r = await at(s, async (mpc) => {
        const A = await mpc.input('p0', mpc.self === 'p0' ? a : undefined, [2, 3]);
        const B = await mpc.input('p1', mpc.self === 'p1' ? b : undefined, [2, 1]);
        const C = await mpc.input('provider', mpc.self === 'provider' ? c : undefined, [2, 2]);
        const H = mpc.hconcat([A, B, C]);
        return { h: await mpc.reveal(H), shape: H.shape, row1: await mpc.reveal(mpc.rows(H, [1])) };
      });
      assert.deepEqual(r.shape, [2, 6]);
      close(r.h!, [1, 2, 3, -7, 9.5, 10.5, 4, 5, 6, -8, 11.5, 12.5], () => 0, 'hconcat');
      close(r.row1!, [4, 5, 6, -8, 11.5, 12.5], () => 0, 'rows of hconcat');
    });

    it('add, sub, neg, addPublic, mulInt, sum are exact', async () => {
      const x = randomArray(64, -1e6, 1e6, 1);
      const y = randomArray(64, -1e6, 1e6, 2);
      const r = await at(s, async (mpc) => {
        const a = await mpc.input('p0', mpc.self === 'p0' ? x : undefined, [8, 8]);
        const b = await mpc.input('provider', mpc.self === 'provider' ? y : undefined, [8, 8]);
        return {
          add: await mpc.reveal(mpc.add(a, b)),
          sub: await mpc.reveal(mpc.sub(a, b)),
          neg: await mpc.reveal(mpc.neg(a)),
          addp: await mpc.reveal(mpc.addPublic(a, -3.25)),
          muli: await mpc.reveal(mpc.mulInt(a, -7)),
          sum: await mpc.reveal(mpc.sum(a)),
          sum0: await mpc.reveal(mpc.sum(a, 0)),
          sum1: await mpc.reveal(mpc.sum(a, 1)),
        };
      });
      const qx = q(x), qy = q(y);
      close(r.add!, qx.map((v, i) => v + qy[i]!), () => 1e-9, 'add');
      close(r.sub!, qx.map((v, i) => v - qy[i]!), () => 1e-9, 'sub');
      close(r.neg!, qx.map((v) => -v), () => 0, 'neg');
      close(r.addp!, qx.map((v) => v - 3.25), () => 1e-9, 'addPublic');
      close(r.muli!, qx.map((v) => -7 * v), () => 1e-8, 'mulInt');
      close(r.sum!, [qx.reduce((a, b) => a + b, 0)], () => 1e-6, 'sum');
      const s0 = Array.from({ length: 8 }, (_, j) => Array.from({ length: 8 }, (_, i) => qx[i * 8 + j]!).reduce((a, b) => a + b));
      const s1 = Array.from({ length: 8 }, (_, i) => Array.from({ length: 8 }, (_, j) => qx[i * 8 + j]!).reduce((a, b) => a + b));
      close(r.sum0!, s0, () => 1e-6, 'sum axis 0');
      close(r.sum1!, s1, () => 1e-6, 'sum axis 1');
    });

    it('mul and mulPublic within fixed-point error, negative and large operands', async () => {
      const n = 1000;
      const x = randomArray(n, -4000, 4000, 3);
      const y = randomArray(n, -4000, 4000, 4);
      x[0] = 0; y[0] = -4000; x[1] = -ULP; y[1] = 4000; x[2] = 8191; y[2] = -8191;
      const r = await at(s, async (mpc) => {
        const a = await mpc.input('p0', mpc.self === 'p0' ? x : undefined, [n]);
        const b = await mpc.input('p1', mpc.self === 'p1' ? y : undefined, [n]);
        return { mul: await mpc.reveal(await mpc.mul(a, b)), mulp: await mpc.reveal(await mpc.mulPublic(a, -0.7071)) };
      });
      const qx = q(x), qy = q(y);
      close(r.mul!, qx.map((v, i) => v * qy[i]!), () => 2 * ULP, 'mul');
      const c = q([-0.7071])[0]!;
      close(r.mulp!, qx.map((v) => v * c), () => 2 * ULP, 'mulPublic');
    });

    it('matmul of secret matrices, and matrix-vector', async () => {
      const [m, k, n] = [13, 7, 3];
      const A = randomArray(m * k, -10, 10, 5);
      const B = randomArray(k * n, -10, 10, 6);
      const v = randomArray(k, -10, 10, 7);
      const r = await at(s, async (mpc) => {
        const a = await mpc.input('p0', mpc.self === 'p0' ? A : undefined, [m, k]);
        const b = await mpc.input('provider', mpc.self === 'provider' ? B : undefined, [k, n]);
        const w = await mpc.input('p1', mpc.self === 'p1' ? v : undefined, [k]);
        return { ab: await mpc.reveal(await mpc.matmul(a, b)), av: await mpc.reveal(await mpc.matmul(a, w)) };
      });
      const qa = q(A), qb = q(B), qv = q(v);
      const ab: number[] = [], av: number[] = [];
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let acc = 0;
          for (let t = 0; t < k; t++) acc += qa[i * k + t]! * qb[t * n + j]!;
          ab.push(acc);
        }
        let acc = 0;
        for (let t = 0; t < k; t++) acc += qa[i * k + t]! * qv[t]!;
        av.push(acc);
      }
      close(r.ab!, ab, () => 2 * ULP, 'matmul');
      close(r.av!, av, () => 2 * ULP, 'matvec');
    });

    it('truncation: floor(x / 2^d) or one more, across the signed range', async () => {
      const ints = [0n, 1n, -1n, 31n, 32n, -32n, -33n, 2n ** 50n, -(2n ** 50n), 2n ** 61n - 1n, -(2n ** 61n)];
      const r = await at(s, async (mpc) => {
        const a = await mpc.input('p1', mpc.self === 'p1' ? encodeInt(ints) : undefined, [ints.length], 'int');
        return mpc.revealRing(await mpc.trunc(a, 5));
      });
      const got = new BigInt64Array(r!.buffer, r!.byteOffset, r!.length);
      ints.forEach((v, i) => {
        const fl = v >= 0n ? v / 32n : -((-v + 31n) / 32n);
        const g = got[i]!;
        assert.ok(g === fl || g === fl + 1n, `trunc(${v}) = ${g}, expected ${fl} or ${fl + 1n}`);
      });
    });

    it('comparisons lt, gt, le, ge, eq are exact, with ties and extremes', async () => {
      const limit = fixedPointLimit(F) - 1;
      const x = [1, -1, 0, 5.5, -7.25, limit, -limit, 3, ULP, 0, -ULP, 1e6];
      const y = [1, 1, 0, -5.5, -7.25, -limit, limit, 3 + ULP, 0, -ULP, 0, 1e6 - ULP];
      const r = await at(s, async (mpc) => {
        const a = await mpc.input('p0', mpc.self === 'p0' ? x : undefined, [x.length]);
        const b = await mpc.input('provider', mpc.self === 'provider' ? y : undefined, [y.length]);
        return {
          lt: await mpc.reveal(await mpc.lt(a, b)),
          gt: await mpc.reveal(await mpc.gt(a, b)),
          le: await mpc.reveal(await mpc.le(a, b)),
          ge: await mpc.reveal(await mpc.ge(a, b)),
          eq: await mpc.reveal(await mpc.eq(a, b)),
        };
      });
      const qx = q(x), qy = q(y);
      close(r.lt!, qx.map((v, i) => +(v < qy[i]!)), () => 0, 'lt');
      close(r.gt!, qx.map((v, i) => +(v > qy[i]!)), () => 0, 'gt');
      close(r.le!, qx.map((v, i) => +(v <= qy[i]!)), () => 0, 'le');
      close(r.ge!, qx.map((v, i) => +(v >= qy[i]!)), () => 0, 'ge');
      close(r.eq!, qx.map((v, i) => +(v === qy[i]!)), () => 0, 'eq');
    });

    it('many random comparisons (arithmetic bits, and boolean bits opened as sorting does)', async () => {
      const n = 2013; // not a multiple of 2, 4, 8 or 16: the kernels' vector loops and their tails
      const x = randomArray(n, -1e5, 1e5, 8);
      const y = randomArray(n, -1e5, 1e5, 9);
      const r = await at(s, async (mpc) => {
        const a = await mpc.input('p0', mpc.self === 'p0' ? x : undefined, [n]);
        const b = await mpc.input('p1', mpc.self === 'p1' ? y : undefined, [n]);
        const d = mpc.sub(a, b);
        const bits = await mpc.protocol.msbB(d.parts, n);
        const opened = await mpc.protocol.openB(bits, n, mpc.members);
        return { lt: await mpc.reveal(await mpc.lt(a, b)), msbB: opened ? Array.from(opened, Number) : undefined };
      });
      const qx = q(x), qy = q(y);
      const want = qx.map((v, i) => +(v < qy[i]!));
      close(r.lt!, want, () => 0, 'lt');
      close(r.msbB!, want, () => 0, 'msbB opened (bit 0, other bits clear)');
    });

    it('select, relu, abs', async () => {
      const x = randomArray(200, -50, 50, 10);
      const y = randomArray(200, -50, 50, 11);
      const r = await at(s, async (mpc) => {
        const a = await mpc.input('p0', mpc.self === 'p0' ? x : undefined, [200]);
        const b = await mpc.input('p1', mpc.self === 'p1' ? y : undefined, [200]);
        const c = await mpc.lt(a, b);
        return {
          min: await mpc.reveal(await mpc.select(c, a, b)),
          relu: await mpc.reveal(await mpc.relu(a)),
          abs: await mpc.reveal(await mpc.abs(b)),
        };
      });
      const qx = q(x), qy = q(y);
      close(r.min!, qx.map((v, i) => Math.min(v, qy[i]!)), () => 0, 'select');
      close(r.relu!, qx.map((v) => Math.max(v, 0)), () => 0, 'relu');
      close(r.abs!, qy.map((v) => Math.abs(v)), () => 0, 'abs');
    });

    it('bit decomposition matches the two’s-complement words', async () => {
      const x = [0, 1, -1, 3.75, -1234.5, 2 ** 30];
      const r = await at(s, async (mpc) => {
        const a = await mpc.input('p0', mpc.self === 'p0' ? x : undefined, [x.length]);
        const bits = await mpc.a2b(a);
        return mpc.protocol.openB(bits, x.length, mpc.members);
      });
      assert.deepEqual(Array.from(r!), Array.from(encodeFixed(x, F)));
    });

    it('sigmoid within 6e-5 over [−40, 40]', async () => {
      const x = Float64Array.from(randomArray(400, -40, 40, 12));
      x.set([0, 1e-4, -1e-4, 15.99, 16.01, -16.01, 40, -40], 0);
      const r = await at(s, async (mpc) => {
        const a = await mpc.input('p0', mpc.self === 'p0' ? x : undefined, [x.length]);
        return mpc.reveal(await mpc.sigmoid(a));
      });
      close(r!, q(x).map((v) => 1 / (1 + Math.exp(-v))), () => 6e-5, 'sigmoid');
    });

    it('piecewise sigmoid within 6e-5 over [−40, 40] and at huge inputs, in 21 rounds', async () => {
      const x = Float64Array.from(randomArray(400, -40, 40, 16));
      // Huge inputs: x·2^F/(b − a) wraps mod 2^64 there, which the clamp must make harmless.
      x.set([0, 1e-4, -1e-4, 1, -1, 2, -2, 4, -4, 8, -8, 15.99, 16, 16.01, -16.01, 40, -40, 1e5, -1e5, 3e9, -3e9], 0);
      const r = await at(s, async (mpc) => {
        const a = await mpc.input('p0', mpc.self === 'p0' ? x : undefined, [x.length]);
        const y = await mpc.reveal(await mpc.sigmoid(a, { method: 'piecewise' }));
        return { y, rounds: mpc.log.find((e) => e.op === 'sigmoid')!.rounds };
      });
      close(r.y!, q(x).map((v) => 1 / (1 + Math.exp(-v))), () => 6e-5, 'sigmoid (piecewise)');
      if (s.protocol === 'rep3') assert.equal(r.rounds, 21);
    });

    it('exp within 1e-3 relative (and 1e-4 absolute) over [−40, 12]', async () => {
      const x = randomArray(300, -40, 12, 13);
      const r = await at(s, async (mpc) => {
        const a = await mpc.input('p0', mpc.self === 'p0' ? x : undefined, [x.length]);
        return mpc.reveal(await mpc.exp(a));
      });
      close(r!, q(x).map(Math.exp), (e) => Math.max(1e-3 * e, 1e-4), 'exp');
    });

    it('reciprocal, division and rsqrt within 1e-3 relative', async () => {
      const mags = randomArray(200, Math.log(0.01), Math.log(5000), 14).map(Math.exp);
      const signed = mags.map((v, i) => (i % 2 ? -v : v));
      const num = randomArray(200, -100, 100, 15);
      const r = await at(s, async (mpc) => {
        const a = await mpc.input('p0', mpc.self === 'p0' ? signed : undefined, [200]);
        const m = await mpc.input('p1', mpc.self === 'p1' ? mags : undefined, [200]);
        const u = await mpc.input('provider', mpc.self === 'provider' ? num : undefined, [200]);
        return {
          rec: await mpc.reveal(await mpc.reciprocal(a)),
          div: await mpc.reveal(await mpc.div(u, a)),
          rsqrt: await mpc.reveal(await mpc.rsqrt(m)),
          sqrt: await mpc.reveal(await mpc.sqrt(m)),
        };
      });
      const qs = q(signed), qm = q(mags), qu = q(num);
      const rel = (e: number) => Math.max(1e-3 * Math.abs(e), 4 * ULP);
      close(r.rec!, qs.map((v) => 1 / v), rel, 'reciprocal');
      close(r.div!, qu.map((v, i) => v / qs[i]!), (e) => Math.max(1e-3 * Math.abs(e), 1e-3), 'div');
      close(r.rsqrt!, qm.map((v) => 1 / Math.sqrt(v)), rel, 'rsqrt');
      close(r.sqrt!, qm.map(Math.sqrt), rel, 'sqrt');
    });

    it('meters rounds and bytes per operation', async () => {
      const n = 1000;
      const recs = await runSession(s, async (mpc) => {
        const a = await mpc.input('p0', mpc.self === 'p0' ? new Float64Array(n).fill(2) : undefined, [n]);
        await mpc.mulRing(a, a);
        return mpc.log[mpc.log.length - 1]!;
      });
      const rec = recs.get('p1')!;
      assert.equal(rec.op, 'mulRing');
      assert.equal(rec.rounds, 1, 'a product is one round');
      const N = s.compute.length;
      // With OT preprocessing the product also makes its triples: per peer, 64 SoftSpokenOT
      // messages of 128/k bits per element and Σ_{k<64} (64 − k) = 2080 bits of triangular
      // corrections (ot-triples.ts).
      const triples = s.ot ? (N - 1) * n * ((64 * 128) / SS_DEFAULT_K / 8 + 2080 / 8) : 0;
      const expected = s.protocol === 'rep3' ? 8 * n : 16 * n * (N - 1) + triples;
      assert.equal(rec.bytes, expected, 'bytes sent by one party for one product');
    });
  });
}
