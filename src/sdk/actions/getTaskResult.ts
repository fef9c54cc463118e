/**
 * Fetches a task's result from the receiver node, sealed to the requester's result key, and
 * opens it with the matching private key: only the requester can read what comes back. The
 * box is bound to this deployment and task id (node/tasks/result-box.ts): a box the node
 * made for another task does not open here.
 */
import { NodeApiClient } from '../../node/api/client.js';
import { openTaskResult } from '../../node/tasks/result-box.js';
import { SealedBoxError } from '../../crypto/sealed-box.js';
import { SdkError, type TacitClient } from '../client.js';

export interface GetTaskResultParameters {
  node: { url: string };
  taskId: bigint;
  /** The private half of the key pair whose public half was the task's resultKey (hex). */
  resultPrivateKey: string;
}

/** @example const { auc, model } = await getTaskResult(client, { node: { url }, taskId, resultPrivateKey }); */
export async function getTaskResult(client: Pick<TacitClient, 'manifest'>, p: GetTaskResultParameters): Promise<Record<string, unknown>> {
  const api = new NodeApiClient(p.node.url);
  const { sealed } = (await api.request('GET', `/tasks/${p.taskId}/sealed-result`)) as { sealed: string };
  const binding = { chainId: client.manifest.chainId, taskMarket: client.manifest.contracts.TaskMarket, taskId: p.taskId };
  try {
    return openTaskResult(Buffer.from(sealed, 'base64'), p.resultPrivateKey, binding);
  } catch (err) {
    if (err instanceof SealedBoxError) {
      throw new SdkError(`the sealed result the node served does not open as task ${p.taskId}'s result`, {
        hint: 'the node served a box made for another task or key (or it was altered); do not trust it',
        cause: err,
      });
    }
    throw err;
  }
}
