/**
 * Where a member keeps its part of a threshold key: one JSON file per key in the member's
 * key directory. Format v2 (written now): the signing share sealed with AES-256-GCM under the
 * directory's key-encryption key, which the passphrase KDF (scrypt) yields once per process
 * (share-kek.ts); format v1 (still read, and kept as it is when such a file is rewritten):
 * the share as a Web3 Secret Storage v3 keystore (src/crypto/keystore.ts), one scrypt run per
 * unlock. Preprocessed signing nonces are sealed one by one with AES-256-GCM under a key
 * derived (HKDF-SHA256) from the share, so they need no second KDF run and vanish with the
 * share.
 *
 * The nonce store's rule: a nonce pair is used at most once. Its use is recorded on disk
 * before anything derived from it (a signature share) leaves the process, so a crash or a
 * repeated request can never make it sign twice; a signature that then fails costs that
 * nonce, never reuses it. The record is one line `<epoch>:<index>` appended to
 * `<keyId>.used` (a small append on the signature's critical path instead of rewriting the
 * whole share file); every read of the share file drops the nonces the journal names for its
 * epoch, and every full rewrite (a commit round's new batch) leaves them out. The journal
 * itself is append-only for the epoch — never folded into the file and removed — because
 * two processes signing with the same key at once would otherwise race: one rewriting the
 * file from a read taken before the other's append, then deleting the journal, would bring
 * the other's used nonce back. It grows by one short line per signature and is dropped when
 * a refresh or reshare makes a new epoch current (its lines name the old epoch only). A
 * commit round's fresh batch is written before its commitments are sent. Indices only grow
 * (a new batch starts past the largest index this member ever published).
 *
 * A ceremony that changes the share (refresh, reshare) first writes `<keyId>.pending.json`,
 * then — only after every new holder acknowledged — renames it over the current file
 * (atomic on POSIX), which deletes the old share. Files are written 0600 via a temp file
 * and rename. Erasure is best effort: the old bytes may survive on the disk below.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decryptKeystore, type KeystoreV3 } from '../crypto/keystore.js';
import { KeyUsageError } from './errors.js';
import { deriveKek, directoryKekParams, openShareWithKek, persistKekParams, sealShareWithKek, type SealedShare } from './share-kek.js';
import type { GroupKeyInfo } from './group-key.js';
import type { CommitmentPair } from './signing.js';
import { fromHex, toHex } from './suite.js';

export interface ShareFile {
  /** 2: `share` sealed under the directory's KEK; 1: `share` a v3 keystore (read only). */
  version: 1 | 2;
  self: string;
  key: GroupKeyInfo;
  /** The signing share, encrypted. */
  share: SealedShare | KeystoreV3;
  /** This member's unused preprocessed nonces: index → sealed [hiding, binding]. */
  nonces: Record<string, string>;
  /** Next index this member will use; public. */
  nextNonce: number;
  /** Public nonce commitments of every member (self included) that this member holds: member → index → pair. */
  commitments: Record<string, Record<string, CommitmentPair>>;
}

export interface UnlockedShare {
  file: ShareFile;
  share: Uint8Array<ArrayBuffer>;
}

export interface StoreOptions {
  dir: string;
  passphrase: string;
  /** scrypt cost of the directory's key-encryption key when this creates it (default 2^18; tests and sandboxes lower it). */
  scryptN?: number;
}

const fileOf = (dir: string, keyId: string, pending = false) => join(dir, `${keyId}${pending ? '.pending' : ''}.json`);
const journalOf = (dir: string, keyId: string) => join(dir, `${keyId}.used`);

function writeAtomic(path: string, value: unknown): void {
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, JSON.stringify(value, null, 1) + '\n', { mode: 0o600 });
  renameSync(tmp, path);
}

function nonceKey(share: Uint8Array, info: GroupKeyInfo): Buffer {
  return Buffer.from(hkdfSync('sha256', share, Buffer.from(info.keyId, 'hex'), `tacit/keys/nonce-store/v1/${info.epoch}`, 32));
}

export function sealNonce(share: Uint8Array, info: GroupKeyInfo, index: number, pair: [string, string]): string {
  return nonceSealer(share, info)(index, pair);
}

/** `sealNonce` for a whole batch: the nonce key is derived once. */
export function nonceSealer(share: Uint8Array, info: GroupKeyInfo): (index: number, pair: [string, string]) => string {
  const key = nonceKey(share, info);
  return (index, pair) => {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', key, iv);
    c.setAAD(Buffer.from(String(index)));
    const body = Buffer.concat([c.update(Buffer.from(pair[0] + pair[1], 'hex')), c.final()]);
    return Buffer.concat([iv, c.getAuthTag(), body]).toString('base64');
  };
}

export function openNonce(share: Uint8Array, info: GroupKeyInfo, index: number, sealed: string): [string, string] {
  const raw = Buffer.from(sealed, 'base64');
  const d = createDecipheriv('aes-256-gcm', nonceKey(share, info), raw.subarray(0, 12));
  d.setAAD(Buffer.from(String(index)));
  d.setAuthTag(raw.subarray(12, 28));
  const plain = Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('hex');
  return [plain.slice(0, 64), plain.slice(64)];
}

