// Dealer-free semi2k preprocessing against the definition of each correlation: every compute
// party's arrays are collected and the relation is checked on the sums (c = a·b, C = A·B,
// c = a & b, r_63 and (r mod 2^63) >> d from r, −r for edaBits, a bit for daBits,
// y = π(r) for shuffles), for 2 and 3 parties over in-memory networks; Beneš routing
// against direct permutation.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as R from '../../src/crypto/ring64.js';
import { Comm } from '../../src/mpc/comm.js';
import { createOtPreprocessing } from '../../src/mpc/semi2k/ot-preprocessing.js';
import { permutationFromSeed, permuteRows, type CorrelationRequest } from '../../src/mpc/semi2k/correlations.js';
import { routeBenes } from '../../src/mpc/semi2k/benes.js';
import { CHUNK } from '../../src/mpc/semi2k/ot-triples.js';
import { BATCH_OTS } from '../../src/mpc/semi2k/ot-pairwise.js';
import { memoryNetworks } from '../support/memory-net.js';

async function deal(parties: number, reqs: CorrelationRequest[]): Promise<BigUint64Array[][][]> {
  const ids = Array.from({ length: parties }, (_, i) => `p${i}`);
  const nets = memoryNetworks(ids);
  return Promise.all(
    ids.map(async (id, i) => {
      const pp = await createOtPreprocessing(new Comm(nets.get(id)!), ids, i);
      const out: BigUint64Array[][] = [];
      for (const r of reqs) out.push(await pp.get(r));
      await pp.close();
      return out;
    }),
  );
}

/** Σ (or ⊕) over parties of array j of request q. */
function total(all: BigUint64Array[][][], q: number, j: number, boolean = false): BigUint64Array {
  const out = all[0]![q]![j]!.slice();
  for (let i = 1; i < all.length; i++) (boolean ? R.xor : R.add)(out, out, all[i]![q]![j]!);
  return out;
}

const M64 = (1n << 64n) - 1n;

