// Local scaling in lr-train: each feature owner centres its columns and divides by a power
// of two, and the model comes back on the original scale. Checked against the plaintext
// reference (`trainPlaintextScaled`, written apart from the program's scaling) on data with
// an income column in dollars — what silently wrapped or gave a useless model before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCsvTable, readCsvTable } from '../../src/data/csv.js';
import { prepareColumns, prepareLabels } from '../../src/algorithms/programs/local-data.js';
import { aucKsPlaintext, scorePlaintext, trainPlaintextScaled } from '../../src/algorithms/lr/plaintext.js';
import { joinVertical } from '../../src/algorithms/lr/vertical-join.js';
import { runLocalSession } from '../../src/node/local/cluster.js';

const data = fileURLToPath(new URL('../../../data/', import.meta.url));

test('prepareColumns: mean, power-of-two exponent and offset per column; messages name the column, details the line', () => {
  const t = parseCsvTable('id,income,flag,y\na,50000,1,0\nb,70000,1,1\nc,90000,1,0\nd,30000,1,1\n', { idColumn: 'id', name: 'bank.csv' });
  const rows = Int32Array.from([0, 1, 2, 3]);
  const p = prepareColumns(t, rows, ['income', 'flag'], { scale: true, maxAbs: 4096 });
  // income: mean 60000, population std = sqrt(5e8) ≈ 22360.7 → e = round(log2) = 14.
  assert.deepEqual(p.exponents, [14, 0]);
  assert.equal(p.offsets[0], 60000 / 2 ** 14);
  assert.deepEqual(Array.from(p.values.filter((_, i) => i % 2 === 0)), [-10000, 10000, 30000, -30000].map((v) => v / 2 ** 14));
  // A constant column scales by its own size: offset 1, values 0.
  assert.equal(p.offsets[1], 1);
  assert.deepEqual(Array.from(p.values.filter((_, i) => i % 2 === 1)), [0, 0, 0, 0]);
  // Unscaled, 50000 > 4096: refused, the column in the message, the file line only in details.
  assert.throws(() => prepareColumns(t, rows, ['income'], { scale: false, maxAbs: 4096 }), (e: Error & { shortMessage: string; details: string }) => {
    assert.match(e.shortMessage, /column "income" has a value outside the fixed-point range/);
    assert.ok(!/50000|line/.test(e.shortMessage));
    assert.equal(e.details, 'bank.csv, column "income", line 2');
    return true;
  });
  assert.deepEqual(Array.from(prepareLabels(t, rows, 'y')), [0, 1, 0, 1]);
  assert.throws(() => prepareLabels(t, Int32Array.from([0, 2]), 'y'), /only one class over the aligned rows/);
});

test('lr-train on features in dollars and thousandths: original-scale model equals the plaintext reference', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tacit-scale-'));
  try {
    // host.x0 becomes an income in dollars, guest.x1 a tiny ratio.
    const rescale = (src: string, col: number, f: (v: number) => number) =>
      readFileSync(src, 'utf8').trim().split('\n').map((l, i) => (i === 0 ? l : l.split(',').map((v, j) => (j === col ? f(Number(v)).toFixed(6) : v)).join(','))).join('\n') + '\n';
    const guest = join(dir, 'guest.csv'), host = join(dir, 'host.csv');
    writeFileSync(guest, rescale(`${data}breast_hetero_guest.csv`, 3, (v) => v * 0.001));
    writeFileSync(host, rescale(`${data}breast_hetero_host.csv`, 1, (v) => 70000 + 25000 * v));
    const hyper = { epochs: 10, batchSize: 128, learningRate: 0.5, l2: 0, fitIntercept: true };
    const out = await runLocalSession({
      program: 'lr-train',
      params: { idColumn: 'id', labelParty: 'guest', labelColumn: 'y', receiver: 'guest', hyper },
      parties: [
        { id: 'guest', roles: ['data', 'compute', 'receiver'], local: { csv: guest } },
        { id: 'host', roles: ['data', 'compute'], local: { csv: host } },
        { id: 'helper1', roles: ['compute'] },
      ],
      mpc: { protocol: 'rep3', computeParties: ['guest', 'host', 'helper1'] },
    });
    const got = out.get('guest')!.output as { model: { weights: number[]; intercept: number; scaleExponents: number[] }; auc: number };
    const { X, y, d, ids } = joinVertical(readCsvTable(guest, { idColumn: 'id' }), readCsvTable(host, { idColumn: 'id' }), 'y');
    const ref = trainPlaintextScaled(X, y, ids.length, d, hyper);
    assert.deepEqual(got.model.scaleExponents, ref.scaleExponents);
    const mine = scorePlaintext(X, ids.length, d, got.model), theirs = scorePlaintext(X, ids.length, d, ref);
    let worst = 0;
    for (let i = 0; i < ids.length; i++) worst = Math.max(worst, Math.abs(mine[i]! - theirs[i]!));
    assert.ok(worst < 5e-3, `scores on the original data differ by up to ${worst}`);
    const refAuc = aucKsPlaintext(theirs, y).auc;
    assert.ok(Math.abs(got.auc - refAuc) < 0.005, `AUC ${got.auc} vs plaintext ${refAuc}`);
    assert.ok(refAuc > 0.95, 'a useful model despite the dollar column');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
