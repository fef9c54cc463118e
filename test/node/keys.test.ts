/**
 * Node keys at rest: init/unlock round trip, a wrong passphrase refused with a typed error,
 * no plaintext key in the file, 0600 files, tampering detected, nothing secret in errors or
 * printed objects; and where the passphrase comes from.
 */
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { createPrivateKey } from 'node:crypto';
import { getAddress } from 'viem';
import { privateKeyToAddress } from 'viem/accounts';
import { decryptKeystore } from '../../src/crypto/keystore.js';
import { createApiToken, readApiToken } from '../../src/node/api-token.js';
import { InsecureFileError, NodeDirectoryInUseError, NodeKeystoreError, PassphraseError, WrongPassphraseError } from '../../src/node/errors.js';
import { initNodeKeys, readNodePublicKeys, unlockNodeKeys } from '../../src/node/keys.js';
import { readPassphrase } from '../../src/node/passphrase.js';
import { LIGHT_SCRYPT, PASSPHRASE, tempDir } from './helpers.js';

let tmp: ReturnType<typeof tempDir>;
before(() => {
  tmp = tempDir();
});
after(() => tmp.cleanup());

const POSIX = process.platform !== 'win32';

describe('node keys', () => {
  it('init then unlock gives the same account and TLS identity', async () => {
    const dir = join(tmp.dir, 'a');
    const pub = await initNodeKeys(dir, PASSPHRASE, 'bank-a', { scrypt: LIGHT_SCRYPT });
    assert.match(pub.address, /^0x[0-9a-fA-F]{40}$/);
    assert.match(pub.fingerprint, /^[0-9a-f]{64}$/);
    const keys = await unlockNodeKeys(dir, PASSPHRASE);
    assert.equal(keys.address, pub.address);
    assert.equal(keys.account.address, pub.address);
    assert.equal(keys.tls.fingerprint, pub.fingerprint);
    assert.equal(keys.tls.id, 'bank-a');
    assert.ok(keys.tls.keyPem.includes('PRIVATE KEY'));
    createPrivateKey(keys.tls.keyPem); // a usable key
    const sig = await keys.account.signMessage({ message: 'hello' });
    assert.match(sig, /^0x[0-9a-f]{130}$/);
    assert.deepEqual(readNodePublicKeys(dir), { partyId: 'bank-a', address: pub.address, fingerprint: pub.fingerprint, certPem: pub.certPem });
    // the public view and printed objects carry no secret
    assert.doesNotMatch(inspect(keys.tls) + JSON.stringify(keys.tls), /PRIVATE KEY/);
    // the chain key is a standard v3 keystore: other tools can open it with the passphrase
    const file = JSON.parse(readFileSync(join(dir, 'keystore.json'), 'utf8'));
    const raw = await decryptKeystore(file.chainKey, PASSPHRASE);
    assert.equal(privateKeyToAddress(raw), pub.address);
  });

  it('refuses a wrong passphrase with a typed error and a hint', async () => {
    const dir = join(tmp.dir, 'b');
    await initNodeKeys(dir, PASSPHRASE, 'bank-b', { scrypt: LIGHT_SCRYPT });
    await assert.rejects(unlockNodeKeys(dir, 'not the passphrase'), (err: unknown) => {
      assert.ok(err instanceof WrongPassphraseError);
      assert.match(err.hint ?? '', /TACIT_PASSPHRASE/);
      assert.doesNotMatch(err.message, /not the passphrase/);
      return true;
    });
  });

  it('keeps no plaintext key in keystore.json, and writes it 0600 in a 0700 directory', async () => {
    const dir = join(tmp.dir, 'c');
    await initNodeKeys(dir, PASSPHRASE, 'bank-c', { scrypt: LIGHT_SCRYPT });
    const text = readFileSync(join(dir, 'keystore.json'), 'utf8');
    const keys = await unlockNodeKeys(dir, PASSPHRASE);
    const file = JSON.parse(text);
    const raw = (await decryptKeystore(file.chainKey, PASSPHRASE)).slice(2);
    assert.ok(!text.toLowerCase().includes(raw), 'no raw chain key');
    assert.ok(!text.includes('PRIVATE KEY'), 'no PEM private key');
    const pkcs8 = createPrivateKey(keys.tls.keyPem).export({ type: 'pkcs8', format: 'der' });
    assert.ok(!text.includes(pkcs8.toString('hex')) && !text.includes(pkcs8.toString('base64')), 'no DER private key');
    assert.ok(!text.includes(PASSPHRASE));
    assert.equal(getAddress(file.address), keys.address);
    if (POSIX) {
      assert.equal(statSync(join(dir, 'keystore.json')).mode & 0o777, 0o600);
      assert.equal(statSync(dir).mode & 0o777, 0o700);
    }
  });

  it('never overwrites a keystore', async () => {
    const dir = join(tmp.dir, 'd');
    const first = await initNodeKeys(dir, PASSPHRASE, 'bank-d', { scrypt: LIGHT_SCRYPT });
    await assert.rejects(initNodeKeys(dir, PASSPHRASE, 'bank-d', { scrypt: LIGHT_SCRYPT }), NodeDirectoryInUseError);
    assert.equal(readNodePublicKeys(dir).address, first.address);
  });

  it('detects a tampered TLS key or certificate, and a file others can read', async () => {
    const dir = join(tmp.dir, 'e');
    const other = join(tmp.dir, 'e2');
    await initNodeKeys(dir, PASSPHRASE, 'bank-e', { scrypt: LIGHT_SCRYPT });
    await initNodeKeys(other, PASSPHRASE, 'bank-e', { scrypt: LIGHT_SCRYPT });
    const path = join(dir, 'keystore.json');
    const original = readFileSync(path, 'utf8');
    const file = JSON.parse(original);
    const foreign = JSON.parse(readFileSync(join(other, 'keystore.json'), 'utf8'));
    // someone else's TLS key and certificate grafted in
    writeFileSync(path, JSON.stringify({ ...file, tls: foreign.tls }), { mode: 0o600 });
    await assert.rejects(unlockNodeKeys(dir, PASSPHRASE), NodeKeystoreError);
    // a flipped ciphertext byte
    const flipped = structuredClone(file);
    const c = flipped.tls.key.ciphertext as string;
    flipped.tls.key.ciphertext = (c[0] === '0' ? '1' : '0') + c.slice(1);
    writeFileSync(path, JSON.stringify(flipped), { mode: 0o600 });
    await assert.rejects(unlockNodeKeys(dir, PASSPHRASE), /does not authenticate/);
    writeFileSync(path, original, { mode: 0o600 });
    await unlockNodeKeys(dir, PASSPHRASE);
    if (POSIX) {
      chmodSync(path, 0o644);
      await assert.rejects(unlockNodeKeys(dir, PASSPHRASE), InsecureFileError);
      assert.throws(() => readNodePublicKeys(dir), InsecureFileError);
      chmodSync(path, 0o600);
    }
  });

  it('the API token is 32 random bytes in hex, 0600, read back and checked', () => {
    const dir = join(tmp.dir, 'f');
    const token = createApiToken(dir);
    assert.match(token, /^[0-9a-f]{64}$/);
    assert.equal(readApiToken(dir), token);
    assert.throws(() => createApiToken(dir), NodeDirectoryInUseError);
    if (POSIX) {
      assert.equal(statSync(join(dir, 'api-token')).mode & 0o777, 0o600);
      chmodSync(join(dir, 'api-token'), 0o640);
      assert.throws(() => readApiToken(dir), InsecureFileError);
    }
  });
});

describe('passphrase source', () => {
  it('takes TACIT_PASSPHRASE; refuses empty and (when creating) short ones', async () => {
    assert.equal(await readPassphrase({ env: { TACIT_PASSPHRASE: 'from env' } }), 'from env');
    await assert.rejects(readPassphrase({ env: { TACIT_PASSPHRASE: '' } }), PassphraseError);
    await assert.rejects(readPassphrase({ env: { TACIT_PASSPHRASE: 'short' }, creating: true }), /shorter than 8/);
  });

  it('without the variable and without a terminal, says how to provide one', async () => {
    const notTty = { isTTY: false } as unknown as NodeJS.ReadStream;
    await assert.rejects(readPassphrase({ env: {}, input: notTty }), (err: unknown) => {
      assert.ok(err instanceof PassphraseError);
      assert.match(err.hint ?? '', /TACIT_PASSPHRASE/);
      return true;
    });
  });
});
