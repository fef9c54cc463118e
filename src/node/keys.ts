/**
 * A node's two keys, kept encrypted at rest in `<dir>/keystore.json` (mode 0600):
 *
 * - the chain account (secp256k1), which registers the node, lists its datasets, accepts
 *   and commits tasks — stored as a standard Web3 Secret Storage v3 keystore (scrypt,
 *   N = 2^18 by default) so `cast wallet`, geth or ethers can open it too (say, to move the
 *   stake out after an exit);
 * - the TLS identity (Ed25519, src/net/identity.ts) whose SPKI fingerprint is pinned by the
 *   other nodes through the NodeRegistry.
 *
 * The TLS private key is encrypted with AES-256-GCM under a key derived by HKDF-SHA256
 * (RFC 5869) from the chain private key and a random salt, with the party id, address and
 * fingerprint as associated data. Rationale: unlocking costs one scrypt, not two (scrypt at
 * N = 2^18 takes ~2.5 s here), and there is no second, cheaper passphrase check an attacker
 * could brute-force instead of the keystore's: the only way to the TLS key is through the
 * passphrase-protected chain key, and then a 256-bit key. The associated data makes a
 * swapped certificate or keystore fail authentication instead of yielding a mismatched pair.
 *
 * Layout of keystore.json (version 1):
 *   { version, partyId, address, createdAt,
 *     chainKey: <Web3 v3 keystore>,
 *     tls: { certPem, fingerprint,
 *            key: { cipher: "aes-256-gcm", kdf: "hkdf-sha256", salt, iv, ciphertext, tag } } }
 *
 * Nothing here logs, and errors never contain key material or the passphrase.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { getAddress, hexToBytes, type Address, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount, privateKeyToAddress, type PrivateKeyAccount } from 'viem/accounts';
import { decryptKeystore, encryptKeystore, KeystoreError, parseKeystore, WeakKdfError, type KeystoreV3 } from '../crypto/keystore.js';
import { assertPartyId, createIdentity, fingerprintOfCert, loadIdentity, type Identity, type KeyType } from '../net/identity.js';
import { NodeKeystoreError, WrongPassphraseError } from './errors.js';
import { nodePaths } from './paths.js';
import { assertPrivateFile, ensurePrivateDir, writeSecretFile } from './secret-file.js';

export const NODE_KEYSTORE_VERSION = 1;
const TLS_INFO = 'tacit/node-keystore/v1/tls-key';

export interface EncryptedTlsKey {
  cipher: 'aes-256-gcm';
  kdf: 'hkdf-sha256';
  salt: string;
  iv: string;
  ciphertext: string;
  tag: string;
}

export interface NodeKeystoreFile {
  version: typeof NODE_KEYSTORE_VERSION;
  partyId: string;
  address: Address;
  createdAt: string;
  chainKey: KeystoreV3;
  tls: { certPem: string; fingerprint: string; key: EncryptedTlsKey };
}

/** What anyone may know about a node's keys (no passphrase needed). */
export interface NodePublicKeys {
  partyId: string;
  address: Address;
  /** Hex SHA-256 of the TLS SubjectPublicKeyInfo (what peers pin; `0x` + this goes on-chain). */
  fingerprint: string;
  certPem: string;
}

export interface NodeKeys {
  /** The chain account (signs locally; the private key stays inside viem's account). */
  account: PrivateKeyAccount;
  address: Address;
  /** The TLS identity for the peer port (private key non-enumerable). */
  tls: Identity;
}

export interface InitNodeKeysOptions {
  /** scrypt cost of the chain keystore (default N = 2^18, r = 8, p = 1; tests use less). */
  scrypt?: { n?: number; r?: number; p?: number };
  keyType?: KeyType;
}

/**
 * Creates the node's chain key and TLS identity and writes them encrypted to
 * `<dir>/keystore.json` (created 0600; the directory 0700). Refuses to overwrite.
 */
