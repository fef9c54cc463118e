/**
 * Resharing among member nodes (program `key-reshare` as an on-chain task, keyTask.ts): at
 * least the old threshold of current holders deal the same group key to a new member set
 * with a new threshold. The task's parties are the dealers and the new members; a member
 * that leaves and does not deal takes no part (its stale share no longer combines with the
 * new ones). Then the registry records the new epoch, signed by the new holders.
 */
import type { Address } from 'viem';
import { KeyUsageError } from '../../keys/errors.js';
import type { GroupKeyInfo } from '../../keys/group-key.js';
import type { TacitClient } from '../client.js';
import { memberAddress, runKeyTask, type KeyTaskOptions } from './keyTask.js';
import { rotateOnNodes, type KeyRotation } from './rotateKeyOnNodes.js';

export interface ReshareKeyOnNodesParameters extends KeyTaskOptions {
  /** The key's current public state. */
  key: GroupKeyInfo;
  /** New member node addresses, in identifier order. */
  members: Address[];
  threshold: number;
  /** Current holders that deal (≥ the current threshold; default: those that stay, else all). */
  dealers?: Address[];
  /** Record the new epoch in the KeyRegistry if the key is registered (default true). */
  rotate?: boolean;
}
export type ReshareKeyOnNodesReturnType = { key: GroupKeyInfo; previous: GroupKeyInfo; dealers: string[]; taskId: bigint; gasUsed: bigint; seconds: number; rotation?: KeyRotation };

/** @example const { key: next } = await reshareKeyOnNodes(client, { key, members: [a, b, c], threshold: 2, receiver }) */
export async function reshareKeyOnNodes(client: TacitClient, p: ReshareKeyOnNodesParameters): Promise<ReshareKeyOnNodesReturnType> {
  const old = p.key.members.map((m) => m.name);
  const members = p.members.map(memberAddress);
  if (new Set(members).size !== members.length) throw new KeyUsageError('a new member is named twice');
  if (!Number.isInteger(p.threshold) || p.threshold < 2 || p.threshold > members.length) throw new KeyUsageError(`threshold must be from 2 to the ${members.length} new members`);
  const staying = old.filter((m) => members.includes(m));
  const dealers = p.dealers ? p.dealers.map(memberAddress) : staying.length >= p.key.threshold ? staying : old;
  for (const d of dealers) if (!old.includes(d)) throw new KeyUsageError(`dealer ${d} holds no share of key ${p.key.keyId.slice(0, 16)}… at epoch ${p.key.epoch}`);
  if (dealers.length < p.key.threshold) throw new KeyUsageError(`resharing needs at least ${p.key.threshold} current holders as dealers (got ${dealers.length})`);
  const parties = [...members, ...dealers.filter((d) => !members.includes(d))];
  const r = await runKeyTask(client, 'key-reshare', { previous: p.key, dealers, members, threshold: p.threshold }, parties, p);
  const key = r.output['key'] as GroupKeyInfo;
  const rotation = p.rotate === false ? undefined : await rotateOnNodes(client, key, p);
  return { key, previous: p.key, dealers, taskId: r.taskId, gasUsed: r.gasUsed, seconds: r.seconds, ...(rotation ? { rotation } : {}) };
}
