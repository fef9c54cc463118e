/**
 * `tacit zk` end to end through the real CLI (separate process), and the behaviour without
 * the optional GPL tools: a prover script that cannot resolve snarkjs/circom2 (a copy outside
 * the package) yields ZkToolsMissingError with the install hint, not a crash.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ZkToolsMissingError } from '../../src/zk/errors.js';
import { ProcessProver, proverScriptPath } from '../../src/zk/prover.js';
import { DatasetCommitment } from '../../src/zk/dataset-commitment.js';
import { zkSkipReason } from './support.js';

const skip = await zkSkipReason();
const dir = mkdtempSync(join(tmpdir(), 'tacit-zk-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const cli = join(process.cwd(), 'dist/src/cli/main.js');
const tacit = (...args: string[]) => spawnSync(process.execPath, [cli, 'zk', ...args], { encoding: 'utf8' });

test('without snarkjs/circom2 the prover says so, with the install hint', async () => {
  const lone = join(dir, 'prover.mjs');
  copyFileSync(proverScriptPath(), lone);
  const p = new ProcessProver({ script: lone });
  await assert.rejects(p.probe(), (err: unknown) => {
    assert.ok(err instanceof ZkToolsMissingError);
    assert.match(err.hint ?? '', /npm install/);
    return true;
  });
});

test('tacit zk commit / prove row-count / verify, and a tampered proof file fails verification', { skip }, () => {
  const csv = join(dir, 'bureau.csv');
  writeFileSync(csv, 'id,debt,age\na,10.5,30\nb,20,41\nc,0,22\n');
  const commit = tacit('commit', '--csv', csv, '--id', 'id', '--json');
  assert.equal(commit.status, 0, commit.stderr);
  const expected = new DatasetCommitment(['debt', 'age'], [{ id: 'a', values: [10.5, 30] }, { id: 'b', values: [20, 41] }, { id: 'c', values: [0, 22] }]);
  assert.equal(JSON.parse(commit.stdout).commitment, expected.commitment.toString());

  const proofFile = join(dir, 'proof.json');
  const prove = tacit('prove', 'row-count', '--csv', csv, '--id', 'id', '--min-rows', '3', '--out', proofFile, '--json');
  assert.equal(prove.status, 0, prove.stderr);
  assert.deepEqual(JSON.parse(prove.stdout).publicSignals, [expected.commitment.toString(), '3']);
  const ok = tacit('verify', '--proof', proofFile, '--json');
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(JSON.parse(ok.stdout).valid, true);

  const f = JSON.parse(readFileSync(proofFile, 'utf8'));
  f.publicSignals[1] = '2';
  writeFileSync(proofFile, JSON.stringify(f));
  const bad = tacit('verify', '--proof', proofFile, '--json');
  assert.equal(bad.status, 1);
  assert.equal(JSON.parse(bad.stdout).valid, false);

  const tooMany = tacit('prove', 'row-count', '--csv', csv, '--id', 'id', '--min-rows', '4', '--json');
  assert.notEqual(tooMany.status, 0);
  assert.equal(JSON.parse(tooMany.stdout).error.code, 'ZkWitnessError');
});
