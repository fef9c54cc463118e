/**
 * Sealed boxes: encrypt to a public key so that only its holder can open — how a receiver
 * node hands a task's result to the requester without anyone in between (the chain, a
 * proxy, the receiver's API consumers) reading it.
 *
 * ECIES (SEC 1 v2 §5.1) over X25519 (RFC 7748) with HKDF-SHA256 (RFC 5869) and AES-256-GCM
 * (NIST SP 800-38D), all from node:crypto: a fresh ephemeral key per box, the key derived
 * from the shared secret bound to both public keys, a random 96-bit nonce.
 * Wire form: 0x01 ‖ ephemeral public key (32) ‖ nonce (12) ‖ ciphertext ‖ tag (16).
 */
import { createCipheriv, createDecipheriv, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';
import { TacitError } from '../errors.js';

const VERSION = 1;
const INFO = Buffer.from('tacit sealed box v1');
// DER prefixes of X25519 keys (RFC 8410): SubjectPublicKeyInfo and PKCS#8.
const SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');
const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

export class SealedBoxError extends TacitError {
  override name = 'SealedBoxError';
}

export interface BoxKeyPair {
  /** 32-byte X25519 public key, hex. */
  publicKey: string;
  /** 32-byte X25519 private key, hex. Secret. */
  privateKey: string;
}

export function generateBoxKeyPair(): BoxKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('x25519');
  return {
    publicKey: publicKey.export({ type: 'spki', format: 'der' }).subarray(SPKI_PREFIX.length).toString('hex'),
    privateKey: privateKey.export({ type: 'pkcs8', format: 'der' }).subarray(PKCS8_PREFIX.length).toString('hex'),
  };
}

function pub(hex: string): KeyObject {
  const raw = Buffer.from(hex, 'hex');
  if (raw.length !== 32) throw new SealedBoxError('a box public key must be 32 bytes (64 hex digits)');
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

function priv(hex: string): KeyObject {
  const raw = Buffer.from(hex, 'hex');
  if (raw.length !== 32) throw new SealedBoxError('a box private key must be 32 bytes (64 hex digits)');
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, raw]), format: 'der', type: 'pkcs8' });
}

function keyFor(shared: Buffer, eph: Buffer, recipient: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', shared, Buffer.concat([eph, recipient]), INFO, 32));
}

/** Encrypts `plaintext` to the holder of `recipientPublicKey` (hex). */
export function seal(plaintext: Uint8Array, recipientPublicKey: string): Uint8Array {
  const recipient = pub(recipientPublicKey);
  const eph = generateKeyPairSync('x25519');
  const ephRaw = eph.publicKey.export({ type: 'spki', format: 'der' }).subarray(SPKI_PREFIX.length);
  const shared = diffieHellman({ privateKey: eph.privateKey, publicKey: recipient });
  const key = keyFor(shared, ephRaw, Buffer.from(recipientPublicKey, 'hex'));
  const nonce = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, nonce);
  const body = Buffer.concat([c.update(plaintext), c.final()]);
  key.fill(0);
  shared.fill(0);
  return Buffer.concat([Buffer.from([VERSION]), ephRaw, nonce, body, c.getAuthTag()]);
}

/** Opens a box sealed to the key pair whose private half is `privateKey` (hex). */
export function open(box: Uint8Array, privateKey: string): Uint8Array {
  const b = Buffer.from(box);
  if (b.length < 1 + 32 + 12 + 16 || b[0] !== VERSION) throw new SealedBoxError('not a Tacit sealed box (or an unknown version)');
  const sk = priv(privateKey);
  const recipientRaw = createPublicKey(sk).export({ type: 'spki', format: 'der' }).subarray(SPKI_PREFIX.length);
  const ephRaw = b.subarray(1, 33);
  const shared = diffieHellman({ privateKey: sk, publicKey: pub(ephRaw.toString('hex')) });
  const key = keyFor(shared, ephRaw, recipientRaw);
  const d = createDecipheriv('aes-256-gcm', key, b.subarray(33, 45));
  d.setAuthTag(b.subarray(b.length - 16));
  try {
    return Buffer.concat([d.update(b.subarray(45, b.length - 16)), d.final()]);
  } catch {
    throw new SealedBoxError('the sealed box does not open with this key (wrong key, or it was altered)');
  } finally {
    key.fill(0);
    shared.fill(0);
  }
}
