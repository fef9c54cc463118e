/**
 * A program is a named, versioned computation that every member of a session runs (SPMD):
 * the unit a requester asks for on-chain (by name and code hash) and that a node runs
 * when it has accepted a task. The session plan says who plays which role; each party
 * brings only its own local inputs, which never leave it except as secret shares or
 * masked values.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TacitError } from '../errors.js';
import type { MpcConfig } from '../mpc/engine.js';
import type { Network } from '../net/types.js';
import type { AdmissionRequest, AdmissionVerdict, GuardOverrides, GuardValue } from './admission.js';

export type Role = 'data' | 'compute' | 'receiver' | 'dealer';

export interface PartyPlan {
  id: string;
  host: string;
  port: number;
  /** Pinned SHA-256 of the party's TLS public key (SPKI). */
  fingerprint: string;
  roles: Role[];
}

/** Everything public about a session: the same at every party. */
export interface SessionPlan {
  sessionId: string;
  program: string;
  /** Public parameters (hyperparameters, column counts, receivers …), program-specific. */
  params: Record<string, unknown>;
  parties: PartyPlan[];
  /** The MPC configuration, for programs that use the engine. */
  mpc?: MpcConfig;
}

export interface ProgramContext {
  plan: SessionPlan;
  self: string;
  net: Network;
  /** This party's private inputs (paths, ids, books …), program-specific. */
  local: Record<string, unknown>;
  progress: (phase: string, done: number, total: number) => void;
  signal?: AbortSignal;
  /**
   * This node's guard overrides (node.json `policy.guards`; `tacit run --guard`). Programs
   * re-check at run time what only becomes known then (aligned rows, the model actually
   * delivered); absent means the program's defaults.
   */
  guards?: GuardOverrides;
}

export interface ProgramResult {
  /** What this party learnt (receivers only; others get undefined). */
  output?: Record<string, unknown>;
  /** Metering of this party. */
  stats: { seconds: number; bytesSent: number; rounds: number };
  /**
   * What this party keeps for later tasks and shows no one (e.g. its shares of a model
   * trained with keepShared); a node stores it privately under the task's id.
   */
  keep?: Record<string, unknown>;
}

export interface Program {
  name: string;
  version: string;
  /** One line for `tacit run --help` and the on-chain registry. */
  summary: string;
  /** `import.meta.url` of the module that implements it (hashed into the on-chain code hash). */
  moduleUrl: string;
  run(ctx: ProgramContext): Promise<ProgramResult>;
  /**
   * Judges a task before this node consents (see admission.ts): parameters, this node's
   * dataset, guards, time to the deadline. Absent means no program-specific checks.
   */
  admit?(request: AdmissionRequest, guards: GuardOverrides): AdmissionVerdict;
  /** The program's guards and their defaults (each overridable by name in `guards`). */
  defaultGuards?: Readonly<Record<string, GuardValue>>;
}

export class ProgramError extends TacitError {
  override name = 'ProgramError';
}

/** Parties of the plan that have `role`, in plan order. */
export function partiesWith(plan: SessionPlan, role: Role): string[] {
  return plan.parties.filter((p) => p.roles.includes(role)).map((p) => p.id);
}

/** A required parameter of a given type, or a clear error. */
export function param<T>(plan: SessionPlan, name: string, check: (v: unknown) => v is T, what: string): T {
  const v = plan.params[name];
  if (!check(v)) throw new ProgramError(`program ${plan.program}: parameter "${name}" must be ${what}`);
  return v;
}

/**
 * The code hash that goes on-chain with a task: SHA-256 over the program's name, version
 * and the compiled module that implements it.
 */
export function codeHashOf(program: Program): string {
  const h = createHash('sha256').update(`${program.name}@${program.version}\n`);
  h.update(readFileSync(fileURLToPath(program.moduleUrl)));
  return '0x' + h.digest('hex');
}
