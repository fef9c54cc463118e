/**
 * A node's private inputs for the key ceremonies (`key-dkg`, `key-sign`, `key-refresh`,
 * `key-reshare`): the directory of its own encrypted share store (`<dataDir>/keys`), the
 * passphrase the daemon already holds (the one that unlocked its node keys), and its cap on
 * the per-round wait, so that a member that goes silent is named within seconds and the
 * session aborts well before the task's deadline. Kept apart from local-inputs.ts (datasets
 * and models) because nothing here comes from the task or the store: only from the node.
 *
 * The passphrase reaches the program's context and nothing else: never a log line, a task
 * record, a chain transaction or a result.
 */
import { join } from 'node:path';
import { resolveGuards, type GuardOverrides } from '../../algorithms/admission.js';
import { KEY_GUARDS } from '../../algorithms/programs/key-admit.js';
import { kdfFloor } from '../../crypto/keystore.js';

/** Where a node keeps its shares, and how it unlocks them. */
export interface NodeKeyStore {
  dir: string;
  passphrase: string;
}

/** The node's share-store directory inside its data directory. */
export const nodeKeyDir = (dataDir: string): string => join(dataDir, 'keys');

export const isKeyProgram = (program: string): boolean => program.startsWith('key-');

/** `local` for a key program at this node, or `{}` for any other program (or a node without a key store). */
export function keyInputs(program: string, keys: NodeKeyStore | undefined, guards: GuardOverrides | undefined): Record<string, unknown> {
  if (!isKeyProgram(program) || !keys) return {};
  const g = resolveGuards(KEY_GUARDS, guards);
  // A throw-away node (the test-only escape TACIT_SCRYPT_N, as for its own keystore) seals its
  // shares at that cost too; a real node uses the keystore default (scrypt N = 2^18).
  const floor = kdfFloor();
  const scryptN = process.env['TACIT_SCRYPT_N'] ? floor.scryptN : undefined;
  return { keyDir: keys.dir, passphrase: keys.passphrase, roundTimeoutMs: g.roundTimeoutMs, ...(scryptN ? { scryptN } : {}) };
}
