/**
 * Ethereum Web3 Secret Storage v3 ("keystore") files, so a node operator can keep the chain
 * key encrypted at rest in the format geth, Foundry (`cast wallet`), ethers and MetaMask
 * already read and write: a KDF (scrypt, or PBKDF2-HMAC-SHA256) turns the passphrase into a
 * 32-byte key; its first 16 bytes AES-128-CTR-encrypt the private key; keccak-256 of the
 * key's second 16 bytes followed by the ciphertext is the MAC, checked in constant time
 * before anything is decrypted. KDFs are @noble/hashes; AES is node:crypto.
 *
 * Cost floor. A keystore is only as strong as its KDF cost, and a file can come from
 * anywhere (another wallet, a backup, an attacker who swapped it), so both creating and
 * opening one refuse parameters below a floor, with a `WeakKdfError`:
 *   - scrypt (Percival, "Stronger key derivation via sequential memory-hard functions", 2009;
 *     RFC 7914): memory N·r ≥ 2^16 (128·N·r bytes = 8 MiB) and work N·r·p ≥ 655 360 — the
 *     OWASP Password Storage Cheat Sheet minimum (N = 2^17, r = 8, p = 1, or one of its
 *     trade-offs down to N = 2^13, r = 8, p = 10, whose work 2^13·8·10 is the least). geth's "standard" N = 2^18, r = 8, p = 1
 *     (our default) and the scrypt vector of the v3 definition (N = 2^18, r = 1, p = 8) pass;
 *     geth's "light" (N = 2^12, p = 6) and eth-keystore's N = 2^13, r = 8, p = 1 do not.
 *   - PBKDF2-HMAC-SHA256: c ≥ 2^18 (the v3 definition's vector and geth's old default).
 * A ceiling (scrypt memory ≤ 1 GiB, work ≤ 2^26; PBKDF2 c ≤ 2^24) keeps a hostile file
 * from stalling the node for minutes or exhausting its memory.
 *
 * The only way below the floor is the test-only escape `TACIT_SCRYPT_N` (a power of two
 * ≥ 1024) in the environment: throw-away nodes (the sandbox, the test runner) create their
 * keystores with N = TACIT_SCRYPT_N, and a process that has it set accepts scrypt N down to
 * that value (any r, p) and PBKDF2 c down to the same number. A production node never sets
 * it, so a weak keystore file is refused there whatever its origin.
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

/** The keystore's KDF parameters are below the cost floor (or above the ceiling). */
export class WeakKdfError extends KeystoreError {
  override name = 'WeakKdfError';
}

/** Least KDF cost accepted (see the header). */
export interface KdfFloor {
  /** scrypt: least N·r (memory is 128·N·r bytes). */
  scryptMemory: number;
  /** scrypt: least N·r·p. */
  scryptWork: number;
  /** scrypt: least N. */
  scryptN: number;
  /** PBKDF2-HMAC-SHA256: least iteration count. */
  pbkdf2C: number;
}

/** The production floor (OWASP's scrypt minimum; PBKDF2 at the v3 definition's 2^18). */
export const KDF_FLOOR: Readonly<KdfFloor> = Object.freeze({ scryptMemory: 2 ** 16, scryptWork: 655_360, scryptN: 2, pbkdf2C: 2 ** 18 });
/** Ceiling on what a file may ask for: 1 GiB of scrypt memory, 2^26 work, 2^24 PBKDF2 iterations. */
const SCRYPT_MAX_MEMORY = 2 ** 23;
const SCRYPT_MAX_WORK = 2 ** 26;
const PBKDF2_MAX_C = 2 ** 24;

/**
 * The floor in force: `KDF_FLOOR`, or — only when the test-only escape `TACIT_SCRYPT_N` is
 * set (throw-away nodes and the test runner) — N ≥ TACIT_SCRYPT_N with any r and p.
 */
export function kdfFloor(env: NodeJS.ProcessEnv = process.env): Readonly<KdfFloor> {
  const raw = env.TACIT_SCRYPT_N;
  if (raw === undefined || raw === '') return KDF_FLOOR;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1024 || !Number.isInteger(Math.log2(n))) {
    throw new WeakKdfError(`TACIT_SCRYPT_N must be a power of two ≥ 1024, got ${JSON.stringify(raw.slice(0, 20))}`, {
      hint: 'TACIT_SCRYPT_N is for throw-away test nodes only; unset it for a real node',
    });
  }
  return { scryptMemory: n, scryptWork: n, scryptN: n, pbkdf2C: Math.min(n, KDF_FLOOR.pbkdf2C) };
}

