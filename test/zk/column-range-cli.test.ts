/**
 * `tacit zk commit-column` / `prove column-range` / `verify` through the real CLI (a separate
 * process), with chunks of 2 (5 rows: chunks of 2, 2 and 1) so it stays fast: the circuit is
 * the one column-range-chain.test.ts compiles and its keys come from the 2^10 accumulator the
 * zk tests share. The commitment printed equals the library's, the proof file verifies (every
 * chunk and the digest chain), a file with two chunks swapped does not, and a false range is
 * refused with a typed error naming the row, not the value.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readCsvTable } from '../../src/data/csv.js';
import { ColumnCommitment } from '../../src/zk/column-commitment.js';
import { zkSkipReason } from './support.js';

const skip = await zkSkipReason();
const dir = mkdtempSync(join(tmpdir(), 'tacit-zk-column-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const cli = join(process.cwd(), 'dist/src/cli/main.js');
const tacit = (...args: string[]) => spawnSync(process.execPath, [cli, 'zk', ...args], { encoding: 'utf8' });

test('tacit zk commit-column / prove column-range / verify; swapped chunks and a false range fail', { skip }, () => {
  const csv = join(dir, 'bureau.csv');
  const lines = ['id,limit,age'];
  for (let i = 0; i < 5; i++) lines.push(`u${i},${10000 + 2400 * i},${21 + (i % 50)}`);
  writeFileSync(csv, `${lines.join('\n')}\n`);
  const seedFile = join(dir, 'limit.seed');
  const commit = tacit('commit-column', '--csv', csv, '--id', 'id', '--column', 'limit', '--seed-file', seedFile, '--chunk', '2', '--json');
  assert.equal(commit.status, 0, commit.stderr);
  const seed = Buffer.from(readFileSync(seedFile, 'utf8').trim(), 'hex');
  const expected = ColumnCommitment.fromTable(readCsvTable(csv, { idColumn: 'id', uniqueIds: true }), 'limit', 2, seed);
  const c = JSON.parse(commit.stdout);
  assert.deepEqual([c.commitment, c.rows, c.chunks], [expected.commitment, 5, 3]);

  const proofFile = join(dir, 'limit-range.json');
  const prove = tacit('prove', 'column-range', '--csv', csv, '--id', 'id', '--column', 'limit', '--lo', '10000', '--hi', '20000', '--seed-file', seedFile, '--chunk', '2', '--out', proofFile, '--json');
  assert.equal(prove.status, 0, prove.stderr);
  assert.match(prove.stderr, /proving chunks/);
  const p = JSON.parse(prove.stdout);
  assert.deepEqual([p.commitment, p.chunks], [expected.commitment, 3]);
  const ok = tacit('verify', '--proof', proofFile, '--json');
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(JSON.parse(ok.stdout).valid, true);

  const f = JSON.parse(readFileSync(proofFile, 'utf8'));
  [f.chunks[0], f.chunks[1]] = [f.chunks[1], f.chunks[0]];
  writeFileSync(proofFile, JSON.stringify(f));
  const bad = tacit('verify', '--proof', proofFile, '--json');
  assert.equal(bad.status, 1);
  assert.match(JSON.parse(bad.stdout).problems.join(' '), /do not chain/);

  // limit reaches 19,600: "≤ 15,000" is false and refused, naming a row and its line, not the value.
  const no = tacit('prove', 'column-range', '--csv', csv, '--id', 'id', '--column', 'limit', '--lo', '0', '--hi', '15000', '--seed-file', seedFile, '--chunk', '2', '--json');
  assert.notEqual(no.status, 0);
  const err = JSON.parse(no.stdout).error;
  assert.equal(err.code, 'ZkWitnessError');
  assert.match(err.message, /row \d+ \(file line \d+\)/);
  assert.doesNotMatch(JSON.stringify(err), /1[5-9]\d{3}/);
  const noSeed = tacit('prove', 'column-range', '--csv', csv, '--id', 'id', '--column', 'limit', '--lo', '0', '--hi', '1', '--seed-file', join(dir, 'none.seed'), '--json');
  assert.notEqual(noSeed.status, 0);
});
