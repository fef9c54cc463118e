/**
 * The key-encryption key (KEK) of a member's key directory, and the sealing of signing shares
 * under it (share file format v2).
 *
 * Why: a v1 share file was a Web3 v3 keystore, so every unlock — every signature — and every
 * new share ran the passphrase KDF (scrypt at N = 2^18 is ~0.5–1 s of CPU). Here the passphrase
 * KDF runs once per process and directory: scrypt (RFC 7914, node:crypto's OpenSSL
 * implementation, on the libuv thread pool so the event loop keeps serving the mesh) turns the
 * passphrase and the directory's salt into a 32-byte KEK, held in memory for the life of the
 * process; each share is then sealed with AES-256-GCM (NIST SP 800-38D) under the KEK with a
 * fresh 96-bit IV, the associated data binding it to its key id, epoch and holder, so a sealed
 * share cannot be swapped into another record unnoticed.
 *
 * The directory's KDF parameters live in `<dir>/kek.json` ({ version 1, kdf "scrypt", n, r, p,
 * dklen 32, salt }), written once (exclusive create) by the first process that seals a share
 * there; each sealed share also carries the parameters it was made with, so a share file stays
 * readable on its own. The cost floor of the node keystore applies to both (src/crypto/
 * keystore.ts `assertKdfCost`: OWASP's scrypt minimum, or the test-only TACIT_SCRYPT_N escape).
 * A wrong passphrase fails the GCM tag check and is reported as such; errors never contain the
 * passphrase, the KEK or a share.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes, scrypt } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertKdfCost, kdfFloor, KeystoreError, type KdfFloor, type ScryptParams } from '../crypto/keystore.js';

export interface KekParams extends ScryptParams {
  kdf: 'scrypt';
}

/** A share sealed under the directory's KEK (share file v2). */
export interface SealedShare {
  cipher: 'aes-256-gcm';
  kek: KekParams;
  /** 12-byte IV, 32-byte ciphertext, 16-byte tag; hex. */
  iv: string;
  ciphertext: string;
  tag: string;
}

/** What a sealed share is bound to (GCM associated data). */
export interface ShareBinding {
  keyId: string;
  epoch: number;
  self: string;
}

const KEK_FILE = 'kek.json';
const DEFAULT_N = 2 ** 18;
/** KEKs derived in this process: sha256(params ‖ passphrase) → KEK. */
const keks = new Map<string, Promise<Buffer>>();

const aad = (b: ShareBinding) => Buffer.from(`tacit/keys/share/v2\0${b.keyId}\0${b.epoch}\0${b.self}`);

function checkParams(p: unknown, floor: KdfFloor = kdfFloor()): KekParams {
  const q = p as Partial<KekParams> | null;
  const int = (x: unknown) => Number.isSafeInteger(x) && (x as number) > 0;
  if (!q || q.kdf !== 'scrypt' || !int(q.n) || !int(q.r) || !int(q.p) || q.dklen !== 32 || typeof q.salt !== 'string' || !/^[0-9a-f]{32,128}$/.test(q.salt)) {
    throw new KeystoreError('malformed key-encryption parameters (kek.json or a share file)', { hint: 'The key directory may be corrupt; restore it from a backup.' });
  }
  if (!Number.isInteger(Math.log2(q.n!))) throw new KeystoreError('scrypt n must be a power of two');
  assertKdfCost('scrypt', q as KekParams, floor);
  return { kdf: 'scrypt', n: q.n!, r: q.r!, p: q.p!, dklen: 32, salt: q.salt! };
}

/** Parameters this process chose for a directory that has none yet (written when a share is first sealed). */
const proposed = new Map<string, KekParams>();

/**
 * The directory's KEK parameters. A directory without them gets fresh ones (`scryptN` or
 * 2^18, r = 8, p = 1, a random salt), kept in memory until `persistKekParams` writes them
 * with the first share file, so a ceremony that aborts leaves the directory as it was.
 */
