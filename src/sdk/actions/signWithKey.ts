/**
 * Signs a message with a threshold key: the named signers (≥ threshold) run FROST. Uses each
 * signer's preprocessed nonces (one round) when every signer holds every other's next
 * commitment, and a commit round otherwise.
 */
import { KeyUsageError } from '../../keys/errors.js';
import { nextNonceIndex, type SignOutcome } from '../../keys/sign-session.js';
import { figures } from './createKey.js';
import { memberRecord, runKeySession, type KeyStoreParameters } from './keySession.js';

export interface SignWithKeyParameters extends KeyStoreParameters {
  keyId: string;
  /** Message bytes, or hex. */
  message: Uint8Array | string;
  signers: string[];
  /** Force a commit round even when preprocessed nonces are available. */
  fresh?: boolean;
}
export type SignWithKeyReturnType = SignOutcome & { seconds: number; bytesPerParty: number; preprocessed: boolean };

/** @example const { signature } = await signWithKey({ keyDir, passphrase, keyId, message: '0xabcd', signers: ['a','b'] }) */
export async function signWithKey(p: SignWithKeyParameters): Promise<SignWithKeyReturnType> {
  const message = typeof p.message === 'string' ? p.message.replace(/^0x/, '') : Buffer.from(p.message).toString('hex');
  if (!/^([0-9a-fA-F]{2})*$/.test(message)) throw new KeyUsageError('the message must be bytes or hex');
  const records = p.signers.map((s) => memberRecord(p.keyDir, s, p.keyId));
  const epochs = new Set(records.map((r) => r.key.epoch));
  if (epochs.size !== 1) throw new KeyUsageError(`the signers hold different epochs of the key (${[...epochs].join(', ')})`, { hint: 'Finish the pending refresh or reshare first.' });
  let nonceIndex: Record<string, number> | undefined;
  if (!p.fresh) {
    const idx = Object.fromEntries(p.signers.map((s, i) => [s, nextNonceIndex(records[i]!.nonces)]));
    const ready = p.signers.every((s) => idx[s] !== undefined && records.every((r) => r.commitments[s]?.[String(idx[s])]));
    if (ready) nonceIndex = idx as Record<string, number>;
  }
  const rs = await runKeySession('key-sign', { keyId: p.keyId, message, signers: p.signers, ...(nonceIndex ? { nonceIndex } : {}) }, p.signers, p);
  const out = rs.get(p.signers[0]!)!.output as unknown as SignOutcome;
  return { ...out, ...figures(rs), preprocessed: nonceIndex !== undefined };
}
