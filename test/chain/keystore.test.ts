/**
 * Web3 Secret Storage v3: the two official test vectors of the definition (PBKDF2 and scrypt,
 * password "testpassword"), a round trip, and the failures a user can cause.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decryptKeystore, encryptKeystore, KeystoreError, parseKeystore } from '../../src/crypto/keystore.js';

const PRIV = '0x7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d';

const pbkdf2Vector = {
  crypto: {
    cipher: 'aes-128-ctr',
    cipherparams: { iv: '6087dab2f9fdbbfaddc31a909735c1e6' },
    ciphertext: '5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46',
    kdf: 'pbkdf2',
    kdfparams: { c: 262144, dklen: 32, prf: 'hmac-sha256', salt: 'ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd' },
    mac: '517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2',
  },
  id: '3198bc9c-6672-5ab3-d995-4942343ae5b6',
  version: 3,
};

const scryptVector = {
  crypto: {
    cipher: 'aes-128-ctr',
    cipherparams: { iv: '83dbcc02d8ccb40e466191a123791e0e' },
    ciphertext: 'd172bf743a674da9cdad04534d56926ef8358534d458fffccd4e6ad2fbde479c',
    kdf: 'scrypt',
    kdfparams: { dklen: 32, n: 262144, r: 1, p: 8, salt: 'ab0c7876052600dd703518d6fc3fe8984592145b591fc8fb5c6d43190334ba19' },
    mac: '2103ac29920d71da29f15d75b4a16dbe95cfd7ff8faea1056c33131d846e3097',
  },
  id: '3198bc9c-6672-5ab3-d995-4942343ae5b6',
  version: 3,
};

test('decrypts the PBKDF2 test vector of the Web3 Secret Storage definition', async () => {
  assert.equal(await decryptKeystore(pbkdf2Vector, 'testpassword'), PRIV);
});

test('decrypts the scrypt test vector of the Web3 Secret Storage definition', async () => {
  assert.equal(await decryptKeystore(JSON.stringify(scryptVector), 'testpassword'), PRIV);
});

test('encrypting with the vector salt and iv reproduces the vector exactly', async () => {
  const ks = await encryptKeystore(PRIV, 'testpassword', {
    kdf: 'pbkdf2',
    c: 262144,
    salt: Buffer.from(pbkdf2Vector.crypto.kdfparams.salt, 'hex'),
    iv: Buffer.from(pbkdf2Vector.crypto.cipherparams.iv, 'hex'),
    id: pbkdf2Vector.id,
  });
  assert.equal(ks.crypto.ciphertext, pbkdf2Vector.crypto.ciphertext);
  assert.equal(ks.crypto.mac, pbkdf2Vector.crypto.mac);
  assert.equal(ks.address, '008aeeda4d805471df9b2a5b0f38a0c3bcba786b');
});

test('round trip with light scrypt parameters; geth-style capitalised Crypto is accepted', async () => {
  const ks = await encryptKeystore(PRIV, 'correct horse', { n: 1024, r: 8, p: 1 });
  assert.equal(ks.crypto.kdf, 'scrypt');
  assert.equal(await decryptKeystore(ks, 'correct horse'), PRIV);
  const { crypto, ...rest } = ks;
  assert.equal(await decryptKeystore({ ...rest, Crypto: crypto }, 'correct horse'), PRIV);
});

test('a wrong passphrase fails the MAC check and the error names no secret', async () => {
  const ks = await encryptKeystore(PRIV, 'pass-right-7731', { n: 1024, r: 8, p: 1 });
  await assert.rejects(decryptKeystore(ks, 'pass-bad-9920'), (err: unknown) => {
    assert.ok(err instanceof KeystoreError);
    assert.match(err.message, /MAC mismatch/);
    assert.ok(!err.message.includes('pass-right-7731') && !err.message.includes('pass-bad-9920'));
    assert.ok(!err.message.includes(PRIV.slice(2)));
    return true;
  });
});

test('malformed keystores are rejected with KeystoreError', () => {
  assert.throws(() => parseKeystore('not json'), KeystoreError);
  assert.throws(() => parseKeystore({ version: 2 }), KeystoreError);
  assert.throws(() => parseKeystore({ ...scryptVector, crypto: { ...scryptVector.crypto, cipher: 'aes-256-cbc' } }), /unsupported cipher/);
  assert.throws(() => parseKeystore({ ...scryptVector, crypto: { ...scryptVector.crypto, kdf: 'argon2' } }), /unsupported kdf/);
});
