/**
 * The key ceremonies with every member a separate OS process over the pinned TLS mesh
 * (runLocalSession, as `tacit key` runs them): DKG + signing + verification (noble's
 * verifier as the independent reference), refresh and reshare keeping the group key, an old
 * member's share no longer signing, each kind of cheater named, and a member killed in the
 * middle of a DKG aborting the run everywhere with nothing stored.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'node:test';
import { runLocalSession } from '../../src/node/local/cluster.js';
import { createKey } from '../../src/sdk/actions/createKey.js';
import { signWithKey } from '../../src/sdk/actions/signWithKey.js';
import { refreshKey } from '../../src/sdk/actions/refreshKey.js';
import { reshareKey } from '../../src/sdk/actions/reshareKey.js';
import { listKeys } from '../../src/sdk/actions/listKeys.js';
import { FROST, fromHex } from '../../src/keys/suite.js';
import { readShareFile } from '../../src/keys/share-store.js';

const root = mkdtempSync(join(tmpdir(), 'tacit-keyproc-'));
test.after(() => rmSync(root, { recursive: true, force: true }));
const store = { keyDir: join(root, 'keys'), passphrase: 'process-pass', scryptN: 1024 };
const cheaters = fileURLToPath(new URL('./cheater-programs.js', import.meta.url));
const verify = (sig: string, msg: string, key: string) => FROST.verify(fromHex(sig), fromHex(msg), fromHex(key));

test('DKG 2-of-3 → sign → refresh → reshare to 2-of-3 with a newcomer, across processes', async () => {
  const { key } = await createKey({ ...store, members: ['bank', 'fund', 'exchange'], threshold: 2 });
  assert.equal(key.epoch, 0);
  const msg = Buffer.from('release 5 ETH to 0xabc').toString('hex');
  const s1 = await signWithKey({ ...store, keyId: key.keyId, message: msg, signers: ['bank', 'exchange'] });
  assert.ok(s1.preprocessed);
  assert.ok(verify(s1.signature, msg, key.groupKey));
  const s2 = await signWithKey({ ...store, keyId: key.keyId, message: msg, signers: ['fund', 'exchange'], fresh: true });
  assert.ok(!s2.preprocessed);
  assert.ok(verify(s2.signature, msg, key.groupKey));
  assert.notEqual(s1.signature, s2.signature);

  const old = readShareFile(join(store.keyDir, 'bank'), key.keyId);
  const r = await refreshKey({ ...store, keyId: key.keyId, member: 'bank' });
  assert.equal(r.key.groupKey, key.groupKey);
  assert.equal(r.key.epoch, 1);
  assert.notDeepEqual(r.key.members.map((m) => m.verifyingShare), key.members.map((m) => m.verifyingShare));
  assert.notDeepEqual(readShareFile(join(store.keyDir, 'bank'), key.keyId).share, old.share);

  // 'fund' leaves, 'auditor' joins.
  const rs = await reshareKey({ ...store, keyId: key.keyId, members: ['bank', 'exchange', 'auditor'], threshold: 2 });
  assert.equal(rs.key.groupKey, key.groupKey);
  assert.equal(rs.key.epoch, 2);
  assert.equal(existsSync(join(store.keyDir, 'fund', `${key.keyId}.json`)), false, 'the leaving member deleted its share');
  const s3 = await signWithKey({ ...store, keyId: key.keyId, message: msg, signers: ['auditor', 'bank'] });
  assert.ok(verify(s3.signature, msg, key.groupKey));
  const [summary] = listKeys(store);
  assert.equal(summary!.epoch, 2);
  assert.deepEqual(summary!.members, ['bank', 'exchange', 'auditor']);
  await assert.rejects(signWithKey({ ...store, keyId: key.keyId, message: msg, signers: ['fund', 'bank'] }), /no share/);
});

test('cheaters across processes are named; a killed member aborts the DKG with nothing stored', async () => {
  const members = ['m1', 'm2', 'm3'];
  const dir = join(root, 'cheat');
  const local = (m: string, cheat?: string) => ({ keyDir: join(dir, m), passphrase: 'process-pass', scryptN: 1024, ...(cheat ? { cheat } : {}) });
  const run = (program: string, params: Record<string, unknown>, cheater: string, cheat: string, parties = members) =>
    runLocalSession({ program, params, programModule: cheaters, parties: parties.map((id) => ({ id, roles: ['compute'], local: local(id, id === cheater ? cheat : undefined) })) });

  await assert.rejects(run('key-dkg', { members, threshold: 2 }, 'm2', 'bad-share'), /m2 misbehaved at dkg\/reveal/);
  assert.equal(existsSync(join(dir, 'm1')) && readdirSync(join(dir, 'm1')).length > 0, false, 'nothing stored');

  const t0 = Date.now();
  // The round deadline is far (120 s) so that "at once" (process start-up included, on a
  // loaded machine) and "at the deadline" cannot be confused.
  await assert.rejects(run('key-dkg', { members, threshold: 2, roundTimeoutMs: 120_000 }, 'm3', 'die-after-deal'), /m3/);
  assert.ok(Date.now() - t0 < 60_000, 'the others noticed the dropped connection at once, not at the round deadline');
  for (const m of members) assert.equal(existsSync(join(dir, m)) && readdirSync(join(dir, m)).some((f) => f.endsWith('.json')), false, `${m} stored nothing`);

  const rs = await runLocalSession({ program: 'key-dkg', params: { members, threshold: 2 }, parties: members.map((id) => ({ id, roles: ['compute'], local: local(id) })) });
  const keyId = (rs.get('m1')!.output!['key'] as { keyId: string }).keyId;
  await assert.rejects(run('key-sign', { keyId, message: 'aa', signers: members }, 'm1', 'bad-commitment'), /m1 misbehaved at sign\/commit/);
  await assert.rejects(run('key-sign', { keyId, message: 'aa', signers: members }, 'm3', 'bad-share'), /m3 misbehaved at sign\/share/);
});
