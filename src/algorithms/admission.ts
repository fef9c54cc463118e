/**
 * Admission: what a node checks before it consents to a task, so that a bad request is
 * refused on-chain (full refund, nobody slashed) instead of failing mid-session.
 *
 * Each program judges a request against the node's own data and its guards (minimum rows,
 * bounded hyperparameters, vetted models, minimum lenders …): the guards keep a program from
 * becoming an oracle for another party's raw data. The node's policy (node.json
 * `policy.guards`) may tighten or loosen each guard; the defaults are the program's own.
 *
 * A refusal reason goes on-chain, so it names parameters, columns and bounds only — never a
 * row, an id or a value of the data.
 */
import type { Role } from './program.js';

/** What this node knows about its own dataset used by the task (never leaves the node). */
export interface LocalDatasetInfo {
  datasetId: string;
  idColumn: string;
  /** Numeric columns, in file order. */
  columns: string[];
  rows: number;
  /** Per column, the smallest and largest value (for fixed-point range checks). */
  ranges?: Record<string, { min: number; max: number }>;
}

/** A task as one node sees it when deciding whether to take part. */
export interface AdmissionRequest {
  program: string;
  version: string;
  protocol: 'rep3' | 'semi2k';
  /** The program's public parameters from the chain. */
  params: Record<string, unknown>;
  /** This node's address (lowercase 0x-hex) and its roles in the task. */
  self: string;
  roles: Role[];
  /** Compute parties, data owners (one per dataset, in dataset order) and the receiver. */
  computeParties: string[];
  dataOwners: string[];
  receiver: string;
  /** This node's dataset in the task, if it brings one. */
  dataset?: LocalDatasetInfo;
  /** Seconds from now to the task's on-chain deadline. */
  secondsToDeadline: number;
}

/** Guard values by name (`minRows`, `maxEpochs` …); each program documents its own. */
export type GuardOverrides = Record<string, number | boolean | string>;

export type AdmissionVerdict = { ok: true } | { ok: false; reason: string };

export const ADMIT: AdmissionVerdict = { ok: true };
export function refuse(reason: string): AdmissionVerdict {
  return { ok: false, reason };
}
