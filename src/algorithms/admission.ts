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
import { TacitError } from '../errors.js';
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
  /** The task's requester (lowercase 0x-hex), when known: lr-predict binds kept models to it. */
  requester?: string;
  /** Row counts of every dataset of the task (on-chain listings), in dataset order, when known. */
  datasetRows?: number[];
  /**
   * For lr-predict with `sharedModel`: what this node kept from the training task named by
   * `modelTask` (`src/node/runner/kept-model.ts`), or undefined when it kept nothing.
   */
  keptModel?: KeptModelBinding;
}

/** What a training task's kept model is bound to; stored with the shares (never the shares themselves here). */
export interface KeptModelBinding {
  /** The training task (chain id or local session id). */
  task: string;
  requester?: string;
  receiver: string;
  /** Data owners of the training task. */
  dataOwners: string[];
  protocol: string;
  computeParties: string[];
  /** "party.column" names, in model order. */
  features: string[];
}

/** Guard values by name (`minRows`, `maxEpochs` …); each program documents its own. */
export type GuardValue = number | boolean | string | string[];
export type GuardOverrides = Record<string, GuardValue>;

export type AdmissionVerdict = { ok: true } | { ok: false; reason: string };

export const ADMIT: AdmissionVerdict = { ok: true };
export function refuse(reason: string): AdmissionVerdict {
  return { ok: false, reason };
}

export class AdmissionError extends TacitError {
  override name = 'AdmissionError';
}

/**
 * A program's defaults with the node's overrides applied. An override of the wrong type is
 * an operator's mistake: it is reported (by guard name) rather than silently ignored.
 * Guards a program does not know are ignored (one policy serves every program).
 */
export function resolveGuards<T extends Record<string, GuardValue>>(defaults: T, overrides: GuardOverrides | undefined): T {
  const out: Record<string, GuardValue> = { ...defaults };
  for (const [name, value] of Object.entries(overrides ?? {})) {
    if (!(name in defaults)) continue;
    const want = defaults[name]!;
    if (Array.isArray(want)) {
      if (Array.isArray(value) && value.every((x) => typeof x === 'string')) out[name] = value;
      else if (typeof value === 'string') out[name] = value.split(/[\s,]+/).filter(Boolean);
      else throw new AdmissionError(`guard "${name}" in the node's policy must be a list of strings`);
    } else if (typeof want === 'number') {
      const x = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof x !== 'number' || !Number.isFinite(x)) throw new AdmissionError(`guard "${name}" in the node's policy must be a number`);
      out[name] = x;
    } else if (typeof want === 'boolean') {
      const x = value === 'true' ? true : value === 'false' ? false : value;
      if (typeof x !== 'boolean') throw new AdmissionError(`guard "${name}" in the node's policy must be true or false`);
      out[name] = x;
    } else {
      if (typeof value !== 'string') throw new AdmissionError(`guard "${name}" in the node's policy must be a string`);
      out[name] = value;
    }
  }
  return out as T;
}

/** Runs `judge` with resolved guards; a malformed policy is a refusal too (with its reason). */
export function admitWith<T extends Record<string, GuardValue>>(
  defaults: T,
  overrides: GuardOverrides | undefined,
  judge: (guards: T) => AdmissionVerdict,
): AdmissionVerdict {
  let guards: T;
  try {
    guards = resolveGuards(defaults, overrides);
  } catch (err) {
    return refuse((err as Error).message);
  }
  return judge(guards);
}

/** A public, numeric parameter within [min, max] (integer when asked), or why not. */
export function boundedParam(name: string, value: unknown, min: number, max: number, integer = false): string | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    return `parameter ${name} must be ${integer ? 'an integer' : 'a number'}`;
  }
  if (value < min || value > max) return `parameter ${name} must be between ${min} and ${max} (guard bounds of this node)`;
  return undefined;
}

/** Common checks every program makes: this node's dataset names the task's id column. */
export function idColumnProblem(request: AdmissionRequest, idColumn: unknown): string | undefined {
  if (typeof idColumn !== 'string' || idColumn === '') return 'parameter idColumn must name the id column';
  if (request.dataset && request.dataset.idColumn !== idColumn) {
    return `the task's id column "${idColumn}" is not the id column of this node's dataset ${request.dataset.datasetId}`;
  }
  return undefined;
}

/** Refuses when the estimated running time does not fit before the deadline. */
export function deadlineProblem(request: AdmissionRequest, estimateSeconds: number): string | undefined {
  if (request.secondsToDeadline < estimateSeconds) {
    return `the deadline is too close: this node estimates ${Math.ceil(estimateSeconds)} s for the task and ${Math.max(0, Math.floor(request.secondsToDeadline))} s remain`;
  }
  return undefined;
}

/** Largest row count among the task's datasets known to this node. */
export function largestKnownRows(request: AdmissionRequest): number {
  return Math.max(request.dataset?.rows ?? 0, ...(request.datasetRows ?? []));
}

/** Case-insensitive address/name equality (addresses travel in mixed case). */
export const sameParty = (a: string | undefined, b: string | undefined): boolean => a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();