/** Throws `WeakKdfError` if `params` are below `floor` or above the ceiling. */
export function assertKdfCost(kdf: 'scrypt' | 'pbkdf2', params: ScryptParams | Pbkdf2Params, floor: Readonly<KdfFloor> = kdfFloor()): void {
  const hint = 'Re-encrypt the key with standard parameters (scrypt N = 2^18, r = 8, p = 1, as Tacit and `geth account import` write); TACIT_SCRYPT_N lowers the floor for throw-away test nodes only.';
  if (kdf === 'scrypt') {
    const { n, r, p } = params as ScryptParams;
    const what = `scrypt N = ${n}, r = ${r}, p = ${p}`;
    if (n < floor.scryptN || n * r < floor.scryptMemory || n * r * p < floor.scryptWork) {
      throw new WeakKdfError(`keystore KDF too weak: ${what} is below the floor (N·r ≥ ${floor.scryptMemory}, N·r·p ≥ ${floor.scryptWork})`, { hint });
    }
    if (n * r > SCRYPT_MAX_MEMORY || n * r * p > SCRYPT_MAX_WORK) {
      throw new WeakKdfError(`keystore KDF too costly: ${what} is above the ceiling (N·r ≤ ${SCRYPT_MAX_MEMORY}, N·r·p ≤ ${SCRYPT_MAX_WORK})`, {
        hint: 'A keystore this costly would stall the node; re-encrypt it with N = 2^18, r = 8, p = 1.',
      });
    }
  } else {
    const { c } = params as Pbkdf2Params;
    if (c < floor.pbkdf2C) throw new WeakKdfError(`keystore KDF too weak: PBKDF2 c = ${c} is below the floor (c ≥ ${floor.pbkdf2C})`, { hint });
    if (c > PBKDF2_MAX_C) throw new WeakKdfError(`keystore KDF too costly: PBKDF2 c = ${c} is above the ceiling (${PBKDF2_MAX_C})`, { hint });
  }
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
  /** Cost floor (default `kdfFloor()`: production floor unless TACIT_SCRYPT_N is set). */
  floor?: Readonly<KdfFloor>;
}

export interface DecryptOptions {
  /** Cost floor (default `kdfFloor()`). */
  floor?: Readonly<KdfFloor>;
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
  if (kdf === 'scrypt') checkScryptShape(kdfparams as ScryptParams);
  assertKdfCost(kdf, kdfparams, options.floor ?? kdfFloor());
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
export async function decryptKeystore(keystore: unknown, passphrase: string, options: DecryptOptions = {}): Promise<Hex> {
  const ks = parseKeystore(keystore);
  const c = ks.crypto;
  assertKdfCost(c.kdf, c.kdfparams, options.floor ?? kdfFloor());
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
    checkScryptShape(s);
    out = await scryptAsync(pw, salt, { N: s.n, r: s.r, p: s.p, dkLen: s.dklen, maxmem: 2 * 1024 ** 3 });
  } else {
    const s = params as Pbkdf2Params;
    out = await pbkdf2Async(sha256, pw, salt, { c: s.c, dkLen: s.dklen });
  }
  return Buffer.from(out);
}

function checkScryptShape(s: ScryptParams): void {
  const int = (x: unknown) => Number.isSafeInteger(x) && (x as number) > 0;
  if (!int(s.n) || !int(s.r) || !int(s.p)) throw new KeystoreError('scrypt n, r and p must be positive integers');
  if (s.n < 2 || !Number.isInteger(Math.log2(s.n))) throw new KeystoreError('scrypt n must be a power of two');
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

function unhex(s: string, field: string): Buffer {
  const t = s.startsWith('0x') ? s.slice(2) : s;
  if (!/^([0-9a-fA-F]{2})*$/.test(t)) throw new KeystoreError(`keystore field ${field} is not hex`);
  return Buffer.from(t, 'hex');
}
