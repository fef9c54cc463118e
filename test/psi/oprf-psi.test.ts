// OPRF (KKRT) PSI against a plaintext intersection: overlapping random sets with duplicates,
// ids with any characters, empty sets (one or both), identical and disjoint sets, a result
// for both receivers or one; the protocol choice (oprf for two parties, ecdh for three or
// more and for cardinality-only; asking oprf for those is refused); the KKRT OPRF itself
// (equal inputs give equal outputs, different ones unrelated); cuckoo hashing.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Comm } from '../../src/mpc/comm.js';
import { channelTo, setupOtPair } from '../../src/ot/index.js';
import { binCount, cuckooInsert, EMPTY, HASHES } from '../../src/psi/oprf/cuckoo.js';
import { codewords, kkrtEvaluate, kkrtReceiverSetup, kkrtSenderSetup, rowHash } from '../../src/psi/oprf/kkrt.js';
import { defaultPsiProtocol, runPsiWith } from '../../src/psi/select.js';
import { PsiUsageError } from '../../src/psi/errors.js';
import type { PsiResult } from '../../src/psi/run-psi.js';
import { memoryNetworks } from '../support/memory-net.js';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { plainIntersection, randomIds } from '../support/psi-session.js';

async function run(parties: string[], receivers: string[], sets: string[][], protocol?: 'oprf' | 'ecdh', cardinalityOnly = false): Promise<Map<string, PsiResult>> {
  const nets = memoryNetworks(parties);
  const out = new Map<string, PsiResult>();
  await Promise.all(parties.map(async (p, i) => out.set(p, await runPsiWith(nets.get(p)!, { parties, receivers, ids: sets[i]!, protocol, cardinalityOnly }))));
  return out;
}

async function check(sets: string[][], receivers = ['a', 'b']): Promise<void> {
  const res = await run(['a', 'b'], receivers, sets, 'oprf');
  const expected = plainIntersection(sets);
  for (const [i, p] of ['a', 'b'].entries()) {
    const r = res.get(p)!;
    assert.equal(r.stats.setSize, new Set(sets[i]).size, `${p}: set size`);
    if (!receivers.includes(p)) {
      assert.equal(r.intersection, undefined, `${p} is not a receiver`);
      continue;
    }
    assert.deepEqual(r.intersection, expected, `${p}: intersection`);
    assert.equal(r.size, expected.length);
  }
}

const odd = [
  'a,b', '"quoted"', "it's", ' ', 'tab\there', 'line\nbreak', 'cr\r\n', 'nul\u0000byte', '\\', 'é', 'e\u0301', 'ß', '中文', '𝒳',
  '👍', '👍🏽', '🏳️‍🌈', '\u202Eright-to-left', '\uFEFFbom', '\uFFFF', '{"json":1}', 'DROP TABLE;', 'x'.repeat(10_000),
];

