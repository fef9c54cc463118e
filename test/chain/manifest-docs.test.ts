// docs/contracts.md's manifest example and `tacit chain deploy --help` name every contract a
// deployment records (issue: DataTokenSale was missing from both): the list is read from a
// real deployment, so a contract added later must be documented before this passes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startLocalLedger } from './fixture.js';

test('every deployed contract is in the manifest example of docs/contracts.md and in chain deploy --help', async () => {
  const env = await startLocalLedger();
  try {
    const names = Object.keys(env.ledger.manifest.contracts);
    assert.ok(names.length >= 6, names.join(','));
    const doc = readFileSync(fileURLToPath(new URL('../../../docs/contracts.md', import.meta.url)), 'utf8');
    const example = /```json\n(\{[\s\S]*?"contracts"[\s\S]*?\n\})\n```/.exec(doc);
    assert.ok(example, 'docs/contracts.md has no manifest example');
    const documented = Object.keys((JSON.parse(example[1]!) as { contracts: Record<string, string> }).contracts);
    assert.deepEqual([...documented].sort(), [...names].sort(), 'manifest example vs a real deployment');
    const help = spawnSync(process.execPath, [fileURLToPath(new URL('../../../bin/tacit.mjs', import.meta.url)), 'chain', 'deploy', '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0);
    for (const n of names.filter((x) => !['PaymentToken', 'DataTokenImplementation'].includes(x))) assert.ok(help.stdout.includes(n), `chain deploy --help does not name ${n}`);
  } finally {
    await env.stop();
  }
});
