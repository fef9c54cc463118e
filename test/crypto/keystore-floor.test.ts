/**
 * The keystore's KDF cost floor: weak scrypt/PBKDF2 parameters are refused when a keystore
 * is created and when one is opened (a file from elsewhere), with `WeakKdfError`; a hostile
 * file asking for an enormous cost is refused before any work; the test-only escape
 * `TACIT_SCRYPT_N` lowers the floor only while it is set.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import {
  assertKdfCost, decryptKeystore, encryptKeystore, KDF_FLOOR, kdfFloor, WeakKdfError, type KeystoreV3,
} from '../../src/crypto/keystore.js';

const PRIV = '0x7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d';
const saved = process.env.TACIT_SCRYPT_N;

beforeEach(() => {
  delete process.env.TACIT_SCRYPT_N; // production: no escape
});
afterEach(() => {
  if (saved === undefined) delete process.env.TACIT_SCRYPT_N;
  else process.env.TACIT_SCRYPT_N = saved;
});

const scrypt = (n: number, r: number, p: number) => ({ dklen: 32, n, r, p, salt: '00'.repeat(32) });

test('the production floor is OWASP\'s scrypt minimum and refuses well-known weak settings', () => {
  assert.deepEqual(kdfFloor(), KDF_FLOOR);
  // Accepted: geth standard, the v3 definition's vector, OWASP's equal-work trade-off.
  for (const [n, r, p] of [[2 ** 18, 8, 1], [2 ** 18, 1, 8], [2 ** 17, 8, 1], [2 ** 13, 8, 10]] as const) {
    assert.doesNotThrow(() => assertKdfCost('scrypt', scrypt(n, r, p)), `N=${n} r=${r} p=${p}`);
  }
  // Refused: geth light, eth-keystore (Foundry) default, a toy N.
  for (const [n, r, p] of [[2 ** 12, 8, 6], [2 ** 13, 8, 1], [1024, 8, 1], [2 ** 15, 8, 1], [2 ** 14, 2, 64]] as const) {
    assert.throws(() => assertKdfCost('scrypt', scrypt(n, r, p)), (err: unknown) => err instanceof WeakKdfError && /below the floor/.test((err as Error).message), `N=${n} r=${r} p=${p}`);
  }
  assert.throws(() => assertKdfCost('pbkdf2', { dklen: 32, c: 10_000, prf: 'hmac-sha256', salt: '00' }), WeakKdfError);
  assert.doesNotThrow(() => assertKdfCost('pbkdf2', { dklen: 32, c: 262_144, prf: 'hmac-sha256', salt: '00' }));
});

test('creating a keystore below the floor is refused with WeakKdfError', async () => {
  await assert.rejects(encryptKeystore(PRIV, 'pw', { n: 1024, r: 8, p: 1 }), (err: unknown) => {
    assert.ok(err instanceof WeakKdfError);
    assert.match((err as WeakKdfError).hint ?? '', /N = 2\^18/);
    return true;
  });
  await assert.rejects(encryptKeystore(PRIV, 'pw', { kdf: 'pbkdf2', c: 1000 }), WeakKdfError);
});

test('a weak keystore file made elsewhere is refused on load, before the passphrase is tried', async () => {
  process.env.TACIT_SCRYPT_N = '1024';
  const weak: KeystoreV3 = await encryptKeystore(PRIV, 'pw', { n: 1024, r: 8, p: 1 });
  assert.equal(await decryptKeystore(weak, 'pw'), PRIV); // the escape, while set
  delete process.env.TACIT_SCRYPT_N;
  const t0 = performance.now();
  await assert.rejects(decryptKeystore(weak, 'pw'), (err: unknown) => err instanceof WeakKdfError && /scrypt N = 1024, r = 8, p = 1/.test((err as Error).message));
  await assert.rejects(decryptKeystore(weak, 'wrong'), WeakKdfError); // the cost is judged first
  assert.ok(performance.now() - t0 < 1000);
});

test('a hostile file asking for a huge cost is refused without doing the work', async () => {
  const ks = await (async () => {
    process.env.TACIT_SCRYPT_N = '1024';
    try {
      return await encryptKeystore(PRIV, 'pw', { n: 1024, r: 8, p: 1 });
    } finally {
      delete process.env.TACIT_SCRYPT_N;
    }
  })();
  const huge = { ...ks, crypto: { ...ks.crypto, kdfparams: { ...ks.crypto.kdfparams, n: 2 ** 24, r: 8, p: 1 } } };
  const slow = { ...ks, crypto: { ...ks.crypto, kdfparams: { ...ks.crypto.kdfparams, n: 2 ** 18, r: 8, p: 1000 } } };
  const t0 = performance.now();
  await assert.rejects(decryptKeystore(huge, 'pw'), (err: unknown) => err instanceof WeakKdfError && /above the ceiling/.test((err as Error).message));
  await assert.rejects(decryptKeystore(slow, 'pw'), (err: unknown) => err instanceof WeakKdfError && /above the ceiling/.test((err as Error).message));
  assert.ok(performance.now() - t0 < 1000);
});

test('TACIT_SCRYPT_N must be a power of two of at least 1024', () => {
  assert.deepEqual(kdfFloor({ TACIT_SCRYPT_N: '4096' }), { scryptMemory: 4096, scryptWork: 4096, scryptN: 4096, pbkdf2C: 4096 });
  for (const bad of ['512', '1000', 'abc', '-1024']) assert.throws(() => kdfFloor({ TACIT_SCRYPT_N: bad }), WeakKdfError);
  // The escape only lowers the floor to its own N: a file with a smaller N is still refused.
  assert.throws(() => assertKdfCost('scrypt', scrypt(2048, 8, 1), kdfFloor({ TACIT_SCRYPT_N: '4096' })), WeakKdfError);
});
