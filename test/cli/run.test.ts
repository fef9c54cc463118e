// `tacit run` as a user runs it: separate party processes, JSON on stdout, checked against
// plaintext (breast-cancer vertical split; the default-credit run is in `npm run bench -- credit`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCsvTable } from '../../src/data/csv.js';
import { joinVertical } from '../../src/algorithms/lr/vertical-join.js';
import { aucKsPlaintext, scorePlaintext, trainPlaintext } from '../../src/algorithms/lr/plaintext.js';

const tacit = fileURLToPath(new URL('../../../bin/tacit.mjs', import.meta.url));
const data = fileURLToPath(new URL('../../../data/', import.meta.url));

function run(args: string[]): Record<string, unknown> {
  const r = spawnSync(process.execPath, [tacit, 'run', ...args, '--json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

test('tacit run lr-train on the breast data: AUC within 0.005 of plaintext with the same hyperparameters', () => {
  const out = run(['lr-train', '--party', `guest=${data}breast_hetero_guest.csv`, '--party', `host=${data}breast_hetero_host.csv`, '--id', 'id', '--label', 'y', '--epochs', '10', '--batch-size', '128']);
  const { X, y, d, ids } = joinVertical(readCsvTable(`${data}breast_hetero_guest.csv`, { idColumn: 'id' }), readCsvTable(`${data}breast_hetero_host.csv`, { idColumn: 'id' }), 'y');
  const ref = aucKsPlaintext(scorePlaintext(X, ids.length, d, trainPlaintext(X, y, ids.length, d, { epochs: 10, batchSize: 128, learningRate: 0.5, l2: 0, fitIntercept: true })), y);
  assert.equal(out['rows'], ids.length);
  assert.ok(Math.abs((out['auc'] as number) - ref.auc) < 0.005, `AUC ${out['auc']} vs plaintext ${ref.auc}`);
  for (const k of ['seconds', 'bytes', 'rounds']) assert.equal(typeof out[k], 'number', k);
});

test('tacit run psi --cardinality-only and debt-query give exact answers; a bad CSV is refused by line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tacit-run-'));
  try {
    writeFileSync(join(dir, 'a.csv'), 'id,balance\n"x,1",10\ny,20.5\nz,0\n');
    writeFileSync(join(dir, 'b.csv'), 'id,balance\ny,1\n"x,1",2\nq,3\n');
    const psi = run(['psi', '--party', `a=${join(dir, 'a.csv')}`, '--party', `b=${join(dir, 'b.csv')}`, '--cardinality-only', '--receiver', 'a', '--guard', 'minSetSize=1']);
    assert.equal(psi['size'], 2);
    assert.equal(psi['intersection'], undefined);
    // One --json shape whatever the number of receivers: the same keys, with every
    // receiver's output under `outputs` and the first one's at the top level.
    const both = run(['psi', '--party', `a=${join(dir, 'a.csv')}`, '--party', `b=${join(dir, 'b.csv')}`, '--receiver', 'a', '--receiver', 'b', '--guard', 'minSetSize=1']);
    assert.deepEqual(Object.keys(both).sort(), Object.keys(psi).concat('intersection').sort());
    assert.deepEqual(psi['receivers'], ['a']);
    assert.deepEqual(both['receivers'], ['a', 'b']);
    for (const r of ['a', 'b']) assert.deepEqual([...((both['outputs'] as Record<string, { intersection: string[] }>)[r]!.intersection)].sort(), ['x,1', 'y']);
    assert.deepEqual([...(both['intersection'] as string[])].sort(), ['x,1', 'y']);
    const dq = run(['debt-query', '--party', `a=${join(dir, 'a.csv')}`, '--party', `b=${join(dir, 'b.csv')}`, '--party', 'bureau', '--applicant', 'y', '--guard', 'minLenders=2']);
    assert.deepEqual([dq['total'], dq['lenders']], [21.5, 2]);
    writeFileSync(join(dir, 'bad.csv'), 'id,balance\nx,1\ny,abc\nz\n');
    const r = spawnSync(process.execPath, [tacit, 'run', 'debt-query', '--party', `a=${join(dir, 'bad.csv')}`, '--party', `b=${join(dir, 'b.csv')}`, '--party', 'bureau', '--applicant', 'y', '--guard', 'minLenders=2'], { encoding: 'utf8' });
    assert.notEqual(r.status, 0);
    // Each detail is told once (the party's error relayed by its parent, not repeated).
    assert.equal(r.stderr.match(/line 3/g)?.length, 1, r.stderr);
    assert.equal(r.stderr.match(/line 4/g)?.length, 1, r.stderr);
    assert.equal(r.stderr.match(/Hint:/g)?.length, 1, r.stderr);
    assert.equal(r.stdout, '');
    // With --json: one error object on stdout (the party's own error class as the code, its
    // details and hint apart), and the error told once on stderr.
    const j = spawnSync(process.execPath, [tacit, 'run', 'debt-query', '--party', `a=${join(dir, 'bad.csv')}`, '--party', `b=${join(dir, 'b.csv')}`, '--party', 'bureau', '--applicant', 'y', '--guard', 'minLenders=2', '--json'], { encoding: 'utf8' });
    assert.equal(j.status, 1);
    const { error } = JSON.parse(j.stdout) as { error: { code: string; message: string; details: string; hint: string } };
    assert.equal(error.code, 'CsvError');
    assert.match(error.message, /bad\.csv/);
    assert.match(error.details, /line 3[\s\S]*line 4/);
    assert.ok(error.hint.length > 0);
    assert.ok(!error.message.includes('Hint:'), error.message);
    assert.equal(j.stderr.match(/line 3/g)?.length, 1, j.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
