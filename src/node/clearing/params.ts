/**
 * A clearing cycle's public program parameters as the opener publishes them on-chain
 * (Clearing.openCycleWithParams → event CycleParams): UTF-8 JSON, so every bank node reads
 * the same slots, iterations and units from the chain and builds the same session plan with
 * no coordinator. Banks, compute parties and the deadline come from CycleOpened itself.
 *
 *   {"program":"clearing","protocol":"rep3","slots":64,"iterations":32,
 *    "revealAggregates":true,"unitsPerCent":"10000000000000000"}
 */
import { DEFAULT_CLEARING_ITERATIONS } from '../../algorithms/programs/clearing.js';
import { MAX_CYCLE_SLOTS } from '../../algorithms/clearing/queue.js';
import { TacitError } from '../../errors.js';

export class ClearingCycleParamsError extends TacitError {
  override name = 'ClearingCycleParamsError';
}

export interface CycleParams {
  program: 'clearing';
  protocol: 'rep3' | 'semi2k';
  /** Payment slots per bank (public; each bank's queue for the cycle must fit). */
  slots: number;
  iterations: number;
  revealAggregates: boolean;
  /** Token base units per cent (decimal string). */
  unitsPerCent: string;
}

/** Fills defaults and checks; throws ClearingCycleParamsError naming the field. */
export function cycleParams(input: Partial<CycleParams> & { slots: number }, banks: number): CycleParams {
  const bad = (what: string, hint?: string) => new ClearingCycleParamsError(`clearing cycle: ${what}`, hint ? { hint } : {});
  const p: CycleParams = {
    program: 'clearing',
    protocol: input.protocol ?? 'rep3',
    slots: input.slots,
    iterations: input.iterations ?? DEFAULT_CLEARING_ITERATIONS,
    revealAggregates: input.revealAggregates ?? true,
    unitsPerCent: input.unitsPerCent ?? '1',
  };
  if (input.program !== undefined && input.program !== 'clearing') throw bad('program must be "clearing"');
  if (p.protocol !== 'rep3' && p.protocol !== 'semi2k') throw bad('protocol must be rep3 or semi2k');
  if (!Number.isInteger(p.slots) || p.slots < 1 || p.slots * Math.max(1, banks) > MAX_CYCLE_SLOTS) {
    throw bad(`slots must be an integer ≥ 1 with banks × slots ≤ ${MAX_CYCLE_SLOTS}`, 'Slots are the most payments one bank may bring to the cycle (its queue is padded to them).');
  }
  if (!Number.isInteger(p.iterations) || p.iterations < 1 || p.iterations > 1024) throw bad('iterations must be an integer in [1, 1024]');
  if (typeof p.revealAggregates !== 'boolean') throw bad('revealAggregates must be true or false');
  if (typeof p.unitsPerCent !== 'string' || !/^[1-9]\d{0,30}$/.test(p.unitsPerCent)) throw bad('unitsPerCent must be a positive decimal string (token base units per cent)');
  return p;
}

export function encodeCycleParams(p: CycleParams): string {
  return JSON.stringify({ program: p.program, protocol: p.protocol, slots: p.slots, iterations: p.iterations, revealAggregates: p.revealAggregates, unitsPerCent: p.unitsPerCent });
}

/** Parses the bytes of a CycleParams event (already UTF-8 decoded). */
export function decodeCycleParams(text: string, banks: number): CycleParams {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch {
    throw new ClearingCycleParamsError('clearing cycle: the published parameters are not JSON');
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new ClearingCycleParamsError('clearing cycle: the published parameters are not a JSON object');
  const known = new Set(['program', 'protocol', 'slots', 'iterations', 'revealAggregates', 'unitsPerCent']);
  for (const k of Object.keys(o)) if (!known.has(k)) throw new ClearingCycleParamsError(`clearing cycle: unknown parameter "${k}"`);
  return cycleParams(o as CycleParams, banks);
}
