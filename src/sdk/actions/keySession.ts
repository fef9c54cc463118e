/**
 * Shared by the key actions: runs one key ceremony with every member as its own process on
 * loopback TLS (`runLocalSession`, as `tacit run` does), each member with its own key
 * directory `<keyDir>/<member>` and the passphrase handed over its private stdin pipe. This
 * is the "all members on one machine" mode; on a network of nodes the same programs run as
 * tasks between the members' nodes.
 */
import { join } from 'node:path';
import type { ProgramResult } from '../../algorithms/program.js';
import { KeyUsageError } from '../../keys/errors.js';
import { readShareFile, type ShareFile } from '../../keys/share-store.js';
import { runLocalSession } from '../../node/local/cluster.js';

export interface KeyStoreParameters {
  /** Root directory; member m keeps its shares in `<keyDir>/<m>`. */
  keyDir: string;
  /** Passphrase of the members' key stores (≥ 8 characters). */
  passphrase: string;
  /** scrypt cost for new share files (default 2^18; sandboxes and tests lower it). */
  scryptN?: number;
  /** Longest wait for one member's message in one round (default 30 s). */
  roundTimeoutMs?: number;
}

export const memberDir = (keyDir: string, member: string): string => join(keyDir, member);

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function checkNames(names: readonly string[], what: string): void {
  for (const n of names) if (!NAME.test(n)) throw new KeyUsageError(`invalid ${what} name "${n}" (letters, digits, . _ -)`);
  if (new Set(names).size !== names.length) throw new KeyUsageError(`${what} names must be distinct`);
}

export async function runKeySession(program: string, params: Record<string, unknown>, parties: readonly string[], s: KeyStoreParameters): Promise<Map<string, ProgramResult>> {
  checkNames(parties, 'member');
  return runLocalSession({
    program,
    params: { ...params, ...(s.roundTimeoutMs ? { roundTimeoutMs: s.roundTimeoutMs } : {}) },
    parties: parties.map((id) => ({ id, roles: ['compute'], local: { keyDir: memberDir(s.keyDir, id), passphrase: s.passphrase, scryptN: s.scryptN } })),
    timeoutMs: 10 * 60_000,
  });
}

/** The public record of a key as one member holds it. */
export function memberRecord(keyDir: string, member: string, keyId: string): ShareFile {
  return readShareFile(memberDir(keyDir, member), keyId);
}

/** Resolves a key id prefix (≥ 8 hex digits) to the full id among a member's files. */
export function resolveKeyId(files: { key: { keyId: string } }[], prefix: string): string {
  const p = prefix.toLowerCase().replace(/^0x/, '');
  const hits = [...new Set(files.map((f) => f.key.keyId).filter((id) => id.startsWith(p)))];
  if (p.length < 8 || hits.length !== 1) throw new KeyUsageError(hits.length > 1 ? `key id prefix ${prefix} is ambiguous` : `no key ${prefix}`, { hint: '`tacit key list` shows the keys; give at least 8 hex digits.' });
  return hits[0]!;
}