export async function initNodeKeys(dir: string, passphrase: string, partyId: string, options: InitNodeKeysOptions = {}): Promise<NodePublicKeys> {
  assertPartyId(partyId, 'node name');
  if (typeof passphrase !== 'string' || passphrase.length === 0) throw new NodeKeystoreError('the passphrase is empty');
  const paths = nodePaths(dir);
  ensurePrivateDir(paths.dir);
  const privateKey = generatePrivateKey();
  const address = privateKeyToAddress(privateKey);
  const tls = createIdentity(partyId, { keyType: options.keyType });
  const chainKey = await encryptKeystore(privateKey, passphrase, { kdf: 'scrypt', ...options.scrypt });
  const file: NodeKeystoreFile = {
    version: NODE_KEYSTORE_VERSION,
    partyId,
    address,
    createdAt: new Date().toISOString(),
    chainKey,
    tls: { certPem: tls.certPem, fingerprint: tls.fingerprint, key: sealTlsKey(privateKey, tls.keyPem, aad(partyId, address, tls.fingerprint)) },
  };
  writeSecretFile(paths.keystore, `${JSON.stringify(file, null, 2)}\n`);
  return { partyId, address, fingerprint: tls.fingerprint, certPem: tls.certPem };
}

/** Decrypts the node's keys. Wrong passphrase → WrongPassphraseError; tampering → NodeKeystoreError. */
export async function unlockNodeKeys(dir: string, passphrase: string): Promise<NodeKeys> {
  const file = readKeystoreFile(dir);
  let privateKey: Hex;
  try {
    privateKey = await decryptKeystore(file.chainKey, passphrase);
  } catch (err) {
    if (err instanceof WeakKdfError) throw err; // says what is wrong and what to do
    if (err instanceof KeystoreError && err.shortMessage.startsWith('wrong passphrase')) {
      throw new WrongPassphraseError('wrong passphrase for the node keystore', {
        hint: 'check TACIT_PASSPHRASE (or what you typed); it is the passphrase given to `tacit node init`',
      });
    }
    throw new NodeKeystoreError('cannot decrypt the node keystore', { cause: err });
  }
  if (privateKeyToAddress(privateKey) !== file.address) {
    throw new NodeKeystoreError('the node keystore is inconsistent: its chain key does not belong to its address', {
      hint: 'the file was edited or corrupted; restore keystore.json from a backup',
    });
  }
  const keyPem = openTlsKey(privateKey, file.tls.key, aad(file.partyId, file.address, file.tls.fingerprint));
  let tls: Identity;
  try {
    tls = loadIdentity(file.partyId, keyPem, file.tls.certPem);
  } catch (cause) {
    throw new NodeKeystoreError('the node keystore is inconsistent: its TLS key does not match its certificate', { cause });
  }
  if (tls.fingerprint !== file.tls.fingerprint) throw new NodeKeystoreError('the node keystore is inconsistent: the TLS fingerprint does not match');
  // The hex key and PEM are JavaScript strings, which V8 may copy and cannot be wiped; byte
  // buffers derived from them are zeroed where we own them (see sealTlsKey/openTlsKey).
  return { account: privateKeyToAccount(privateKey), address: file.address, tls };
}

/** The public half of the keystore: party id, address, TLS fingerprint and certificate. */
export function readNodePublicKeys(dir: string): NodePublicKeys {
  const f = readKeystoreFile(dir);
  return { partyId: f.partyId, address: f.address, fingerprint: f.tls.fingerprint, certPem: f.tls.certPem };
}

/** True when `<dir>/keystore.json` exists. */
export function hasNodeKeys(dir: string): boolean {
  try {
    statSync(nodePaths(dir).keystore);
    return true;
  } catch {
    return false;
  }
}

