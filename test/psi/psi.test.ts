// runPsi against a plaintext intersection: two, three and four parties; duplicates, empty
// sets, identical and disjoint sets, ids with odd characters; who learns what (receivers,
// non-receivers, cardinality-only); uneven batch sizes; alignment of rows.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { alignByIntersection, intersectionIndices } from '../../src/psi/align.js';
import { compareIds, distinctIds, sortIds } from '../../src/psi/ids.js';
import { shuffleInPlace, shuffleRecords } from '../../src/psi/shuffle.js';
import { planPsi } from '../../src/psi/plan.js';
import { plainIntersection, randomIds, runPsiCase, type PsiCase } from '../support/psi-session.js';

async function check(c: PsiCase): Promise<void> {
  const res = await runPsiCase(c);
  const expected = plainIntersection(c.sets);
  for (const [i, p] of c.parties.entries()) {
    const r = res.get(p)!;
    const label = `party ${p}`;
    assert.equal(r.stats.setSize, new Set(c.sets[i]).size, `${label}: set size`);
    assert.equal(r.stats.scalarMults, c.sets.reduce((s, x) => s + new Set(x).size, 0), `${label}: one scalar multiplication per id of every set`);
    if (!c.receivers.includes(p)) {
      assert.deepEqual(Object.keys(r).sort(), ['stats'], `${label} is not a receiver and must get nothing`);
      continue;
    }
    assert.equal(r.size, expected.length, `${label}: size`);
    if (c.cardinalityOnly) assert.equal(r.intersection, undefined, `${label}: cardinality-only returns no ids`);
    else assert.deepEqual(r.intersection, expected, `${label}: intersection`);
  }
}

const odd = [
  'a,b', '"quoted"', "it's", ' ', '  padded  ', 'tab\there', 'line\nbreak', 'cr\r\n', 'nul\u0000byte', '\\',
  'é', 'e\u0301', 'Ä', 'ä', 'ß', 'İ', '中文', '𝒳', '👍', '👍🏽', '🏳️‍🌈', '\u202Eright-to-left', '\uFEFFbom', '\uE000', '\uFFFF',
  '{"json":1}', '<xml/>', 'DROP TABLE;', 'x'.repeat(10_000), 'y'.repeat(70_000),
];

describe('psi: two parties', () => {
  it('random overlapping sets with duplicates, id results at one receiver', async () => {
    await check({ parties: ['bank', 'bureau'], receivers: ['bank'], sets: [randomIds(800, 1500, 1), randomIds(900, 1500, 2)], batchSize: 128 });
  });

  it('both parties receive; batch sizes differ per party and do not divide the sets', async () => {
    await check({ parties: ['bank', 'bureau'], receivers: ['bureau', 'bank'], sets: [randomIds(500, 900, 3), randomIds(700, 900, 4)], batchSize: [97, 1000] });
  });

  it('cardinality-only, at both parties', async () => {
    await check({ parties: ['bank', 'bureau'], receivers: ['bank', 'bureau'], sets: [randomIds(600, 1000, 5), randomIds(600, 1000, 6)], cardinalityOnly: true, batchSize: 200 });
  });

  it('identical sets, disjoint sets, one side empty, both empty', async () => {
    const s = randomIds(300, 10_000, 7);
    await check({ parties: ['a', 'b'], receivers: ['a', 'b'], sets: [s, [...s].reverse()] });
    await check({ parties: ['a', 'b'], receivers: ['a'], sets: [randomIds(200, 1000, 8, 'left-'), randomIds(200, 1000, 9, 'right-')] });
    await check({ parties: ['a', 'b'], receivers: ['a', 'b'], sets: [[], randomIds(100, 1000, 10)] });
    await check({ parties: ['a', 'b'], receivers: ['b'], sets: [randomIds(100, 1000, 11), []] });
    await check({ parties: ['a', 'b'], receivers: ['a', 'b'], sets: [[], []] });
    await check({ parties: ['a', 'b'], receivers: ['a'], sets: [[], []], cardinalityOnly: true });
  });

  it('ids with odd characters, look-alikes and very long ids match exactly as UTF-8 bytes', async () => {
    const a = [...odd, 'only-a', 'é'];
    const b = [...odd.filter((_, i) => i % 3 !== 0), 'only-b', 'E\u0301'];
    await check({ parties: ['a', 'b'], receivers: ['a', 'b'], sets: [a, b], batchSize: 7 });
  });

  it('a non-receiver gets nothing; the session may have members that take no part', async () => {
    await check({ parties: ['bank', 'bureau'], receivers: ['bureau'], sets: [randomIds(200, 400, 12), randomIds(200, 400, 13)], extra: ['auditor'] });
  });
});

