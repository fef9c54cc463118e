/**
 * Fetches a task's result from the receiver node, sealed to the requester's result key, and
 * opens it with the matching private key: only the requester can read what comes back.
 */
import { NodeApiClient } from '../../node/api/client.js';
import { open } from '../../crypto/sealed-box.js';

export interface GetTaskResultParameters {
  node: { url: string };
  taskId: bigint;
  /** The private half of the key pair whose public half was the task's resultKey (hex). */
  resultPrivateKey: string;
}

/** @example const { auc, model } = await getTaskResult({ node: { url }, taskId, resultPrivateKey }); */
export async function getTaskResult(p: GetTaskResultParameters): Promise<Record<string, unknown>> {
  const api = new NodeApiClient(p.node.url);
  const { sealed } = (await api.request('GET', `/tasks/${p.taskId}/sealed-result`)) as { sealed: string };
  return JSON.parse(Buffer.from(open(Buffer.from(sealed, 'base64'), p.resultPrivateKey)).toString('utf8')) as Record<string, unknown>;
}
