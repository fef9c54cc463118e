/**
 * Hands the receiver node its operator's private inputs for a task (an applicant id, say):
 * they go to that node's API (bearer token) and never to the chain or another party.
 */
import { NodeApiClient } from '../../node/api/client.js';

export interface SendTaskInputsParameters {
  node: { url: string; token: string };
  taskId: bigint;
  inputs: Record<string, unknown>;
}

/** @example await sendTaskInputs({ node: { url, token }, taskId, inputs: { applicant: 'A-17' } }); */
export async function sendTaskInputs(p: SendTaskInputsParameters): Promise<void> {
  const api = new NodeApiClient(p.node.url, { token: p.node.token });
  await api.request('POST', `/tasks/${p.taskId}/inputs`, { inputs: p.inputs });
}
