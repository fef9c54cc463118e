// Sealed boxes: round trip, the wrong key, another context and any altered byte are refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, diffieHellman, createPublicKey } from 'node:crypto';
import { generateBoxKeyPair, open, seal, SealedBoxError } from '../../src/crypto/sealed-box.js';

test('a sealed box opens with the recipient key only, and detects tampering', () => {
  const k = generateBoxKeyPair();
  const msg = new TextEncoder().encode(JSON.stringify({ auc: 0.72, weights: [1, 2, 3] }));
  const box = seal(msg, k.publicKey, 'task 1');
  assert.deepEqual(Buffer.from(open(box, k.privateKey, 'task 1')), Buffer.from(msg));
  assert.throws(() => open(box, generateBoxKeyPair().privateKey, 'task 1'), SealedBoxError);
  assert.throws(() => open(box, k.privateKey, 'task 2'), SealedBoxError, 'a box for one context does not open under another');
  assert.throws(() => seal(msg, k.publicKey, ''), SealedBoxError, 'a context is required');
  for (const i of [0, 5, 40, box.length - 1]) {
    const bad = Uint8Array.from(box);
    bad[i]! ^= 1;
    assert.throws(() => open(bad, k.privateKey, 'task 1'), SealedBoxError);
  }
  assert.notDeepEqual(Buffer.from(seal(msg, k.publicKey, 'task 1')), Buffer.from(box), 'every box uses a fresh ephemeral key');
});

test('raw key encoding agrees with node:crypto X25519 (RFC 7748)', () => {
  const k = generateBoxKeyPair();
  const other = generateKeyPairSync('x25519');
  const theirs = diffieHellman({ privateKey: other.privateKey, publicKey: createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b656e032100', 'hex'), Buffer.from(k.publicKey, 'hex')]), format: 'der', type: 'spki' }) });
  assert.equal(theirs.length, 32);
});