/** Seals a share for the record of `info` held by `self` (format v2). */
export async function sealShare(share: Uint8Array, info: GroupKeyInfo, self: string, o: StoreOptions): Promise<SealedShare> {
  return sealShareWithKek(share, { keyId: info.keyId, epoch: info.epoch, self }, directoryKekParams(o.dir, o.scryptN), o.passphrase);
}

/**
 * Starts deriving the directory's KEK (scrypt, off the event loop) so that it is ready when a
 * ceremony stores its share; a no-op once this process holds it.
 */
export function warmKek(o: StoreOptions): void {
  try {
    void deriveKek(directoryKekParams(o.dir, o.scryptN), o.passphrase).catch(() => {});
  } catch {
    // a bad directory or weak parameters surface, with their message, when the share is stored
  }
}

export function writeShareFile(dir: string, file: ShareFile, pending = false): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeAtomic(fileOf(dir, file.key.keyId, pending), file);
  if (file.version === 2) persistKekParams(dir, (file.share as SealedShare).kek);
}

/**
 * Records that this member's nonce `index` of the current epoch is used, and drops it from
 * `file`: one appended line, written before this returns — so before anything derived from
 * the nonce can leave the process (the nonce store's rule). Synchronous on purpose: a
 * ten-byte append costs a few microseconds in the kernel, less than a trip through the
 * thread pool and back, and on a signature's critical path that trip cost more than the
 * write.
 */
export function consumeNonce(dir: string, file: ShareFile, index: number): void {
  appendFileSync(journalOf(dir, file.key.keyId), `${file.key.epoch}:${index}\n`, { mode: 0o600 });
  delete file.nonces[String(index)];
}

/** Drops the nonces the used-nonce journal names for the file's epoch. */
function dropUsed(dir: string, file: ShareFile): ShareFile {
  const journal = journalOf(dir, file.key?.keyId ?? '');
  if (!file.nonces || !existsSync(journal)) return file;
  for (const line of readFileSync(journal, 'utf8').split('\n')) {
    const [epoch, index] = line.split(':');
    if (Number(epoch) === file.key.epoch && index !== undefined) delete file.nonces[index];
  }
  return file;
}

/**
 * Share files this process parsed, by path, with the identity of the file they were parsed
 * from (inode, size, modification time in ns — every write replaces the file by rename, so a
 * new version is a new inode). A signer reads its file on every signature, and at 14-of-20 its
 * ~60 KB of public nonce commitments cost more to parse than the signature's arithmetic. Each
 * read still hands out its own copy of the parts callers change (`nonces`, `commitments`),
 * and the used-nonce journal is consulted on every read as before.
 */
const parsedFiles = new Map<string, { stamp: string; file: ShareFile }>();

function parseShareFile(path: string): ShareFile {
  const st = statSync(path, { bigint: true });
  const stamp = `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
  let hit = parsedFiles.get(path);
  if (!hit || hit.stamp !== stamp) {
    hit = { stamp, file: JSON.parse(readFileSync(path, 'utf8')) as ShareFile };
    if (parsedFiles.size >= 64) parsedFiles.delete(parsedFiles.keys().next().value!);
    parsedFiles.set(path, hit);
  }
  const f = hit.file;
  return typeof f === 'object' && f !== null && f.nonces && f.commitments ? { ...f, nonces: { ...f.nonces }, commitments: { ...f.commitments } } : structuredClone(f);
}

export function readShareFile(dir: string, keyId: string, pending = false): ShareFile {
  const path = fileOf(dir, keyId, pending);
  if (!existsSync(path)) {
    throw new KeyUsageError(`no ${pending ? 'pending ' : ''}share of key ${keyId.slice(0, 16)}… in ${dir}`, { hint: 'Check --key and the member\'s key directory; `tacit key list` shows what is there.' });
  }
  const file = parseShareFile(path);
  return pending ? file : dropUsed(dir, file);
}

export async function unlockShare(dir: string, keyId: string, passphrase: string): Promise<UnlockedShare> {
  const file = readShareFile(dir, keyId);
  const share =
    file.version === 2
      ? await openShareWithKek(file.share as SealedShare, { keyId: file.key.keyId, epoch: file.key.epoch, self: file.self }, passphrase)
      : fromHex((await decryptKeystore(file.share, passphrase)).slice(2));
  return { file, share };
}

/** Makes the pending file current, deleting the old share (after every new holder acknowledged). */
export function promotePending(dir: string, keyId: string): void {
  renameSync(fileOf(dir, keyId, true), fileOf(dir, keyId));
  rmSync(journalOf(dir, keyId), { force: true }); // named the old epoch's nonces only
}

export function dropPending(dir: string, keyId: string): void {
  rmSync(fileOf(dir, keyId, true), { force: true });
}

/** Deletes this member's share of a key (a member that left after resharing). */
export function deleteShare(dir: string, keyId: string): void {
  const path = fileOf(dir, keyId);
  if (existsSync(path)) {
    writeFileSync(path, '{}\n');
    rmSync(path);
  }
  rmSync(journalOf(dir, keyId), { force: true });
}

export function listShareFiles(dir: string): ShareFile[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /^[0-9a-f]{64}\.json$/.test(f))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as ShareFile)
    .filter((f) => f.version === 1 || f.version === 2)
    .map((f) => dropUsed(dir, f));
}

export const shareHex = (share: Uint8Array): string => toHex(share);