function readKeystoreFile(dir: string): NodeKeystoreFile {
  const path = nodePaths(dir).keystore;
  let text: string;
  try {
    assertPrivateFile(path);
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new NodeKeystoreError(`no node keystore at ${path}`, { hint: 'create the node with `tacit node init --dir DIR --name NAME`', cause });
    }
    throw cause;
  }
  const bad = (why: string): never => {
    throw new NodeKeystoreError(`${path} is not a Tacit node keystore: ${why}`, { hint: 'restore keystore.json from a backup' });
  };
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return bad('not valid JSON');
  }
  const o = v as Record<string, unknown>;
  if (typeof o !== 'object' || o === null) bad('not a JSON object');
  if (o.version !== NODE_KEYSTORE_VERSION) bad(`unsupported version ${String(o.version)}`);
  if (typeof o.partyId !== 'string') bad('partyId missing');
  if (typeof o.address !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(o.address)) bad('address missing');
  const tls = o.tls as Record<string, unknown> | undefined;
  if (typeof tls !== 'object' || tls === null || typeof tls.certPem !== 'string' || typeof tls.fingerprint !== 'string') bad('tls section missing');
  const k = tls!.key as Record<string, unknown> | undefined;
  if (typeof k !== 'object' || k === null || k.cipher !== 'aes-256-gcm' || k.kdf !== 'hkdf-sha256') bad('tls.key must be aes-256-gcm with hkdf-sha256');
  for (const f of ['salt', 'iv', 'ciphertext', 'tag'] as const) if (typeof k![f] !== 'string' || !/^[0-9a-f]+$/.test(k![f] as string)) bad(`tls.key.${f} must be hex`);
  let chainKey: KeystoreV3;
  try {
    chainKey = parseKeystore(o.chainKey);
  } catch {
    return bad('chainKey is not a Web3 v3 keystore');
  }
  const certPem = tls!.certPem as string;
  let fingerprint: string;
  try {
    fingerprint = fingerprintOfCert(certPem);
  } catch {
    return bad('tls.certPem is not a certificate');
  }
  if (fingerprint !== tls!.fingerprint) bad('tls.fingerprint does not match tls.certPem');
  return {
    version: NODE_KEYSTORE_VERSION,
    partyId: o.partyId as string,
    address: getAddress(o.address as string),
    createdAt: String(o.createdAt ?? ''),
    chainKey,
    tls: { certPem, fingerprint, key: k as unknown as EncryptedTlsKey },
  };
}

function aad(partyId: string, address: Address, fingerprint: string): Buffer {
  return Buffer.from(`${TLS_INFO}|${partyId}|${address.toLowerCase()}|${fingerprint}`, 'utf8');
}

function wrappingKey(chainPrivateKey: Hex, salt: Uint8Array): Buffer {
  const ikm = hexToBytes(chainPrivateKey);
  const key = Buffer.from(hkdfSync('sha256', ikm, salt, TLS_INFO, 32));
  ikm.fill(0);
  return key;
}

function sealTlsKey(chainPrivateKey: Hex, keyPem: string, ad: Buffer): EncryptedTlsKey {
  const salt = randomBytes(32);
  const iv = randomBytes(12);
  const key = wrappingKey(chainPrivateKey, salt);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(ad);
  const plain = Buffer.from(keyPem, 'utf8');
  const ciphertext = Buffer.concat([cipher.update(plain), cipher.final()]);
  plain.fill(0);
  key.fill(0);
  return { cipher: 'aes-256-gcm', kdf: 'hkdf-sha256', salt: salt.toString('hex'), iv: iv.toString('hex'), ciphertext: ciphertext.toString('hex'), tag: cipher.getAuthTag().toString('hex') };
}

function openTlsKey(chainPrivateKey: Hex, sealed: EncryptedTlsKey, ad: Buffer): string {
  const key = wrappingKey(chainPrivateKey, Buffer.from(sealed.salt, 'hex'));
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'hex'));
    decipher.setAAD(ad);
    decipher.setAuthTag(Buffer.from(sealed.tag, 'hex'));
    const plain = Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'hex')), decipher.final()]);
    const pem = plain.toString('utf8');
    plain.fill(0);
    return pem;
  } catch (cause) {
    throw new NodeKeystoreError('the TLS key in the node keystore does not authenticate', {
      hint: 'keystore.json was edited or corrupted (or mixed with another node\'s); restore it from a backup',
      cause,
    });
  } finally {
    key.fill(0);
  }
}
