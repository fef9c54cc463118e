// `tacit key` as a user runs it: members as separate processes, JSON on stdout, the signature
// checked with noble's FROST verifier (an independent reference), and usage errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FROST, fromHex } from '../../src/keys/suite.js';

const tacit = fileURLToPath(new URL('../../../bin/tacit.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tacit-key-cli-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const env = { ...process.env, TACIT_PASSPHRASE: 'cli-passphrase', TACIT_SCRYPT_N: '1024' };

function key(args: string[], status = 0): Record<string, any> {
  const r = spawnSync(process.execPath, [tacit, 'key', ...args, '--dir', dir, '--json'], { encoding: 'utf8', env });
  assert.equal(r.status, status, r.stderr);
  return status === 0 || r.stdout ? JSON.parse(r.stdout || '{}') : { stderr: r.stderr };
}

test('tacit key create → sign → verify → reshare → list', () => {
  const created = key(['create', '--members', 'alpha,beta,gamma', '--threshold', '2']);
  const id = created.key.keyId as string;
  assert.equal(created.key.threshold, 2);
  const signed = key(['sign', '--key', id.slice(0, 12), '--signers', 'alpha,gamma', '--text', 'hello']);
  assert.ok(FROST.verify(fromHex(signed.signature), Buffer.from('hello'), fromHex(created.key.groupKey)));
  assert.equal(key(['verify', '--key', id, '--text', 'hello', '--signature', signed.signature]).valid, true);
  assert.equal(key(['verify', '--key', id, '--text', 'hellO', '--signature', signed.signature], 1).valid, false);
  const reshared = key(['reshare', '--key', id, '--members', 'beta,gamma,delta,epsilon', '--threshold', '3']);
  assert.equal(reshared.key.groupKey, created.key.groupKey);
  const listed = key(['list']);
  assert.deepEqual(listed.keys[0].members, ['beta', 'gamma', 'delta', 'epsilon']);
  assert.equal(listed.keys[0].epoch, 1);
});

test('tacit key: a threshold above the member count is a clear error', () => {
  const r = spawnSync(process.execPath, [tacit, 'key', 'create', '--members', 'a,b', '--threshold', '3', '--dir', dir], { encoding: 'utf8', env });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /threshold must be between 2 and the member count 2/);
});
