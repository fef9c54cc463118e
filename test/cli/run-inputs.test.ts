// `tacit run` with the inputs a new user brings (issue 16 "Errors and inputs", issue 9's
// large PSI): each answer checked against an independent plaintext computation, each
// mistake refused with the file, column and line — separate party processes on TLS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCsvTable } from '../../src/data/csv.js';
import { joinVertical } from '../../src/algorithms/lr/vertical-join.js';
import { scorePlaintext } from '../../src/algorithms/lr/plaintext.js';

const tacit = fileURLToPath(new URL('../../../bin/tacit.mjs', import.meta.url));
const data = fileURLToPath(new URL('../../../data/', import.meta.url));
const G = `${data}breast_hetero_guest.csv`, H = `${data}breast_hetero_host.csv`;

const tacitRun = (args: string[]) => spawnSync(process.execPath, [tacit, 'run', ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
const fails = (args: string[], ...patterns: RegExp[]) => {
  const r = tacitRun(args);
  assert.notEqual(r.status, 0, `expected a failure: ${args.join(' ')}`);
  assert.equal(r.stdout, '', 'nothing on stdout on failure');
  for (const p of patterns) assert.match(r.stderr, p);
  return r.stderr;
};
const lines = (path: string) => readFileSync(path, 'utf8').trim().split('\n');

test('lr-train refuses duplicate ids, bad or single-class labels, 0 epochs — pointing at the file line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tacit-inputs-'));
  try {
    const g = lines(G);
    const host = ['--party', `host=${H}`];
    // Line 6 repeats line 3's id (with spaces around it).
    const dup = [...g];
    dup[5] = ` ${g[2]!.split(',')[0]} ,${g[5]!.split(',').slice(1).join(',')}`;
    writeFileSync(join(dir, 'dup.csv'), dup.join('\n') + '\n');
    fails(['lr-train', '--party', `guest=${join(dir, 'dup.csv')}`, ...host], /dup\.csv/, /line 6 \(id\): duplicate id: the same id as line 3/, /trimming surrounding spaces/);
    // A label of 2 on line 101 of the file (data row 100).
    const bad = [...g];
    const f = bad[100]!.split(',');
    f[1] = '2';
    bad[100] = f.join(',');
    writeFileSync(join(dir, 'badlabel.csv'), bad.join('\n') + '\n');
    fails(['lr-train', '--party', `guest=${join(dir, 'badlabel.csv')}`, ...host], /label column "y" has a value that is not 0 or 1/, /badlabel\.csv, column "y", line 101\b/);
    // All labels 0.
    const zero = g.map((l, i) => (i === 0 ? l : l.replace(/^([^,]*),[01],/, '$1,0,')));
    writeFileSync(join(dir, 'zero.csv'), zero.join('\n') + '\n');
    fails(['lr-train', '--party', `guest=${join(dir, 'zero.csv')}`, ...host], /label column "y" has only one class/);
    fails(['lr-train', '--party', `guest=${G}`, ...host, '--epochs', '0'], /hyper\.epochs must be at least 1/);
    // A column whose mean is far beyond its spread cannot be moved back within fixed point.
    const h = lines(H);
    const shifted = h.map((l, i) => (i === 0 ? l : l.replace(/^([^,]*),([^,]*),/, (_m, id: string, x0: string) => `${id},${(1e9 + Number(x0)).toFixed(6)},`)));
    writeFileSync(join(dir, 'shifted.csv'), shifted.join('\n') + '\n');
    const err = fails(['lr-train', '--party', `guest=${G}`, '--party', `host=${join(dir, 'shifted.csv')}`], /column "x0" has a mean more than 4096 times its spread/);
    assert.ok(!err.includes('1000000000'), 'no value in the message');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('lr-predict: applicants not held by every party are named and not scored; an out-of-range feature names file, column and line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tacit-predict-'));
  try {
    const model = join(dir, 'model.json');
    const t = tacitRun(['lr-train', '--party', `guest=${G}`, '--party', `host=${H}`, '--epochs', '5', '--batch-size', '128', '--out', model]);
    assert.equal(t.status, 0, t.stderr);
    const m = (JSON.parse(readFileSync(model, 'utf8')) as { model: { weights: number[]; intercept: number; scaleExponents: number[] } }).model;
    // The host holds only its first 299 rows: the applicant on guest line 400 is not there.
    const hostPart = join(dir, 'host-part.csv');
    writeFileSync(hostPart, lines(H).slice(0, 300).join('\n') + '\n');
    const g = lines(G);
    const held = g[1]!.split(',')[0]!, missing = g[399]!.split(',')[0]!;
    assert.ok(lines(hostPart).some((l) => l.startsWith(`${held},`)) && !lines(hostPart).some((l) => l.startsWith(`${missing},`)));
    const r = tacitRun(['lr-predict', '--party', `guest=${G}`, '--party', `host=${hostPart}`, '--model', model, '--applicant', held, '--applicant', missing, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { scores: (number | null)[]; notFound: string[] };
    assert.deepEqual(out.notFound, [missing]);
    assert.equal(out.scores[1], null);
    assert.match(r.stderr, new RegExp(`not scored: ${missing}`));
    // The held applicant's score equals plaintext scoring with the model on the original data.
    const { X, d, ids } = joinVertical(readCsvTable(G, { idColumn: 'id' }), readCsvTable(H, { idColumn: 'id' }), 'y');
    const i = ids.indexOf(held);
    const ref = scorePlaintext(X.subarray(i * d, (i + 1) * d), 1, d, m)[0]!;
    assert.ok(Math.abs(out.scores[0]! - ref) < 1e-3, `${out.scores[0]} vs plaintext ${ref}`);
    // A feature value that cannot be represented: named by file, column and line.
    const h = lines(H);
    const at = h.findIndex((l) => l.startsWith(`${held},`));
    const f = h[at]!.split(',');
    f[4] = '1e7';
    h[at] = f.join(',');
    writeFileSync(join(dir, 'big.csv'), h.join('\n') + '\n');
    const err = fails(['lr-predict', '--party', `guest=${G}`, '--party', `host=${join(dir, 'big.csv')}`, '--model', model, '--applicant', held], /column "x3" has a value outside the fixed-point range/, new RegExp(`big\\.csv, column "x3", line ${at + 1}\\b`));
    assert.ok(!/10000000|1e7/.test(err), 'no value in the message');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('debt-query answers each of several applicants (sums checked in plaintext); 2 lenders are refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tacit-debt-'));
  try {
    const books = {
      l1: 'id,balance\na1,100\na2,50.5\na3,0\n',
      l2: 'id,balance\na1,10\na2,1\na1,5\n', // two loans of a1: both count
      l3: 'id,balance\na2,7\nzz,1\n',
    };
    for (const [n, text] of Object.entries(books)) writeFileSync(join(dir, `${n}.csv`), text);
    const parties = Object.keys(books).flatMap((n) => ['--party', `${n}=${join(dir, `${n}.csv`)}`]);
    const asked = ['a1', 'a2', 'nobody'];
    const r = tacitRun(['debt-query', ...parties, '--party', 'bureau', ...asked.flatMap((a) => ['--applicant', a]), '--json']);
    assert.equal(r.status, 0, r.stderr);
    const want = asked.map((a) => {
      let total = 0, lenders = 0;
      for (const text of Object.values(books)) {
        const t = readCsvTableText(text);
        const s = t.filter(([id]) => id === a).reduce((x, [, v]) => x + Math.round(v * 100), 0);
        total += s;
        if (s > 0) lenders++;
      }
      return { applicant: a, total: total / 100, lenders };
    });
    assert.deepEqual((JSON.parse(r.stdout) as { results: unknown }).results, want);
    fails(['debt-query', ...parties.slice(0, 4), '--party', 'bureau', '--applicant', 'a1'], /needs at least 3 lenders \(guard minLenders\); it has 2/, /--guard NAME=VALUE/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function readCsvTableText(text: string): [string, number][] {
  return text.trim().split('\n').slice(1).map((l) => {
    const [id, v] = l.split(',');
    return [id!, Number(v)];
  });
}
