// `tacit run clearing` as a user runs it: one process per bank over TLS, the seeded gridlocked
// demo queues, output checked against the plaintext reference; a bad queue is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateQueues, writeQueues } from '../../src/algorithms/clearing/generate.js';
import { clearBounded, settleGross } from '../../src/algorithms/clearing/plaintext.js';
import { settledSetCommitment, settlementDigest } from '../../src/algorithms/clearing/settlement.js';

const tacit = fileURLToPath(new URL('../../../bin/tacit.mjs', import.meta.url));

test('tacit run clearing: gridlocked queues net fully, each bank gets its own position and payments', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tacit-clearing-'));
  try {
    const queues = generateQueues({ banks: 4, payments: 24, seed: 5, gridlock: true });
    const files = writeQueues(dir, queues);
    const args = ['run', 'clearing', ...queues.flatMap((q) => ['--party', `${q.bank}=${files[q.bank]}`, '--balance', `${q.bank}=${q.balance}`]), '--iterations', '8', '--json'];
    const r = spawnSync(process.execPath, [tacit, ...args], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Record<string, any>;
    const ref = clearBounded(queues, 8);
    assert.equal(settleGross(queues), 0n, 'gross settlement is gridlocked');
    assert.equal(out['bankCount'], 4);
    assert.equal(out['settledValue'], Number(ref.settledValue));
    assert.equal(out['liquiditySaved'], Number(ref.liquiditySaved));
    for (const b of ref.banks) {
      const got = out['banks'][b.bank];
      assert.equal(got.net, Number(b.net), `${b.bank} net`);
      assert.deepEqual(got.settled, b.settled);
      assert.deepEqual(new Set(got.incoming.map((x: { id: string }) => x.id)), new Set(b.incoming.map((x) => x.id)));
    }
    assert.deepEqual(out['settlement'].nets, ref.banks.map((b) => String(b.net)));
    assert.match(out['settledSet'], /^0x[0-9a-f]{64}$/);
    assert.notEqual(out['settledSet'], settledSetCommitment(1n, []));
    assert.equal(out['settlement'].digest, settlementDigest(1n, ref.banks.map((b) => b.net), out['settledSet']));
    for (const k of ['seconds', 'bytes', 'rounds']) assert.equal(typeof out[k], 'number', k);

    // A duplicate payment id at one bank stops every process with a clear error.
    writeFileSync(join(dir, 'dup.csv'), 'id,to,amount\nx1,bank01,100\nx1,bank02,200\n');
    const bad = spawnSync(process.execPath, [tacit, 'run', 'clearing', '--party', `bank00=${join(dir, 'dup.csv')}`, ...queues.slice(1).flatMap((q) => ['--party', `${q.bank}=${files[q.bank]}`])], { encoding: 'utf8' });
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /duplicate payment id/);
    assert.equal(bad.stdout, '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
