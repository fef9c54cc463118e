/** A task's on-chain state: status, parties, consent and commitment progress. */
import { readTask, type ChainTask } from '../../node/tasks/chain-view.js';
import type { TacitClient } from '../client.js';

export type GetTaskReturnType = ChainTask;

/** @example const t = await getTask(client, { taskId: 1n }); t.status === 'Settled' */
export async function getTask(client: TacitClient, p: { taskId: bigint }): Promise<GetTaskReturnType> {
  return readTask(client.ledger, p.taskId);
}
