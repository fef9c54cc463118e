// `tacit run sgb-train | sgb-predict | woe-iv` as a user runs them (separate processes, JSON on
// stdout, files beside --out), checked against plaintext on the breast-cancer vertical split.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCsvTable } from '../../src/data/csv.js';
import { joinVertical } from '../../src/algorithms/lr/vertical-join.js';
import { aucKsPlaintext } from '../../src/algorithms/lr/plaintext.js';
import { binColumns } from '../../src/algorithms/sgb/binning.js';
import { trainPlainSgb } from '../../src/algorithms/sgb/plaintext.js';
import { DEFAULT_SGB } from '../../src/algorithms/sgb/hyper.js';
import { binCounts, woeFromCounts } from '../../src/algorithms/woe/woe.js';

const tacit = fileURLToPath(new URL('../../../bin/tacit.mjs', import.meta.url));
const data = fileURLToPath(new URL('../../../data/', import.meta.url));
const parties = ['--party', `guest=${data}breast_hetero_guest.csv`, '--party', `host=${data}breast_hetero_host.csv`, '--id', 'id'];

function run(args: string[]): Record<string, unknown> {
  const r = spawnSync(process.execPath, [tacit, 'run', ...args, '--json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

test('tacit run sgb-train then sgb-predict; woe-iv equals plaintext', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tacit-he-'));
  try {
    const { X, y, d, ids, columns } = joinVertical(readCsvTable(`${data}breast_hetero_guest.csv`, { idColumn: 'id' }), readCsvTable(`${data}breast_hetero_host.csv`, { idColumn: 'id' }), 'y');
    const out = join(dir, 'model.json');
    const trained = run(['sgb-train', ...parties, '--label', 'y', '--trees', '2', '--depth', '3', '--bins', '8', '--key-bits', '1024', '--guard', 'minKeyBits=1024', '--out', out]);
    const b = binColumns(X, ids.length, d, 8);
    const ref = await trainPlainSgb(b.bins, ids.length, d, b.cuts.map((c) => c.length + 1), y, { ...DEFAULT_SGB, trees: 2, depth: 3, bins: 8 });
    assert.ok(Math.abs((trained['auc'] as number) - aucKsPlaintext(ref.scores, y).auc) < 0.01);
    const kept = JSON.parse(readFileSync(join(dir, 'model.host.json'), 'utf8')) as { sgb: { splits: Record<string, unknown> } };
    assert.ok(Object.keys(kept.sgb.splits).length > 0, 'the host’s thresholds are written beside --out');
    assert.ok(!readFileSync(out, 'utf8').includes('host.x'), 'no host threshold or column in the label party’s file');

    const pred = run(['sgb-predict', ...parties, '--model', out, '--applicant', ids[0]!, '--applicant', ids[1]!, '--applicant', 'nobody']);
    const scores = pred['scores'] as number[];
    assert.equal(scores.length, 3);
    assert.ok(scores.every((s) => s > 0 && s < 1));

    const woe = run(['woe-iv', ...parties, '--label', 'y', '--bins', '4', '--key-bits', '1024', '--guard', 'minKeyBits=1024']);
    const wb = binColumns(X, ids.length, d, 4);
    const counts = binCounts(wb.bins, ids.length, d, wb.cuts.map((c) => c.length + 1), y);
    assert.deepEqual(woe['features'], Object.fromEntries(columns.map((c, f) => [c, woeFromCounts(counts[f]!.counts, counts[f]!.positives)])));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
