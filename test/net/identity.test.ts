import assert from 'node:assert/strict';
import { createHash, createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, it } from 'node:test';
import { selfSignedCertificateDer, derToPem } from '../../src/net/certificate.js';
import { createIdentity, fingerprintOfCert, loadIdentity, normalizeFingerprint } from '../../src/net/index.js';

describe('identity', () => {
  for (const keyType of ['ed25519', 'p256'] as const) {
    it(`makes a ${keyType} key and a self-signed certificate OpenSSL accepts`, () => {
      const id = createIdentity('bank-a', { keyType });
      const cert = new X509Certificate(id.certPem);
      assert.ok(cert.verify(cert.publicKey), 'self-signature verifies');
      assert.equal(cert.subject, 'CN=bank-a');
      assert.equal(cert.issuer, 'CN=bank-a');
      assert.equal(cert.ca, false);
      assert.ok(cert.checkPrivateKey(createPrivateKey(id.keyPem)));
      assert.match(id.fingerprint, /^[0-9a-f]{64}$/);
      assert.equal(fingerprintOfCert(id.certPem), id.fingerprint);
      assert.equal(fingerprintOfCert(cert), id.fingerprint);
      assert.equal(fingerprintOfCert(cert.raw), id.fingerprint);
    });
  }

  it('fingerprints the SubjectPublicKeyInfo, so re-issuing for the same key keeps the pin', () => {
    const id = createIdentity('bank-b');
    const privateKey = createPrivateKey(id.keyPem);
    const publicKey = createPublicKey(privateKey);
    const now = Date.now();
    const reissued = derToPem(selfSignedCertificateDer({ commonName: 'bank-b-renewed', privateKey, publicKey, notBefore: new Date(now), notAfter: new Date(now + 2 * 365 * 86_400_000) }));
    assert.notEqual(reissued, id.certPem);
    assert.equal(fingerprintOfCert(reissued), id.fingerprint);
    const spki = publicKey.export({ type: 'spki', format: 'der' });
    assert.equal(createHash('sha256').update(spki).digest('hex'), id.fingerprint);
    assert.notEqual(createIdentity('bank-b').fingerprint, id.fingerprint);
  });

  it('never shows the private key when printed or serialised', () => {
    const id = createIdentity('bank-c');
    assert.ok(id.keyPem.includes('PRIVATE KEY'));
    assert.ok(!JSON.stringify(id).includes('PRIVATE'));
    assert.ok(!inspect(id).includes('PRIVATE'));
    assert.deepEqual(Object.keys(id).sort(), ['certPem', 'fingerprint', 'id']);
  });

  it('reloads stored PEMs and refuses a key that does not match the certificate', () => {
    const a = createIdentity('a');
    const b = createIdentity('b');
    assert.equal(loadIdentity('a', a.keyPem, a.certPem).fingerprint, a.fingerprint);
    assert.throws(() => loadIdentity('a', b.keyPem, a.certPem), /does not match/);
    assert.throws(() => createIdentity('bad id'), RangeError);
  });

  it('normalises pins', () => {
    const fp = createIdentity('a').fingerprint;
    assert.equal(normalizeFingerprint(fp.toUpperCase().replace(/(..)(?!$)/g, '$1:')), fp);
    assert.throws(() => normalizeFingerprint('abc'), RangeError);
  });

  it('encodes GeneralizedTime after 2049', () => {
    const id = createIdentity('a', { validDays: 365 * 40 });
    const cert = new X509Certificate(id.certPem);
    assert.ok(new Date(cert.validTo).getUTCFullYear() >= 2060);
  });
});