describe('psi: three and four parties', () => {
  it('three parties, one receiver', async () => {
    await check({ parties: ['a', 'b', 'c'], receivers: ['b'], sets: [randomIds(400, 700, 20), randomIds(450, 700, 21), randomIds(500, 700, 22)], batchSize: 64 });
  });

  it('three parties, all receive ids; and all receive the size only', async () => {
    const sets = [randomIds(300, 500, 23), randomIds(300, 500, 24), randomIds(300, 500, 25)];
    await check({ parties: ['a', 'b', 'c'], receivers: ['c', 'a', 'b'], sets, batchSize: 50 });
    await check({ parties: ['a', 'b', 'c'], receivers: ['a', 'b', 'c'], sets, cardinalityOnly: true, batchSize: 50 });
  });

  it('three parties: empty, disjoint and identical sets, odd ids', async () => {
    const s = randomIds(150, 300, 26);
    await check({ parties: ['a', 'b', 'c'], receivers: ['a'], sets: [s, s, s] });
    await check({ parties: ['a', 'b', 'c'], receivers: ['b'], sets: [s, [], s] });
    await check({ parties: ['a', 'b', 'c'], receivers: ['c'], sets: [randomIds(100, 200, 27, 'x'), randomIds(100, 200, 28, 'y'), s] });
    await check({ parties: ['a', 'b', 'c'], receivers: ['a', 'c'], sets: [odd, [...odd].reverse(), odd.slice(5)], batchSize: 4 });
  });

  it('four parties, two receivers', async () => {
    await check({ parties: ['p', 'q', 'r', 's'], receivers: ['r', 'p'], sets: [randomIds(300, 400, 30), randomIds(300, 400, 31), randomIds(300, 400, 32), randomIds(300, 400, 33)], batchSize: 90 });
  });
});

describe('psi plan', () => {
  for (const m of [2, 3, 4, 5]) {
    it(`${m} parties: every set visits every key once; R holds no fully masked set but its own`, () => {
      const parties = Array.from({ length: m }, (_, i) => `p${i}`);
      for (let r = 0; r < m; r++) {
        for (const cardinalityOnly of [false, true]) {
          const plans = parties.map((p) => planPsi(p, parties, { parties, receivers: [parties[r]!], cardinalityOnly }));
          const { chains, primary, combiner } = plans[0]!;
          assert.equal(primary, r);
          for (const c of chains) {
            assert.deepEqual([...c.route].sort(), parties.map((_, i) => i), 'a permutation of the parties');
            assert.equal(c.route[0], c.owner, 'the owner masks first');
            const last = c.route[m - 1]!;
            if (m >= 3 && c.owner !== r) assert.notEqual(last, r, 'R is never the last hop of another set');
            if (c.dest === c.owner) assert.ok(c.shuffle || (c.owner === r && !cardinalityOnly), 'a set returning to its owner is shuffled unless R may map it');
            assert.equal(c.dest, c.owner === r || m === 2 ? r : combiner);
          }
          // Each party runs one pass per set, and the plans agree on the digest.
          for (const pl of plans) {
            assert.equal(pl.work.length, m);
            assert.deepEqual(pl.digest, plans[0]!.digest);
          }
        }
      }
    });
  }

  it('rejects bad options with usage errors', () => {
    const ps = ['a', 'b'];
    assert.throws(() => planPsi('a', ps, { parties: ['a'], receivers: ['a'] }), { name: 'PsiUsageError' });
    assert.throws(() => planPsi('a', ps, { parties: ['a', 'a'], receivers: ['a'] }), { name: 'PsiUsageError' });
    assert.throws(() => planPsi('a', ps, { parties: ps, receivers: [] }), { name: 'PsiUsageError' });
    assert.throws(() => planPsi('a', ps, { parties: ps, receivers: ['z'] }), { name: 'PsiUsageError' });
    assert.throws(() => planPsi('a', ps, { parties: ['a', 'z'], receivers: ['a'] }), { name: 'PsiUsageError' });
    assert.throws(() => planPsi('c', ['a', 'b', 'c'], { parties: ps, receivers: ['a'] }), { name: 'PsiUsageError' });
  });
});