describe('OT preprocessing for semi2k', () => {
  it('Beneš routing realises every permutation it is given', () => {
    for (const N of [2, 4, 8, 16, 64, 256]) {
      for (let trial = 0; trial < 5; trial++) {
        const src = Int32Array.from({ length: N }, (_, i) => i);
        for (let i = N - 1; i > 0; i--) {
          const j = Math.floor(Math.random() * (i + 1));
          [src[i], src[j]] = [src[j]!, src[i]!];
        }
        const net = routeBenes(src);
        const vals = Array.from({ length: N }, (_, i) => i);
        for (let t = 0; t < net.count; t++) if (net.sigma[t]) [vals[net.a[t]!], vals[net.b[t]!]] = [vals[net.b[t]!]!, vals[net.a[t]!]!];
        assert.deepEqual(vals, Array.from(src), `N=${N}`);
      }
    }
  });

  for (const parties of [2, 3]) {
    it(`every correlation kind is correct with ${parties} parties`, async () => {
      const reqs: CorrelationRequest[] = [
        { kind: 'beaver', n: 1001 },
        { kind: 'band', n: 333 },
        { kind: 'matmul', m: 5, k: 7, n: 3 },
        { kind: 'matmul', m: 1, k: 9, n: 4 },
        { kind: 'trunc', n: 257, bits: 18 },
        { kind: 'edabits', n: 129 },
        { kind: 'dabits', n: 300 },
        { kind: 'shuffle', n: 37, width: 2, permuter: parties - 1 },
        { kind: 'shuffle', n: 5, width: 1, permuter: 0 },
        // Several pipelined chunks of ot-triples.ts (4,096 elements each) with an odd tail, and none.
        { kind: 'beaver', n: 2 * CHUNK + 3 },
        { kind: 'beaver', n: 0 },
      ];
      const all = await deal(parties, reqs);
      // beaver
      {
        const [a, b, c] = [0, 1, 2].map((j) => total(all, 0, j));
        assert.deepEqual(c, R.mul(R.uninit(1001), a!, b!), 'beaver c = a·b');
        assert.notDeepEqual(a, b);
        const [a2, b2, c2] = [0, 1, 2].map((j) => total(all, reqs.length - 2, j));
        assert.deepEqual(c2, R.mul(R.uninit(2 * CHUNK + 3), a2!, b2!), 'beaver over several chunks');
        assert.deepEqual([0, 1, 2].map((j) => total(all, reqs.length - 1, j).length), [0, 0, 0], 'no triples asked, none made');
      }
      // band
      {
        const [a, b, c] = [0, 1, 2].map((j) => total(all, 1, j, true));
        assert.deepEqual(c, R.and(R.uninit(333), a!, b!), 'band c = a & b');
      }
      // matmul
      for (const [q, m, k, n] of [[2, 5, 7, 3], [3, 1, 9, 4]] as const) {
        const [A, B, C] = [0, 1, 2].map((j) => total(all, q, j));
        assert.deepEqual(C, R.matmul(R.uninit(m * n), A!, B!, m, k, n), `matmul ${m}×${k}×${n}`);
      }
      // trunc
      {
        const [r, rb, rc] = [0, 1, 2].map((j) => total(all, 4, j));
        for (let i = 0; i < 257; i++) {
          assert.equal(rb![i], r![i]! >> 63n, `trunc r_63 ${i}`);
          assert.equal(rc![i], (r![i]! & (M64 >> 1n)) >> 18n, `trunc low ${i}`);
        }
      }
      // edabits
      {
        const r = total(all, 5, 0), s = total(all, 5, 1, true);
        for (let i = 0; i < 129; i++) assert.equal(s[i], (-r[i]!) & M64, `edabit ${i}`);
      }
      // dabits
      {
        const a = total(all, 6, 0), b = total(all, 6, 1, true);
        let ones = 0;
        for (let i = 0; i < 300; i++) {
          assert.ok(a[i] === 0n || a[i] === 1n, `dabit ${i} is a bit`);
          assert.equal(a[i], b[i]);
          ones += Number(a[i]);
        }
        assert.ok(ones > 100 && ones < 200, `dabits look random (${ones} ones of 300)`);
      }
      // shuffles
      for (const [q, n, width, permuter] of [[7, 37, 2, parties - 1], [8, 5, 1, 0]] as const) {
        const r = total(all, q, 0), y = total(all, q, 1);
        const perm = permutationFromSeed(all[permuter]![q]![2]!, n);
        assert.deepEqual(y, permuteRows(r, perm, width), `shuffle n=${n} width=${width}`);
      }
    });
  }

  it('two parties: bit conversions whose halves take different numbers of batches, and requests made at once', async () => {
    // 2·BATCH_OTS + 8 daBits: party 1 chooses BATCH_OTS of them (one batch), party 0 the rest (two).
    const n = 2 * BATCH_OTS + 8;
    const ids = ['p0', 'p1'];
    const nets = memoryNetworks(ids);
    const all = await Promise.all(
      ids.map(async (id, i) => {
        const pp = await createOtPreprocessing(new Comm(nets.get(id)!), ids, i);
        // Not awaited one by one: the preprocessing serves them in the order they were made.
        const got = await Promise.all([pp.get({ kind: 'dabits', n }), pp.get({ kind: 'beaver', n: 999 }), pp.get({ kind: 'trunc', n: 77, bits: 20 })]);
        await pp.close();
        return got;
      }),
    );
    const a = total(all, 0, 0), b = total(all, 0, 1, true);
    let ones = 0;
    for (let i = 0; i < n; i++) {
      if (a[i] !== b[i] || a[i]! > 1n) assert.fail(`dabit ${i}: arithmetic ${a[i]}, boolean ${b[i]}`);
      ones += Number(a[i]);
    }
    assert.ok(Math.abs(ones - n / 2) < 5 * Math.sqrt(n), `daBits look random (${ones} ones of ${n})`);
    const [x, y, z] = [0, 1, 2].map((j) => total(all, 1, j));
    assert.deepEqual(z, R.mul(R.uninit(999), x!, y!), 'beaver c = a·b beside the others');
    const [r, rb, rc] = [0, 1, 2].map((j) => total(all, 2, j));
    for (let i = 0; i < 77; i++) {
      assert.equal(rb![i], r![i]! >> 63n, `trunc r_63 ${i}`);
      assert.equal(rc![i], (r![i]! & (M64 >> 1n)) >> 20n, `trunc low ${i}`);
    }
  });

  it('four parties: bit conversions fold every party in (rounds 2 and 3 with the parties before each)', async () => {
    const all = await deal(4, [
      { kind: 'trunc', n: 65, bits: 12 },
      { kind: 'dabits', n: 200 },
      { kind: 'edabits', n: 9 },
    ]);
    const [r, rb, rc] = [0, 1, 2].map((j) => total(all, 0, j));
    for (let i = 0; i < 65; i++) {
      assert.equal(rb![i], r![i]! >> 63n, `trunc r_63 ${i}`);
      assert.equal(rc![i], (r![i]! & (M64 >> 1n)) >> 12n, `trunc low ${i}`);
    }
    const a = total(all, 1, 0), b = total(all, 1, 1, true);
    for (let i = 0; i < 200; i++) assert.ok((a[i] === 0n || a[i] === 1n) && a[i] === b[i], `dabit ${i}`);
    const er = total(all, 2, 0), es = total(all, 2, 1, true);
    for (let i = 0; i < 9; i++) assert.equal(es[i], (-er[i]!) & M64, `edabit ${i}`);
  });
});