export function directoryKekParams(dir: string, scryptN?: number): KekParams {
  const path = join(dir, KEK_FILE);
  if (!existsSync(path)) {
    let fresh = proposed.get(path);
    if (!fresh) {
      fresh = checkParams({ kdf: 'scrypt', n: scryptN ?? DEFAULT_N, r: 8, p: 1, dklen: 32, salt: randomBytes(32).toString('hex') });
      proposed.set(path, fresh);
    }
    return fresh;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new KeystoreError(`${path} is not valid JSON`, { hint: 'Restore the key directory from a backup; the share files carry their own KDF parameters.' });
  }
  return checkParams(raw);
}

/** Writes the parameters a share was sealed with as the directory's, unless it has some (exclusive create: the first process wins; every share file carries its own anyway). */
export function persistKekParams(dir: string, params: KekParams): void {
  const path = join(dir, KEK_FILE);
  if (existsSync(path)) return;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    writeFileSync(path, JSON.stringify({ version: 1, ...params }, null, 1) + '\n', { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  proposed.delete(path);
}

/** The KEK for these parameters and passphrase: scrypt once per process, then from memory. */
export function deriveKek(params: KekParams, passphrase: string, floor?: KdfFloor): Promise<Buffer> {
  const p = checkParams(params, floor);
  const id = createHash('sha256').update(JSON.stringify([p.n, p.r, p.p, p.salt])).update('\0').update(passphrase).digest('hex');
  let kek = keks.get(id);
  if (!kek) {
    kek = new Promise<Buffer>((resolve, reject) => {
      scrypt(passphrase, Buffer.from(p.salt, 'hex'), 32, { N: p.n, r: p.r, p: p.p, maxmem: 256 * p.n * p.r + 2 ** 20 }, (err, key) => (err ? reject(err) : resolve(key)));
    });
    keks.set(id, kek);
    kek.catch(() => keks.delete(id));
  }
  return kek;
}

/** Forgets every KEK this process derived (tests; a node on lock). */
export function forgetKeks(): void {
  keks.clear();
}

export async function sealShareWithKek(share: Uint8Array, binding: ShareBinding, params: KekParams, passphrase: string): Promise<SealedShare> {
  const kek = await deriveKek(params, passphrase);
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', kek, iv);
  c.setAAD(aad(binding));
  const ciphertext = Buffer.concat([c.update(share), c.final()]);
  return { cipher: 'aes-256-gcm', kek: params, iv: iv.toString('hex'), ciphertext: ciphertext.toString('hex'), tag: c.getAuthTag().toString('hex') };
}

/** `floor`: the KDF floor to hold the file to (default: this process's, `kdfFloor()`). */
export async function openShareWithKek(sealed: SealedShare, binding: ShareBinding, passphrase: string, floor?: KdfFloor): Promise<Uint8Array<ArrayBuffer>> {
  if (!sealed || sealed.cipher !== 'aes-256-gcm' || !/^[0-9a-f]{24}$/.test(sealed.iv) || !/^[0-9a-f]{64}$/.test(sealed.ciphertext) || !/^[0-9a-f]{32}$/.test(sealed.tag)) {
    throw new KeystoreError('malformed sealed share', { hint: 'The share file is corrupt; restore it from a backup.' });
  }
  const kek = await deriveKek(sealed.kek, passphrase, floor);
  const d = createDecipheriv('aes-256-gcm', kek, Buffer.from(sealed.iv, 'hex'));
  d.setAAD(aad(binding));
  d.setAuthTag(Buffer.from(sealed.tag, 'hex'));
  let plain: Buffer;
  try {
    plain = Buffer.concat([d.update(Buffer.from(sealed.ciphertext, 'hex')), d.final()]);
  } catch {
    throw new KeystoreError('wrong passphrase for this key directory, or the share file was altered (GCM tag mismatch)', {
      hint: 'Check the member\'s passphrase; a share file copied into another record does not open either.',
    });
  }
  const out = new Uint8Array(32);
  out.set(plain);
  plain.fill(0);
  return out;
}
