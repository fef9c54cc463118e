/**
 * Records a key's next state (after a refresh or resharing among member nodes) in the
 * KeyRegistry: a threshold of the NEW holders sign the rotation digest with the group key —
 * the same group key the registry holds, so it is the current key's signature (docs/keys.md,
 * "Rotation rules") — and the requester submits it. Skipped when the key was never registered.
 */
import type { Hash, Hex } from 'viem';
import { KeyRegistryAbi } from '../../chain/artifacts.js';
import type { GroupKeyInfo } from '../../keys/group-key.js';
import type { TacitClient } from '../client.js';
import type { KeyTaskOptions } from './keyTask.js';
import { keyRegistryOf } from './registerKey.js';
import { rotateKey } from './rotateKey.js';
import { signWithKeyOnNodes } from './signWithKeyOnNodes.js';

export type KeyRotation = { taskId: bigint; txHash: Hash; gasUsed: bigint; epoch: number };

/** Whether the registry knows `keyId`. */
export async function isRegistered(client: TacitClient, keyId: string): Promise<boolean> {
  if (!client.manifest.contracts.KeyRegistry) return false;
  try {
    await client.ledger.pub.readContract({ address: keyRegistryOf(client), abi: KeyRegistryAbi, functionName: 'keyOf', args: [`0x${keyId}` as Hex] });
    return true;
  } catch {
    return false;
  }
}

export async function rotateOnNodes(client: TacitClient, next: GroupKeyInfo, o: KeyTaskOptions): Promise<KeyRotation | undefined> {
  if (!(await isRegistered(client, next.keyId))) return undefined;
  let taskId = 0n;
  let gas = 0n;
  const r = await rotateKey(client, {
    keyId: next.keyId,
    next,
    signCurrent: async (digest) => {
      const s = await signWithKeyOnNodes(client, { ...o, key: next, message: digest });
      taskId = s.taskId;
      gas = s.gasUsed;
      return s.signature;
    },
  });
  const receipt = await client.ledger.pub.getTransactionReceipt({ hash: r.txHash });
  return { taskId, txHash: r.txHash, gasUsed: gas + receipt.gasUsed, epoch: next.epoch };
}