describe('ids and alignment', () => {
  it('compareIds orders by UTF-8 bytes (code points), unlike the default sort', () => {
    const pool = ['a', 'b', 'é', '\uE000', '\uFFFF', '𝒳', '👍', '\uD7FF', 'ab', '', 'z\u{10FFFF}', '中'];
    const words: string[] = [];
    for (let i = 0; i < 400; i++) words.push(pool[i % pool.length]! + pool[(i * 7) % pool.length]! + pool[(i * 13) % pool.length]!);
    const byBytes = [...words].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    assert.deepEqual([...words].sort(compareIds), byBytes);
    assert.ok(compareIds('\uFFFF', '👍') < 0 && '\uFFFF' > '👍', 'the surrogate fix-up matters');
    // sortIds: the same order, with and without ids outside the BMP (its fast path).
    assert.deepEqual(sortIds([...words]), byBytes);
    const bmp = words.filter((w) => !/[\uD800-\uDFFF]/.test(w));
    assert.ok(bmp.length > 50 && bmp.length < words.length);
    assert.deepEqual(sortIds([...bmp]), [...bmp].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
  });

  it('shuffles are permutations (ids in place, fixed-width records as a copy)', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => `id${i}`);
    const shuffled = shuffleInPlace(ids.slice());
    assert.deepEqual([...shuffled].sort(), [...ids].sort());
    assert.notDeepEqual(shuffled, ids, 'a uniform permutation of 1000 is the identity with probability 1/1000!');
    const recs = new Uint8Array(4 * 500);
    new Uint32Array(recs.buffer).forEach((_, i, a) => (a[i] = i));
    const out = new Uint32Array(shuffleRecords(recs, 4).buffer);
    assert.deepEqual([...out].sort((a, b) => a - b), Array.from({ length: 500 }, (_, i) => i));
    assert.notDeepEqual([...out], Array.from({ length: 500 }, (_, i) => i));
  });

  it('distinctIds drops duplicates and rejects empty, non-string and ill-formed ids', () => {
    assert.deepEqual(distinctIds(['b', 'a', 'b', 'c', 'a']), { ids: ['b', 'a', 'c'], duplicates: 2 });
    // The position is in `details` (for this party); the short message, which peers may see, has none.
    const positionOnlyInDetails = (re: RegExp) => (e: unknown) => {
      const err = e as { name: string; shortMessage: string; details?: string };
      return err.name === 'PsiUsageError' && re.test(err.shortMessage) && !/\[\d+\]/.test(err.shortMessage) && err.details === 'ids[1]';
    };
    assert.throws(() => distinctIds(['a', '']), positionOnlyInDetails(/empty id/));
    assert.throws(() => distinctIds(['a', 3 as unknown as string]), (e: unknown) => /not a string/.test((e as Error).message) && /ids\[1\]/.test((e as { details: string }).details));
    assert.throws(() => distinctIds(['ok', 'bad\uD800']), positionOnlyInDetails(/lone UTF-16/));
    // Errors never quote the id.
    try {
      distinctIds(['secret-id-123\uDC00']);
    } catch (e) {
      assert.ok(!String((e as Error).message).includes('secret-id-123'));
    }
  });

  it('alignByIntersection orders rows by the intersection, skipping the rest', () => {
    const rows = [
      { id: 'c', v: 3 }, { id: 'a', v: 1 }, { id: 'x', v: 9 }, { id: 'b', v: 2 },
    ];
    assert.deepEqual(alignByIntersection(rows, 'id', ['a', 'b', 'c']).map((r) => r.v), [1, 2, 3]);
    assert.deepEqual(alignByIntersection(rows, (r) => r.id, ['c']).map((r) => r.v), [3]);
    assert.deepEqual([...intersectionIndices(['q', 'p'], ['p', 'q'])], [1, 0]);
    assert.throws(() => alignByIntersection(rows, 'id', ['a', 'zz']), { name: 'PsiUsageError', shortMessage: 'an id of the intersection has no row here', details: 'intersection[1]' });
    const dup = [...rows, { id: 'a', v: 10 }];
    assert.throws(() => alignByIntersection(dup, 'id', ['a']), { name: 'PsiUsageError', message: /rows 1 and 4/ });
    assert.deepEqual(alignByIntersection(dup, 'id', ['a'], { duplicates: 'first' }).map((r) => r.v), [1]);
  });

  it('two parties aligning their rows get the same ids in the same order', async () => {
    const bank = randomIds(300, 500, 40).map((id, i) => ({ id, income: i }));
    const bureau = randomIds(300, 500, 41).map((id, i) => ({ customer: id, score: i }));
    const uniq = <T>(rows: T[], key: (r: T) => string) => [...new Map(rows.map((r) => [key(r), r])).values()];
    const b1 = uniq(bank, (r) => r.id), b2 = uniq(bureau, (r) => r.customer);
    const res = await runPsiCase({ parties: ['bank', 'bureau'], receivers: ['bank', 'bureau'], sets: [b1.map((r) => r.id), b2.map((r) => r.customer)] });
    const left = alignByIntersection(b1, 'id', res.get('bank')!.intersection!);
    const right = alignByIntersection(b2, 'customer', res.get('bureau')!.intersection!);
    assert.deepEqual(left.map((r) => r.id), right.map((r) => r.customer));
    assert.ok(left.length > 0);
  });
});
