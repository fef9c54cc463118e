/**
 * The line protocol between `tacit run` (or a benchmark) and the party processes it starts:
 * one JSON object per line on the child's stdin and stdout. Private inputs travel only on
 * the pipe to their own party; keys never leave the party that made them.
 */
import type { ProgramResult, SessionPlan } from '../../algorithms/program.js';
import type { GuardOverrides } from '../../algorithms/admission.js';

export type ChildMessage =
  | { type: 'ready'; id: string; port: number; fingerprint: string }
  | { type: 'progress'; phase: string; done: number; total: number }
  | { type: 'result'; result: ProgramResult }
  /** A failure, in parts (the error's short message, details and hint), so the parent reports each once. */
  | { type: 'error'; name: string; message: string; details?: string; hint?: string };

export interface StartMessage {
  type: 'start';
  plan: SessionPlan;
  local: Record<string, unknown>;
  /** A module (absolute path) whose `programs` export adds programs, for benchmarks and tests. */
  programModule?: string;
  /** Guard overrides for admission (as a node's `policy.guards`); defaults otherwise. */
  guards?: GuardOverrides;
  /** A receiver writes its output to this file itself (nothing large crosses the pipe). */
  outFile?: string;
}
