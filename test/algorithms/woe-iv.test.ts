// woe-iv over Paillier-encrypted label counts, parties as separate processes: the label party's
// WOE per bin and IV of the other party's features equal, exactly, the plaintext WOE/IV on the
// same bins (equal-frequency, and cut points the feature holder was given), and a feature
// holder whose bin would hold too few rows refuses.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { readCsvTable } from '../../src/data/csv.js';
import { joinVertical } from '../../src/algorithms/lr/vertical-join.js';
import { binColumns } from '../../src/algorithms/sgb/binning.js';
import { binCounts, woeFromCounts } from '../../src/algorithms/woe/woe.js';
import { runLocalSession } from '../../src/node/local/cluster.js';

const data = fileURLToPath(new URL('../../../data/', import.meta.url));
const guestCsv = data + 'breast_hetero_guest.csv', hostCsv = data + 'breast_hetero_host.csv';

function reference(bins: number, hostCuts?: Record<string, number[]>) {
  const g = readCsvTable(guestCsv, { idColumn: 'id' }), h = readCsvTable(hostCsv, { idColumn: 'id' });
  const { X, y, d, ids, columns } = joinVertical(g, h, 'y');
  const dg = g.columns.length - 1;
  const given = hostCuts ? columns.map((c, f) => (f < dg ? undefined : Float64Array.from(hostCuts[c.slice('host.'.length)]!))) : undefined;
  const auto = binColumns(X, ids.length, d, bins);
  const cuts = auto.cuts.map((c, f) => given?.[f] ?? c);
  const b = binColumns(X, ids.length, d, bins, cuts);
  const counts = binCounts(b.bins, ids.length, d, cuts.map((c) => c.length + 1), y);
  return Object.fromEntries(columns.map((c, f) => [c, woeFromCounts(counts[f]!.counts, counts[f]!.positives)]));
}

const run = (params: Record<string, unknown>, hostLocal: Record<string, unknown> = {}) =>
  runLocalSession({
    program: 'woe-iv',
    params: { idColumn: 'id', labelParty: 'guest', labelColumn: 'y', keyBits: 1024, ...params },
    // 1024-bit keys keep the test fast; a node refuses them (guard minKeyBits, default 2048).
    guards: { minKeyBits: 1024 },
    parties: [
      { id: 'guest', roles: ['data', 'receiver'], local: { csv: guestCsv } },
      { id: 'host', roles: ['data'], local: { csv: hostCsv, ...hostLocal } },
      // A member without data (as a task's third compute node is): it must take part in the
      // schema announcement and leave.
      { id: 'helper', roles: ['compute'] },
    ],
  });

describe('woe-iv', () => {
  it('gives the label party exactly the plaintext WOE and IV of both parties’ features (equal-frequency bins)', async () => {
    const res = await run({ bins: 5 });
    const out = res.get('guest')!.output as { rows: number; features: Record<string, unknown> };
    assert.equal(res.get('host')!.output, undefined);
    assert.deepEqual(out.features, reference(5));
  });

  it('uses cut points given to the feature holder, and refuses bins with too few rows', async () => {
    const cuts = { x0: [-1, 0, 1], x1: [0] };
    const host = readCsvTable(hostCsv, { idColumn: 'id' });
    const all = Object.fromEntries(host.columns.map((c) => [c, (cuts as Record<string, number[]>)[c] ?? [0]]));
    const res = await run({ bins: 4, minBinRows: 1 }, { cuts: all });
    const out = res.get('guest')!.output as { features: Record<string, { counts: number[] }> };
    const ref = reference(4, all);
    assert.deepEqual(out.features, ref);
    assert.equal(out.features['host.x0']!.counts.length, 4);
    await assert.rejects(run({ bins: 4, minBinRows: 20 }, { cuts: { ...all, x0: [-1e9, 0] } }), /fewer than 20 aligned rows/);
  });
});
