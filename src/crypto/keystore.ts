/**
 * Ethereum Web3 Secret Storage v3 ("keystore") files, so a node operator can keep the chain
 * key encrypted at rest in the format geth, Foundry (`cast wallet`), ethers and MetaMask
 * already read and write: a KDF (scrypt, or PBKDF2-HMAC-SHA256) turns the passphrase into a
 * 32-byte key; its first 16 bytes AES-128-CTR-encrypt the private key; keccak-256 of the
 * key's second 16 bytes followed by the ciphertext is the MAC, checked in constant time
 * before anything is decrypted. KDFs are @noble/hashes; AES is node:crypto.
 *
 * Errors never contain the passphrase or key material.
 */
import { createCipheriv, createDecipheriv, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { pbkdf2Async } from '@noble/hashes/pbkdf2.js';
import { scryptAsync } from '@noble/hashes/scrypt.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex, hexToBytes, type Hex } from 'viem';
import { privateKeyToAddress } from 'viem/accounts';
import { TacitError } from '../errors.js';

export class KeystoreError extends TacitError {
  override name = 'KeystoreError';
}

export interface ScryptParams {
  dklen: number;
  n: number;
  r: number;
  p: number;
  salt: string;
}

export interface Pbkdf2Params {
  dklen: number;
  c: number;
  prf: 'hmac-sha256';
  salt: string;
}

export interface KeystoreV3 {
  version: 3;
  id: string;
  /** Lower-case hex address without 0x (informational; not trusted when decrypting). */
  address?: string;
  crypto: {
    cipher: 'aes-128-ctr';
    cipherparams: { iv: string };
    ciphertext: string;
    kdf: 'scrypt' | 'pbkdf2';
    kdfparams: ScryptParams | Pbkdf2Params;
    mac: string;
  };
}

export interface EncryptOptions {
  kdf?: 'scrypt' | 'pbkdf2';
  /** scrypt cost (default 262144 = 2^18, geth's "standard"). */
  n?: number;
  r?: number;
  p?: number;
  /** PBKDF2 iterations (default 262144). */
  c?: number;
  /** Fixed salt/iv/id, for test vectors only. */
  salt?: Uint8Array;
  iv?: Uint8Array;
  id?: string;
}

const enc = new TextEncoder();

/** Encrypts a 32-byte private key into a v3 keystore object. */
export async function encryptKeystore(privateKey: Uint8Array | Hex, passphrase: string, options: EncryptOptions = {}): Promise<KeystoreV3> {
  const key = typeof privateKey === 'string' ? hexToBytes(privateKey) : privateKey;
  if (key.length !== 32) throw new KeystoreError('a private key must be 32 bytes');
  const salt = options.salt ?? randomBytes(32);
  const iv = options.iv ?? randomBytes(16);
  const kdf = options.kdf ?? 'scrypt';
  const kdfparams: ScryptParams | Pbkdf2Params =
    kdf === 'scrypt'
      ? { dklen: 32, n: options.n ?? 262144, r: options.r ?? 8, p: options.p ?? 1, salt: hex(salt) }
      : { dklen: 32, c: options.c ?? 262144, prf: 'hmac-sha256', salt: hex(salt) };
  const derived = await deriveKey(kdf, kdfparams, passphrase);
  const cipher = createCipheriv('aes-128-ctr', derived.subarray(0, 16), iv);
  const ciphertext = Buffer.concat([cipher.update(key), cipher.final()]);
  const mac = keccak_256(Buffer.concat([derived.subarray(16, 32), ciphertext]));
  derived.fill(0);
  return {
    version: 3,
    id: options.id ?? randomUUID(),
    address: privateKeyToAddress(bytesToHex(key)).slice(2).toLowerCase(),
    crypto: {
      cipher: 'aes-128-ctr',
      cipherparams: { iv: hex(iv) },
      ciphertext: hex(ciphertext),
      kdf,
      kdfparams,
      mac: hex(mac),
    },
  };
}

/** Decrypts a v3 keystore (object or JSON text) and returns the private key as 0x hex. */
export async function decryptKeystore(keystore: unknown, passphrase: string): Promise<Hex> {
  const ks = parseKeystore(keystore);
  const c = ks.crypto;
  const derived = await deriveKey(c.kdf, c.kdfparams, passphrase);
  const ciphertext = unhex(c.ciphertext, 'crypto.ciphertext');
  const mac = keccak_256(Buffer.concat([derived.subarray(16, 32), ciphertext]));
  const expected = unhex(c.mac, 'crypto.mac');
  if (expected.length !== mac.length || !timingSafeEqual(Buffer.from(mac), expected)) {
    derived.fill(0);
    throw new KeystoreError('wrong passphrase for this keystore (MAC mismatch)', {
      hint: 'check TACIT_KEYSTORE_PASSPHRASE; the file may also be corrupt',
    });
  }
  const iv = unhex(c.cipherparams.iv, 'crypto.cipherparams.iv');
  const decipher = createDecipheriv('aes-128-ctr', derived.subarray(0, 16), iv);
  const key = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  derived.fill(0);
  if (key.length !== 32) throw new KeystoreError('the keystore does not hold a 32-byte private key');
  const out = bytesToHex(key);
  key.fill(0);
  return out;
}

/** Validates the shape of a keystore (accepting geth's legacy capitalised `Crypto`). */
export function parseKeystore(value: unknown): KeystoreV3 {
  let v = value;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      throw new KeystoreError('the keystore is not valid JSON');
    }
  }
  const bad = (what: string): never => {
    throw new KeystoreError(`not a Web3 Secret Storage v3 keystore: ${what}`);
  };
  if (typeof v !== 'object' || v === null) bad('not a JSON object');
  const o = v as Record<string, unknown>;
  if (o.version !== 3) bad('version is not 3');
  const crypto = (o.crypto ?? o.Crypto) as Record<string, unknown> | undefined;
  if (typeof crypto !== 'object' || crypto === null) bad('crypto section missing');
  const c = crypto as Record<string, unknown>;
  if (c.cipher !== 'aes-128-ctr') bad(`unsupported cipher ${String(c.cipher)}`);
  if (c.kdf !== 'scrypt' && c.kdf !== 'pbkdf2') bad(`unsupported kdf ${String(c.kdf)}`);
  const params = c.kdfparams as Record<string, unknown> | undefined;
  if (typeof params !== 'object' || params === null) bad('kdfparams missing');
  const p = params as Record<string, unknown>;
  const int = (x: unknown) => Number.isSafeInteger(x) && (x as number) > 0;
  if (p.dklen !== 32) bad('kdfparams.dklen must be 32');
  if (typeof p.salt !== 'string') bad('kdfparams.salt missing');
  if (c.kdf === 'scrypt' && !(int(p.n) && int(p.r) && int(p.p))) bad('scrypt n/r/p must be positive integers');
  if (c.kdf === 'pbkdf2' && !(int(p.c) && p.prf === 'hmac-sha256')) bad('pbkdf2 needs c and prf hmac-sha256');
  const cp = c.cipherparams as Record<string, unknown> | undefined;
  if (typeof cp?.iv !== 'string' || typeof c.ciphertext !== 'string' || typeof c.mac !== 'string') {
    bad('iv, ciphertext or mac missing');
  }
  return {
    version: 3,
    id: typeof o.id === 'string' ? o.id : '',
    ...(typeof o.address === 'string' ? { address: o.address } : {}),
    crypto: c as KeystoreV3['crypto'],
  };
}

async function deriveKey(kdf: 'scrypt' | 'pbkdf2', params: ScryptParams | Pbkdf2Params, passphrase: string): Promise<Buffer> {
  const salt = unhex(params.salt, 'kdfparams.salt');
  const pw = enc.encode(passphrase);
  let out: Uint8Array;
  if (kdf === 'scrypt') {
    const s = params as ScryptParams;
    if ((s.n & (s.n - 1)) !== 0 || s.n < 2) throw new KeystoreError('scrypt n must be a power of two');
    out = await scryptAsync(pw, salt, { N: s.n, r: s.r, p: s.p, dkLen: s.dklen, maxmem: 2 * 1024 ** 3 });
  } else {
    const s = params as Pbkdf2Params;
    out = await pbkdf2Async(sha256, pw, salt, { c: s.c, dkLen: s.dklen });
  }
  return Buffer.from(out);
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

function unhex(s: string, field: string): Buffer {
  const t = s.startsWith('0x') ? s.slice(2) : s;
  if (!/^([0-9a-fA-F]{2})*$/.test(t)) throw new KeystoreError(`keystore field ${field} is not hex`);
  return Buffer.from(t, 'hex');
}
