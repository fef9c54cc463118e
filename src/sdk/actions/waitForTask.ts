/**
 * Follows a task until it ends on-chain (Settled, Refused, Failed or Expired), reporting
 * its status and, when a node API is given, the computation's progress at that node.
 */
import { NodeApiClient } from '../../node/api/client.js';
import { readTask, type ChainTask } from '../../node/tasks/chain-view.js';
import { SdkError, type TacitClient } from '../client.js';

export interface WaitForTaskParameters {
  taskId: bigint;
  /** A node's API (any involved node) to read progress from. */
  progressFrom?: { url: string };
  onUpdate?: (u: { status: ChainTask['status']; phase?: string; progress?: number; nodeStatus?: string }) => void;
  timeoutMs?: number;
  pollMs?: number;
}

const FINAL = new Set(['Settled', 'Refused', 'Failed', 'Expired']);

/** @example const t = await waitForTask(client, { taskId, onUpdate: console.log }); */
export async function waitForTask(client: TacitClient, p: WaitForTaskParameters): Promise<ChainTask> {
  const deadline = Date.now() + (p.timeoutMs ?? 30 * 60_000);
  const api = p.progressFrom ? new NodeApiClient(p.progressFrom.url) : undefined;
  for (;;) {
    const t = await readTask(client.ledger, p.taskId);
    let phase: string | undefined, progress: number | undefined, nodeStatus: string | undefined;
    if (api) {
      try {
        const v = (await api.task(Number(p.taskId))) as { progressPhase?: string | null; progress?: number | null; status?: string };
        phase = v.progressPhase ?? undefined;
        progress = v.progress ?? undefined;
        nodeStatus = v.status;
      } catch {
        // the node may not have seen the task yet
      }
    }
    p.onUpdate?.({ status: t.status, ...(phase !== undefined ? { phase } : {}), ...(progress !== undefined ? { progress } : {}), ...(nodeStatus ? { nodeStatus } : {}) });
    if (FINAL.has(t.status)) return t;
    if (Date.now() > deadline) throw new SdkError(`task ${p.taskId} is still ${t.status} after the timeout`);
    await new Promise((r) => setTimeout(r, p.pollMs ?? 300));
  }
}
