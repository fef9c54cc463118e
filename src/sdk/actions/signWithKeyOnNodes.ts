/**
 * A threshold of a key's member nodes sign a message (program `key-sign` as an on-chain
 * task, keyTask.ts): each signer's node consents, unlocks its own share and signs (a commit
 * round, then the shares: RFC 9591). The signature comes back through the receiver and is
 * verified here under the group key before it is returned.
 */
import type { Hex } from 'viem';
import { KeyUsageError } from '../../keys/errors.js';
import type { GroupKeyInfo } from '../../keys/group-key.js';
import { verifySignature } from '../../keys/signing.js';
import { fromHex } from '../../keys/suite.js';
import { SdkError, type TacitClient } from '../client.js';
import { defaultSigners, memberAddress, runKeyTask, type KeyTaskOptions } from './keyTask.js';

export interface SignWithKeyOnNodesParameters extends KeyTaskOptions {
  /** The key's current public state (from its creation, refresh or resharing). */
  key: GroupKeyInfo;
  /** The message (hex, with or without 0x; a 32-byte digest for on-chain use). */
  message: string;
  /** Signer node addresses (≥ threshold; default: the receiver and the next members up to the threshold). */
  signers?: string[];
}
export type SignWithKeyOnNodesReturnType = { signature: string; groupKey: string; epoch: number; message: string; taskId: bigint; gasUsed: bigint; seconds: number };

/** @example const { signature } = await signWithKeyOnNodes(client, { key, message: digest, receiver }) */
export async function signWithKeyOnNodes(client: TacitClient, p: SignWithKeyOnNodesParameters): Promise<SignWithKeyOnNodesReturnType> {
  const message = p.message.replace(/^0x/, '').toLowerCase();
  if (!/^([0-9a-f]{2})+$/.test(message)) throw new KeyUsageError('the message must be non-empty hex');
  const members = p.key.members.map((m) => m.name);
  const signers = p.signers ? p.signers.map(memberAddress) : defaultSigners(members, p.key.threshold, p.receiver.address);
  for (const s of signers) if (!members.includes(s)) throw new KeyUsageError(`${s} is not a member of key ${p.key.keyId.slice(0, 16)}… at epoch ${p.key.epoch}`);
  if (signers.length < p.key.threshold) throw new KeyUsageError(`key ${p.key.keyId.slice(0, 16)}… needs ${p.key.threshold} signers (got ${signers.length})`);
  const r = await runKeyTask(client, 'key-sign', { keyId: p.key.keyId, message, signers }, signers, p);
  const signature = String(r.output['signature'] ?? '');
  if (!verifySignature(fromHex(signature), fromHex(message), fromHex(p.key.groupKey))) {
    throw new SdkError(`task #${r.taskId} returned a signature that does not verify under the group key`, { hint: 'Do not use it; check the receiver node.' });
  }
  return { signature, groupKey: p.key.groupKey, epoch: Number(r.output['epoch'] ?? p.key.epoch), message, taskId: r.taskId, gasUsed: r.gasUsed, seconds: r.seconds };
}

/** A `GroupSigner` (registerKey, rotateKey, transferFromVault) backed by member nodes. */
export const nodeSigner = (client: TacitClient, p: Omit<SignWithKeyOnNodesParameters, 'message'>) => async (digest: Hex): Promise<string> =>
  (await signWithKeyOnNodes(client, { ...p, message: digest })).signature;
