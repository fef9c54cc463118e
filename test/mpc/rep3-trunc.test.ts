// rep3's truncation (src/mpc/rep3/trunc.ts), which computes its steps in place, at sizes that
// span several chunks of the elementwise kernels (8,192 elements) and end mid-chunk: the
// fixed-point product (mulTruncA: the local cross terms straight into the truncation) and the
// truncation of replicated shares, each against a BigInt reference of the same encodings —
// floor(x·y / 2^F) or one more, and floor(v / 2^d) or one more, element by element — and
// every party's result shares summing to the same value (so no party's copy was overwritten
// by another step of the protocol).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_FRAC_BITS, encodeFixed, encodeInt } from '../../src/mpc/fixed-point.js';
import { SESSIONS, randomArray, runSession } from '../support/session.js';

const rep3 = SESSIONS.find((s) => s.protocol === 'rep3')!;
const F = DEFAULT_FRAC_BITS;
const signed = (u: bigint) => BigInt.asIntN(64, u);
/** floor(v / 2^d) for a signed v. */
const floorDiv = (v: bigint, d: number) => v >> BigInt(d);

function checkTrunc(got: BigUint64Array, exact: bigint[], d: number, what: string): void {
  assert.equal(got.length, exact.length, `${what}: length`);
  for (let i = 0; i < exact.length; i++) {
    const fl = floorDiv(exact[i]!, d);
    const g = signed(got[i]!);
    if (g !== fl && g !== fl + 1n) assert.fail(`${what}[${i}]: got ${g}, expected ${fl} or ${fl + 1n}`);
  }
}

describe('rep3 truncation computed in place', () => {
  it('fixed-point products of 20,003 elements match floor(x·y / 2^F) or one more', async () => {
    const n = 20_003;
    const x = randomArray(n, -3000, 3000, 11);
    const y = randomArray(n, -3000, 3000, 12);
    const res = await runSession(rep3, async (mpc) => {
      const a = await mpc.input('p0', mpc.self === 'p0' ? x : undefined, [n]);
      const b = await mpc.input('p1', mpc.self === 'p1' ? y : undefined, [n]);
      return mpc.revealRing(await mpc.mul(a, b));
    });
    const ex = encodeFixed(x, F), ey = encodeFixed(y, F);
    const exact = Array.from({ length: n }, (_, i) => signed(ex[i]!) * signed(ey[i]!));
    const first = res.get('p0')!;
    checkTrunc(first, exact, F, 'mul');
    for (const id of ['p1', 'p2']) assert.deepEqual(res.get(id), first, `${id} reveals what p0 does`);
  });

  it('truncation of 17,000 replicated integers by 7 bits, across the signed range', async () => {
    const n = 17_000;
    const ints = Array.from({ length: n }, (_, i) => {
      const v = BigInt(Math.round(randomArray(1, -1e15, 1e15, 100 + i)[0]!));
      return i % 5 === 0 ? -v * 1000n : v;
    });
    ints[0] = 2n ** 61n - 1n;
    ints[1] = -(2n ** 61n);
    const res = await runSession(rep3, async (mpc) => {
      const a = await mpc.input('p1', mpc.self === 'p1' ? encodeInt(ints) : undefined, [n], 'int');
      return mpc.revealRing(await mpc.trunc(a, 7));
    });
    checkTrunc(res.get('p2')!, ints, 7, 'trunc');
  });
});
