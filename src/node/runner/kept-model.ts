/**
 * What a node keeps from an `lr-train` task run with `keepShared`, and what it is bound to.
 *
 * A kept model may only serve an `lr-predict` task over the same data owners, for the
 * training task's requester and receiver (issue 9: never an arbitrary weight vector that
 * reads a feature out). The program records the parts it knows (data owners, receiver,
 * protocol, compute parties, feature names and scale exponents) with the shares; the node
 * adds the training task's id and requester with `bindKept` before storing the record, and
 * `keptModelBinding` gives admission (`algorithms/admission.ts`) the binding to check —
 * never the shares.
 */
import type { KeptModelBinding } from '../../algorithms/admission.js';

interface KeptRecord {
  modelShares?: Record<string, unknown>;
  modelBinding?: Record<string, unknown>;
}

/** The record to store for task `task` created by `requester` (lowercase 0x-hex). */
export function bindKept(keep: Record<string, unknown>, binding: { task: string; requester: string }): Record<string, unknown> {
  const out: Record<string, unknown> = { ...keep };
  for (const key of ['modelShares', 'modelBinding'] as const) {
    const part = keep[key];
    if (part && typeof part === 'object') out[key] = { ...(part as object), task: binding.task, requester: binding.requester.toLowerCase() };
  }
  return out;
}

const strings = (x: unknown): x is string[] => Array.isArray(x) && x.every((s) => typeof s === 'string');

/** The binding of a stored record (as `bindKept` left it, or as a local session passes it), if any. */
export function keptModelBinding(record: unknown): KeptModelBinding | undefined {
  if (!record || typeof record !== 'object') return undefined;
  const r = record as KeptRecord & Record<string, unknown>;
  const m = (r.modelShares ?? r.modelBinding ?? (Array.isArray(r['parts']) ? r : undefined)) as Record<string, unknown> | undefined;
  if (!m) return undefined;
  const { task, requester, receiver, dataOwners, protocol, computeParties, features } = m;
  if (typeof receiver !== 'string' || !strings(dataOwners) || typeof protocol !== 'string' || !strings(computeParties) || !strings(features)) return undefined;
  return {
    task: typeof task === 'string' || typeof task === 'number' ? String(task) : 'unknown',
    ...(typeof requester === 'string' ? { requester } : {}),
    receiver,
    dataOwners,
    protocol,
    computeParties,
    features,
  };
}