describe('psi: OPRF (KKRT) protocol', () => {
  it('cuckoo hashing places every item at one of its bins, one item per bin', () => {
    const n = 5000, bins = binCount(n);
    const cand = new Uint32Array(n * HASHES);
    const r = new Uint32Array(randomBytes(4 * n * HASHES).buffer);
    for (let k = 0; k < cand.length; k++) cand[k] = r[k]! % bins;
    const placed = cuckooInsert(cand, n, bins)!;
    assert.ok(placed, 'insertion succeeds at 1.27n bins');
    const seen = new Uint8Array(n);
    for (let b = 0; b < bins; b++) {
      const x = placed.item[b]!;
      if (x === EMPTY) continue;
      assert.equal(cand[x * HASHES + placed.which[b]!], b, `item ${x} sits at its h_${placed.which[b]}`);
      seen[x]++;
    }
    assert.ok(seen.every((c) => c === 1), 'every item exactly once');
  });

  it('KKRT OPRF: the receiver gets F_j(x_j); the sender matches it on x_j only', async () => {
    const nets = memoryNetworks(['r', 's']);
    const cr = channelTo(new Comm(nets.get('r')!), 's'), cs = channelTo(new Comm(nets.get('s')!), 'r');
    const [pr, ps] = await Promise.all([setupOtPair(cr), setupOtPair(cs)]);
    const [er, es] = await Promise.all([kkrtReceiverSetup(pr), kkrtSenderSetup(ps)]);
    const m = 256;
    const xs = new Uint8Array(randomBytes(16 * m)), ys = new Uint8Array(randomBytes(16 * m));
    const { u, t } = er.prepareRows(codewords(xs), m);
    const q = es.absorb(u, m);
    const bins = Uint32Array.from({ length: m }, (_, j) => j);
    const fr = rowHash(t);
    const onX = kkrtEvaluate(es, q, bins, codewords(xs));
    const onY = kkrtEvaluate(es, q, bins, codewords(ys));
    for (let j = 0; j < m; j++) {
      assert.deepEqual(Buffer.from(onX.subarray(16 * j, 16 * j + 16)), Buffer.from(fr.subarray(16 * j, 16 * j + 16)), `F_${j}(x_${j})`);
      assert.notDeepEqual(Buffer.from(onY.subarray(16 * j, 16 * j + 16)), Buffer.from(fr.subarray(16 * j, 16 * j + 16)), `F_${j}(y_${j}) differs`);
    }
  });

  it('random overlapping sets with duplicates; both receivers, or one', async () => {
    await check([randomIds(3000, 5000, 11), randomIds(2500, 5000, 12)]);
    await check([randomIds(700, 900, 13), randomIds(800, 900, 14)], ['b']);
  });

  it('ids with any characters; identical and disjoint sets', async () => {
    await check([odd, [...odd].reverse().concat(['only-b'])]);
    await check([odd, odd]);
    await check([['p', 'q'], ['r', 's']]);
  });

  it('empty sets: one empty, both empty', async () => {
    await check([[], randomIds(100, 200, 3)]);
    await check([randomIds(100, 200, 4), []]);
    await check([[], []]);
  });

  it('protocol choice: oprf for two parties; ecdh for three or more and for cardinality-only', async () => {
    assert.equal(defaultPsiProtocol(2, false), 'oprf');
    assert.equal(defaultPsiProtocol(3, false), 'ecdh');
    assert.equal(defaultPsiProtocol(2, true), 'ecdh');
    const sets = [randomIds(200, 300, 5), randomIds(200, 300, 6), randomIds(200, 300, 7)];
    const res = await run(['a', 'b', 'c'], ['a'], sets);
    assert.deepEqual(res.get('a')!.intersection, plainIntersection(sets));
    const card = await run(['a', 'b'], ['a'], sets.slice(0, 2), undefined, true);
    assert.equal(card.get('a')!.size, plainIntersection(sets.slice(0, 2)).length);
    assert.equal(card.get('a')!.intersection, undefined);
    await assert.rejects(runPsiWith(memoryNetworks(['a', 'b']).get('a')!, { parties: ['a', 'b'], receivers: ['a'], ids: ['x'], protocol: 'oprf', cardinalityOnly: true }), PsiUsageError);
    await assert.rejects(runPsiWith(memoryNetworks(['a', 'b', 'c']).get('a')!, { parties: ['a', 'b', 'c'], receivers: ['a'], ids: ['x'], protocol: 'oprf' }), PsiUsageError);
  });

  it('tacit run psi --protocol oprf: exact result as separate processes; a duplicate id is refused with its line', () => {
    const tacit = fileURLToPath(new URL('../../../bin/tacit.mjs', import.meta.url));
    const dir = mkdtempSync(join(tmpdir(), 'tacit-oprf-'));
    try {
      writeFileSync(join(dir, 'a.csv'), 'id,v\n"x,1",1\ny,2\nz,3\n"q\ne",4\n');
      writeFileSync(join(dir, 'b.csv'), 'id,w\ny,1\n"x,1",2\nw,3\n"q\ne",5\n');
      writeFileSync(join(dir, 'dup.csv'), 'id,w\ny,1\nk,2\ny,3\n');
      const r = spawnSync(process.execPath, [tacit, 'run', 'psi', '--party', `a=${join(dir, 'a.csv')}`, '--party', `b=${join(dir, 'b.csv')}`, '--protocol', 'oprf', '--guard', 'minSetSize=1', '--json'], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const out = JSON.parse(r.stdout) as { protocol: string; outputs: Record<string, { intersection: string[] }> };
      assert.equal(out.protocol, 'oprf');
      assert.deepEqual(out.outputs['a']!.intersection, ['q\ne', 'x,1', 'y']);
      assert.deepEqual(out.outputs['b']!.intersection, ['q\ne', 'x,1', 'y']);
      const d = spawnSync(process.execPath, [tacit, 'run', 'psi', '--party', `a=${join(dir, 'a.csv')}`, '--party', `b=${join(dir, 'dup.csv')}`, '--guard', 'minSetSize=1', '--json'], { encoding: 'utf8' });
      assert.notEqual(d.status, 0);
      // --json: the error object alone (told once), the party's CSV error as the code.
      const { error } = JSON.parse(d.stdout) as { error: { code: string; details: string } };
      assert.match(error.details, /line 4 \(id\): duplicate id: the same id as line 2/);
      assert.equal(error.code, 'CsvError');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
