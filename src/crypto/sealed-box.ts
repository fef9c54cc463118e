/**
 * Sealed boxes: encrypt to a public key so that only its holder can open — how a receiver
 * node hands a task's result to the requester without anyone in between (the chain, a
 * proxy, the receiver's API consumers) reading it.
 *
 * ECIES (SEC 1 v2 §5.1) over X25519 (RFC 7748) with HKDF-SHA256 (RFC 5869) and AES-256-GCM
 * (NIST SP 800-38D), all from node:crypto: a fresh ephemeral key per box, the key derived
 * from the shared secret bound to both public keys, a random 96-bit nonce.
 *
 * Every box is bound to a *context* — associated data the caller names (for a task result:
 * chain, market and task id, see node/tasks/result-box.ts). The context enters both the key
 * derivation (HKDF info) and the GCM tag, so a box opens only under the context it was sealed
 * for: a result sealed for task A cannot be served as task B's result.
 * Wire form: 0x02 ‖ ephemeral public key (32) ‖ nonce (12) ‖ ciphertext ‖ tag (16).
 */
import { createCipheriv, createDecipheriv, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';
import { TacitError } from '../errors.js';

const VERSION = 2;
const INFO = Buffer.from('tacit sealed box v2\n');
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

function keyFor(shared: Buffer, eph: Buffer, recipient: Buffer, context: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', shared, Buffer.concat([eph, recipient]), Buffer.concat([INFO, context]), 32));
}

function contextBytes(context: string | Uint8Array): Buffer {
  const b = typeof context === 'string' ? Buffer.from(context, 'utf8') : Buffer.from(context);
  if (b.length === 0) throw new SealedBoxError('a sealed box needs a non-empty context (what the box is for)');
  return b;
}

/** Encrypts `plaintext` to the holder of `recipientPublicKey` (hex), bound to `context`. */
export function seal(plaintext: Uint8Array, recipientPublicKey: string, context: string | Uint8Array): Uint8Array {
  const ctx = contextBytes(context);
  const recipient = pub(recipientPublicKey);
  const eph = generateKeyPairSync('x25519');
  const ephRaw = eph.publicKey.export({ type: 'spki', format: 'der' }).subarray(SPKI_PREFIX.length);
  const shared = diffieHellman({ privateKey: eph.privateKey, publicKey: recipient });
  const key = keyFor(shared, ephRaw, Buffer.from(recipientPublicKey, 'hex'), ctx);
  const nonce = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, nonce);
  c.setAAD(ctx);
  const body = Buffer.concat([c.update(plaintext), c.final()]);
  key.fill(0);
  shared.fill(0);
  return Buffer.concat([Buffer.from([VERSION]), ephRaw, nonce, body, c.getAuthTag()]);
}

/**
 * Opens a box sealed to the key pair whose private half is `privateKey` (hex) for `context`;
 * a box sealed for another context does not open.
 */
export function open(box: Uint8Array, privateKey: string, context: string | Uint8Array): Uint8Array {
  const ctx = contextBytes(context);
  const b = Buffer.from(box);
  if (b.length < 1 + 32 + 12 + 16 || b[0] !== VERSION) throw new SealedBoxError('not a Tacit sealed box (or an unknown version)');
  const sk = priv(privateKey);
  const recipientRaw = createPublicKey(sk).export({ type: 'spki', format: 'der' }).subarray(SPKI_PREFIX.length);
  const ephRaw = b.subarray(1, 33);
  const shared = diffieHellman({ privateKey: sk, publicKey: pub(ephRaw.toString('hex')) });
  const key = keyFor(shared, ephRaw, recipientRaw, ctx);
  const d = createDecipheriv('aes-256-gcm', key, b.subarray(33, 45));
  d.setAAD(ctx);
  d.setAuthTag(b.subarray(b.length - 16));
  try {
    return Buffer.concat([d.update(b.subarray(45, b.length - 16)), d.final()]);
  } catch {
    throw new SealedBoxError('the sealed box does not open with this key for this purpose (wrong key, a box made for something else — e.g. another task —, or it was altered)');
  } finally {
    key.fill(0);
    shared.fill(0);
  }
}
