/**
 * A task's result, sealed by the receiver node to the requester's result key and bound to
 * the task: the sealed box's context is the chain id, the TaskMarket address and the task id,
 * so a box made for task A does not open as task B's result (nor on another deployment) —
 * a receiver, proxy or cache cannot replay an old result for a new task.
 */
import type { Address } from 'viem';
import { open, seal } from '../../crypto/sealed-box.js';

export interface ResultBinding {
  chainId: number;
  taskMarket: Address;
  taskId: bigint;
}

export function resultContext(b: ResultBinding): string {
  return `tacit task result v1\n${b.chainId}\n${b.taskMarket.toLowerCase()}\n${b.taskId}`;
}

export function sealTaskResult(result: unknown, resultKey: string, b: ResultBinding): Uint8Array {
  return seal(Buffer.from(JSON.stringify(result)), resultKey, resultContext(b));
}

export function openTaskResult(box: Uint8Array, resultPrivateKey: string, b: ResultBinding): Record<string, unknown> {
  return JSON.parse(Buffer.from(open(box, resultPrivateKey, resultContext(b))).toString('utf8')) as Record<string, unknown>;
}
