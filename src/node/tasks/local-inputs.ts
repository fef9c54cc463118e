/**
 * A node's private inputs for a task's session, gathered from its own store: its dataset
 * (one per party), the model shares it kept from an earlier training task, the split
 * thresholds it kept from an sgb-train task (for sgb-predict, only for that task's requester
 * and receiver), and — as the receiver — the inputs its operator sent through the API and a
 * model it received earlier.
 * None of it ever leaves the node except as the program's shares or masked values.
 */
import type { NodeStore, TaskRecord } from '../store/index.js';

export function localInputs(store: NodeStore, t: TaskRecord, self: string): Record<string, unknown> {
  const local: Record<string, unknown> = {};
  const params = t.params as unknown as { datasetIds: string[]; dataOwners: string[]; params: Record<string, unknown> };
  const mine = params.datasetIds.filter((_, i) => params.dataOwners[i] === self);
  if (mine.length > 1) throw new Error('this node owns more than one dataset of the task; a task takes one per party');
  if (mine.length === 1) {
    const ds = store.listDatasets().find((d) => String(d.datasetId ?? '') === mine[0]);
    if (!ds) throw new Error(`dataset ${mine[0]} is not stored at this node`);
    local['table'] = store.table(ds.name);
  }
  const modelTaskId = params.params['modelTask'];
  if (modelTaskId !== undefined && params.params['sharedModel'] === true && t.roles.includes('compute')) {
    const kept = store.getKv(`task-keep:${Number(modelTaskId)}`);
    if (kept) local['modelShares'] = (JSON.parse(kept) as { modelShares?: unknown }).modelShares;
  }
  if (modelTaskId !== undefined && params.params['sharedModel'] !== true && !t.roles.includes('receiver')) {
    const kept = store.getKv(`task-keep:${Number(modelTaskId)}`);
    const sgb = kept ? (JSON.parse(kept) as { sgb?: unknown }).sgb : undefined;
    if (sgb !== undefined) {
      const prior = store.getTask(Number(modelTaskId));
      if (!prior || prior.requester !== t.requester || prior.receiver !== t.receiver) throw new Error(`the split thresholds kept from task ${String(modelTaskId)} serve only that task's requester and receiver`);
      local['sgb'] = sgb;
    }
  }
  if (t.roles.includes('receiver')) {
    const raw = store.getKv(`task-inputs:${t.id}`);
    if (raw) Object.assign(local, JSON.parse(raw) as Record<string, unknown>);
    const modelTask = params.params['modelTask'];
    if (modelTask !== undefined && params.params['sharedModel'] !== true) {
      const prior = store.getTask(Number(modelTask));
      const model = (prior?.result as { model?: unknown } | null)?.model;
      if (!model) throw new Error(`no model from task ${String(modelTask)} at this node`);
      local['model'] = model;
    }
  }
  return local;
}
