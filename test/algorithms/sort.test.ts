// Sorting secret keys with payloads: shuffle + quicksort (rep3) and the bitonic network
// (semi2k), against a plaintext sort, with ties and negative keys; and the shuffle alone.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sortByKey } from '../../src/algorithms/metrics/quicksort.js';
import { decodeFixed, encodeFixed } from '../../src/mpc/fixed-point.js';
import { randomArray, runSession, type TestSession } from '../support/session.js';

const sessions: TestSession[] = [
  { protocol: 'rep3', compute: ['p0', 'p1', 'p2'], extra: ['receiver'] },
  { protocol: 'semi2k', compute: ['p0', 'p1'], extra: ['receiver'] },
];

for (const s of sessions) {
  describe(`sortByKey: ${s.protocol}`, () => {
    it('sorts keys ascending and carries payloads along (ties, negatives, padding sizes)', async () => {
      for (const n of [1, 2, 7, 100, 257]) {
        const keys = Array.from(randomArray(n, -50, 50, n)).map((v, i) => (i % 5 === 0 ? 3.25 : v));
        const pay = Array.from({ length: n }, (_, i) => i);
        const out = (await runSession(s, async (mpc) => {
          const k = await mpc.input('p0', mpc.self === 'p0' ? keys : undefined, [n]);
          const p = await mpc.input('p1', mpc.self === 'p1' ? pay : undefined, [n], 'int');
          const sorted = await sortByKey(mpc, k, [p], 2 ** 20);
          return { k: await mpc.reveal(sorted.keys, 'receiver'), p: await mpc.reveal(sorted.payloads[0]!, 'receiver') };
        })).get('receiver')!;
        const q = decodeFixed(encodeFixed(keys, 18), 18);
        const expectKeys = Array.from(q).sort((a, b) => a - b);
        assert.deepEqual(Array.from(out.k!), expectKeys, `keys sorted (n=${n})`);
        // Each payload still sits with its own key.
        Array.from(out.p!).forEach((orig, i) => assert.equal(q[orig]!, out.k![i]!, `payload ${i} follows its key`));
        assert.deepEqual(Array.from(out.p!).sort((a, b) => a - b), pay, 'a permutation of the payloads');
      }
    });
  });
}

for (const shuffleSession of [sessions[0]!, sessions[1]!, { protocol: 'semi2k' as const, compute: ['p0', 'p1', 'p2'], extra: ['receiver'], dealer: 'dealer' }])
describe(`shuffle: ${shuffleSession.protocol} (${shuffleSession.compute.length} parties${shuffleSession.dealer ? ', dealer' : ''})`, () => {
  it('permutes all columns alike, a different permutation each time, known to no single party', async () => {
    const n = 64;
    const a = Array.from({ length: n }, (_, i) => i);
    const b = a.map((v) => v * 1000);
    const runs = [];
    for (let r = 0; r < 2; r++) {
      runs.push((await runSession(shuffleSession, async (mpc) => {
        const x = await mpc.input('p0', mpc.self === 'p0' ? a : undefined, [n], 'int');
        const y = await mpc.input('p1', mpc.self === 'p1' ? b : undefined, [n], 'int');
        const [xs, ys] = await mpc.protocol.shuffle!([x.parts, y.parts], n);
        const X = await mpc.protocol.openA(xs!, n, ['receiver']);
        const Y = await mpc.protocol.openA(ys!, n, ['receiver']);
        return { X, Y };
      })).get('receiver')!);
    }
    for (const { X, Y } of runs) {
      const xs = Array.from(X!, Number), ys = Array.from(Y!, Number);
      assert.deepEqual([...xs].sort((p, q) => p - q), a, 'a permutation');
      xs.forEach((v, i) => assert.equal(ys[i], v * 1000, 'columns move together'));
      assert.notDeepEqual(xs, a, 'not the identity');
    }
    assert.notDeepEqual(Array.from(runs[0]!.X!), Array.from(runs[1]!.X!), 'fresh permutation per run');
  });
});
