/**
 * Creates a threshold key among member nodes (program `key-dkg` as an on-chain task, see
 * keyTask.ts): each member's node consents, takes part in the distributed key generation and
 * keeps only its own share, encrypted in its data directory. Then, unless told not to, the
 * key registers itself in the KeyRegistry: a threshold of the members sign the registration
 * digest (a `key-sign` task) and the requester submits it (docs/keys.md, "On-chain").
 */
import type { Address, Hash } from 'viem';
import { KeyUsageError } from '../../keys/errors.js';
import type { GroupKeyInfo } from '../../keys/group-key.js';
import type { TacitClient } from '../client.js';
import { memberAddress, runKeyTask, type KeyTaskOptions } from './keyTask.js';
import { registerKey } from './registerKey.js';
import { signWithKeyOnNodes } from './signWithKeyOnNodes.js';

export interface CreateKeyOnNodesParameters extends KeyTaskOptions {
  /** Member node addresses, in identifier order. */
  members: Address[];
  threshold: number;
  /** Record the key in the KeyRegistry (default true). */
  register?: boolean;
  /** Who signs the registration (default: the receiver and the next members up to the threshold). */
  signers?: Address[];
  /** Nonce pairs each member preprocesses (default 16; bounded by each node's guard). */
  nonceBatch?: number;
}
export type CreateKeyOnNodesReturnType = {
  key: GroupKeyInfo;
  taskId: bigint;
  gasUsed: bigint;
  seconds: number;
  registration?: { taskId: bigint; txHash: Hash; gasUsed: bigint };
};

/** @example const { key } = await createKeyOnNodes(client, { members, threshold: 3, receiver: { address, url } }) */
export async function createKeyOnNodes(client: TacitClient, p: CreateKeyOnNodesParameters): Promise<CreateKeyOnNodesReturnType> {
  const members = p.members.map(memberAddress);
  if (new Set(members).size !== members.length) throw new KeyUsageError('a member is named twice');
  if (!Number.isInteger(p.threshold) || p.threshold < 2 || p.threshold > members.length) throw new KeyUsageError(`threshold must be from 2 to the ${members.length} members`);
  const r = await runKeyTask(client, 'key-dkg', { members, threshold: p.threshold, ...(p.nonceBatch ? { nonceBatch: p.nonceBatch } : {}) }, members, p);
  const key = r.output['key'] as GroupKeyInfo;
  const out: CreateKeyOnNodesReturnType = { key, taskId: r.taskId, gasUsed: r.gasUsed, seconds: r.seconds };
  if (p.register !== false) {
    let signTask = 0n;
    let signGas = 0n;
    const reg = await registerKey(client, {
      key,
      sign: async (digest) => {
        const s = await signWithKeyOnNodes(client, { ...p, key, message: digest, ...(p.signers ? { signers: p.signers } : {}) });
        signTask = s.taskId;
        signGas = s.gasUsed;
        return s.signature;
      },
    });
    const receipt = await client.ledger.pub.getTransactionReceipt({ hash: reg.txHash });
    out.registration = { taskId: signTask, txHash: reg.txHash, gasUsed: signGas + receipt.gasUsed };
  }
  return out;
}
