/**
 * The share store's format v2 (share sealed with AES-256-GCM under the directory's
 * key-encryption key): a share written and read back is the same scalar; the passphrase KDF
 * runs once per process and parameters; a wrong passphrase, a sealed share moved into another
 * record, and KDF parameters below the floor are refused with their own messages; a v1 file (a
 * Web3 v3 keystore, the earlier format) still unlocks; the directory gets kek.json only with
 * its first share file; reads see every rewrite and hand out their own copies.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { encryptKeystore, KeystoreError, WeakKdfError } from '../../src/crypto/keystore.js';
import type { GroupKeyInfo } from '../../src/keys/group-key.js';
import { deriveKek, directoryKekParams, type SealedShare } from '../../src/keys/share-kek.js';
import { readShareFile, sealShare, unlockShare, writeShareFile, type ShareFile } from '../../src/keys/share-store.js';
import { Fn, randomScalar, toHex } from '../../src/keys/suite.js';

const root = mkdtempSync(join(tmpdir(), 'tacit-share-store-'));
test.after(() => rmSync(root, { recursive: true, force: true }));
const PASS = 'store-pass';

const info = (keyId: string, epoch = 0): GroupKeyInfo => ({ keyId, groupKey: '02' + '11'.repeat(32), epoch, threshold: 2, members: [], commitments: [] });
const fileOf = (key: GroupKeyInfo, share: ShareFile['share'], version: 1 | 2 = 2): ShareFile => ({ version, self: 'bank', key, share, nonces: {}, nextNonce: 0, commitments: {} });

test('v2: a sealed share reads back; kek.json comes with the first share file; the KDF runs once per process', async () => {
  const dir = join(root, 'a');
  const o = { dir, passphrase: PASS, scryptN: 1024 };
  const s = randomScalar();
  const key = info('aa'.repeat(32));
  const sealed = await sealShare(Fn.toBytes(s), key, 'bank', o);
  assert.equal(existsSync(join(dir, 'kek.json')), false, 'nothing written before the share file');
  writeShareFile(dir, fileOf(key, sealed));
  const kek = JSON.parse(readFileSync(join(dir, 'kek.json'), 'utf8'));
  assert.equal(kek.salt, sealed.kek.salt);
  assert.equal(kek.n, 1024);
  assert.doesNotMatch(readFileSync(join(dir, `${key.keyId}.json`), 'utf8'), new RegExp(toHex(Fn.toBytes(s))), 'the share is not stored in the clear');
  const { share } = await unlockShare(dir, key.keyId, PASS);
  assert.equal(Fn.fromBytes(share), s);
  const params = directoryKekParams(dir);
  assert.equal(deriveKek(params, PASS), deriveKek(params, PASS), 'one derivation per process and parameters');
  assert.notEqual(deriveKek(params, PASS), deriveKek(params, PASS + 'x'));
});

test('v2: wrong passphrase, a share moved to another record, weak parameters are refused', async () => {
  const dir = join(root, 'b');
  const o = { dir, passphrase: PASS, scryptN: 1024 };
  const key = info('bb'.repeat(32));
  const sealed = await sealShare(Fn.toBytes(randomScalar()), key, 'bank', o);
  writeShareFile(dir, fileOf(key, sealed));
  await assert.rejects(unlockShare(dir, key.keyId, 'not-the-passphrase'), (e: unknown) => e instanceof KeystoreError && /wrong passphrase/.test((e as Error).message));
  // The same sealed share under another key id, or another epoch, does not open.
  const other = info('cc'.repeat(32));
  writeShareFile(dir, fileOf(other, sealed));
  await assert.rejects(unlockShare(dir, other.keyId, PASS), /GCM tag mismatch/);
  writeShareFile(dir, fileOf(info(key.keyId, 1), sealed));
  await assert.rejects(unlockShare(dir, key.keyId, PASS), /GCM tag mismatch/);
  const weak: SealedShare = { ...sealed, kek: { ...sealed.kek, n: 256 } };
  writeShareFile(join(root, 'weak'), fileOf(key, weak));
  await assert.rejects(unlockShare(join(root, 'weak'), key.keyId, PASS), WeakKdfError);
});

test('v1 files (Web3 v3 keystore) still unlock', async () => {
  const dir = join(root, 'v1');
  const key = info('dd'.repeat(32));
  const s = randomScalar();
  writeShareFile(dir, fileOf(key, await encryptKeystore(Fn.toBytes(s), PASS, { n: 1024 }), 1));
  assert.equal(readShareFile(dir, key.keyId).version, 1);
  assert.equal(Fn.fromBytes((await unlockShare(dir, key.keyId, PASS)).share), s);
  assert.equal(existsSync(join(dir, 'kek.json')), false);
});

test('reads: a rewritten file is read anew, even within one clock tick; a caller changing what it read changes no later read', async () => {
  const dir = join(root, 'cache');
  const o = { dir, passphrase: PASS, scryptN: 1024 };
  const key = info('cc'.repeat(32));
  const sealed = await sealShare(Fn.toBytes(randomScalar()), key, 'bank', o);
  const f = fileOf(key, sealed);
  f.nonces = { '0': 'n0', '1': 'n1' };
  f.commitments = { bank: { '0': ['a', 'b'] } };
  writeShareFile(dir, f);
  const first = readShareFile(dir, key.keyId);
  delete first.nonces['0'];
  first.nonces['7'] = 'phantom';
  first.commitments['peer'] = { '0': ['c', 'd'] };
  const second = readShareFile(dir, key.keyId);
  assert.deepEqual(second.nonces, { '0': 'n0', '1': 'n1' }, 'what a caller changed in its copy is not seen by the next read');
  assert.deepEqual(Object.keys(second.commitments), ['bank']);
  // Back-to-back rewrites (the same size, likely within one mtime tick) are each seen.
  for (let i = 0; i < 20; i++) {
    writeShareFile(dir, { ...f, nonces: { '0': `v${i % 10}` } });
    assert.equal(readShareFile(dir, key.keyId).nonces['0'], `v${i % 10}`, `rewrite ${i}`);
  }
});
