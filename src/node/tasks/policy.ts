/**
 * Whether this node takes part in a task: its operator's policy (node.json `policy`) and
 * what the task needs from it. `wait` means "not yet": a receiver waits for its operator's
 * private inputs (e.g. the applicant id) to arrive through the API before consenting.
 */
import type { NodeConfig } from '../config.js';
import type { NodeStore, TaskRecord } from '../store/index.js';
import type { TaskParams } from '../../algorithms/task-params.js';
import { PROGRAMS } from '../../algorithms/programs/index.js';
import type { ChainTask } from './chain-view.js';
import { lower } from './chain-view.js';

export type Verdict = { kind: 'accept' } | { kind: 'refuse'; reason: string } | { kind: 'wait' };

/** Programs whose receiver brings private inputs of its own. */
const RECEIVER_INPUTS: Record<string, string[]> = { 'debt-query': ['applicant'], 'lr-predict': ['applicants'] };

export function decide(t: TaskRecord, config: NodeConfig, store: NodeStore, chain: ChainTask, self: string): Verdict {
  if (!t.params) return { kind: 'refuse', reason: t.error ?? 'the task has no readable parameters' };
  const params = t.params as unknown as TaskParams & { datasetIds: string[]; dataOwners: string[] };
  if (!PROGRAMS.has(params.program)) return { kind: 'refuse', reason: `unknown program ${params.program}` };
  const policy = config.policy;
  if (policy.allowedAlgorithms && !policy.allowedAlgorithms.includes(params.program)) {
    return { kind: 'refuse', reason: `program ${params.program} is not allowed by this node's policy` };
  }
  if (policy.minParties !== undefined && chain.parties.length < policy.minParties) {
    return { kind: 'refuse', reason: `the task has ${chain.parties.length} parties; this node requires at least ${policy.minParties}` };
  }
  if (policy.allowedRequesters && !policy.allowedRequesters.some((a) => lower(a) === t.requester)) {
    return { kind: 'refuse', reason: 'the requester is not on this node’s allow-list' };
  }
  if (policy.minFeePerTask !== undefined && chain.fee < BigInt(policy.minFeePerTask)) {
    return { kind: 'refuse', reason: `the fee is below this node's minimum of ${policy.minFeePerTask}` };
  }
  const mine = params.datasetIds.filter((_, i) => params.dataOwners[i] === self);
  if (mine.length > 1) return { kind: 'refuse', reason: 'the task uses more than one dataset of this node (one per party)' };
  for (const id of mine) {
    if (!store.listDatasets().some((d) => String(d.datasetId ?? '') === id)) return { kind: 'refuse', reason: `dataset ${id} is not stored at this node` };
  }
  if (t.roles.includes('receiver')) {
    const needs = RECEIVER_INPUTS[params.program] ?? [];
    if (needs.length && !store.getKv(`task-inputs:${t.id}`)) return { kind: 'wait' };
  }
  return { kind: 'accept' };
}
