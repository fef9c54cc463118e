/**
 * Proactive refresh among a key's member nodes (program `key-refresh` as an on-chain task,
 * keyTask.ts): every member gets a new share of the same group key, old shares become
 * useless, the epoch increases; then the registry records the new epoch (rotateKeyOnNodes.ts).
 */
import type { GroupKeyInfo } from '../../keys/group-key.js';
import type { TacitClient } from '../client.js';
import { runKeyTask, type KeyTaskOptions } from './keyTask.js';
import { rotateOnNodes, type KeyRotation } from './rotateKeyOnNodes.js';

export interface RefreshKeyOnNodesParameters extends KeyTaskOptions {
  /** The key's current public state. */
  key: GroupKeyInfo;
  /** Record the new epoch in the KeyRegistry if the key is registered (default true). */
  rotate?: boolean;
}
export type RefreshKeyOnNodesReturnType = { key: GroupKeyInfo; taskId: bigint; gasUsed: bigint; seconds: number; rotation?: KeyRotation };

/** @example const { key: next } = await refreshKeyOnNodes(client, { key, receiver }) */
export async function refreshKeyOnNodes(client: TacitClient, p: RefreshKeyOnNodesParameters): Promise<RefreshKeyOnNodesReturnType> {
  const members = p.key.members.map((m) => m.name);
  const r = await runKeyTask(client, 'key-refresh', { keyId: p.key.keyId, epoch: p.key.epoch }, members, p);
  const key = r.output['key'] as GroupKeyInfo;
  const rotation = p.rotate === false ? undefined : await rotateOnNodes(client, key, p);
  return { key, taskId: r.taskId, gasUsed: r.gasUsed, seconds: r.seconds, ...(rotation ? { rotation } : {}) };
}
