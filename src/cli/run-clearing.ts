/**
 * `tacit run clearing`: the clearing-specific part of `tacit run` (parameters from the
 * flags, the report), kept here so run.ts stays one dispatch. Every `--party` is a bank
 * (a party without a file has an empty queue); the first three banks compute under rep3.
 *
 * The launcher counts each queue file's lines to size the cycle's public slots per bank
 * (`--slots` overrides it; on a network the cycle fixes it, so no bank reveals its queue's
 * length); each bank process reads and checks its own file.
 */
import { readFileSync } from 'node:fs';
import type { ProgramResult } from '../algorithms/program.js';
import { DEFAULT_CLEARING_ITERATIONS } from '../algorithms/programs/clearing.js';
import { UsageError } from './usage.js';

export interface ClearingFlags {
  balance?: string[];
  slots?: string;
  iterations?: string;
  'cycle-id'?: string;
}

export function clearingSetup(parties: { name: string; file?: string }[], flags: ClearingFlags) {
  if (parties.length < 2) throw new UsageError('clearing needs at least two banks (--party BANK=QUEUE.csv)');
  const balances = new Map<string, number>();
  for (const spec of flags.balance ?? []) {
    const m = /^([^=]+)=(\d{1,16})$/.exec(spec);
    if (!m) throw new UsageError(`--balance takes BANK=CENTS (whole cents), got "${spec}"`);
    if (!parties.some((p) => p.name === m[1])) throw new UsageError(`--balance names ${m[1]}, which is not a --party`);
    balances.set(m[1]!, Number(m[2]));
  }
  const rows = parties.map((p) => (p.file ? readFileSync(p.file, 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '').length - 1 : 0));
  let slots = Math.max(1, ...rows);
  if (flags.slots !== undefined) {
    slots = Number(flags.slots);
    if (!Number.isInteger(slots) || slots < 1) throw new UsageError('--slots must be a positive integer');
  } else slots = 2 ** Math.ceil(Math.log2(slots)); // a round size says less about the longest queue
  const iterations = flags.iterations === undefined ? DEFAULT_CLEARING_ITERATIONS : Number(flags.iterations);
  if (!Number.isInteger(iterations) || iterations < 1) throw new UsageError('--iterations must be a positive integer');
  const cycleId = flags['cycle-id'] ?? '1';
  if (!/^\d{1,77}$/.test(cycleId)) throw new UsageError('--cycle-id must be a decimal number');
  const banks = parties.map((p) => p.name);
  const params = { cycleId, banks, slots, iterations, revealAggregates: true };
  const local = new Map<string, Record<string, unknown>>(
    parties.map((p) => [
      p.name,
      p.file ? { csv: p.file, balance: balances.get(p.name) ?? 0 } : { queues: [{ bank: p.name, balance: balances.get(p.name) ?? 0, payments: [] }] },
    ]),
  );
  return { params, local, receivers: banks };
}

/** The `--json` object: per bank its output, the public results, and the run's figures. */
export function clearingReport(results: Map<string, ProgramResult>, banks: string[], figures: { seconds: number; bytes: number; rounds: number }) {
  const first = results.get(banks[0]!)?.output ?? {};
  const perBank: Record<string, unknown> = {};
  for (const b of banks) {
    const o = results.get(b)?.output as { banks?: Record<string, Record<string, unknown>> } | undefined;
    const mine = o?.banks?.[b];
    if (mine) {
      const { salt: _salt, ...shown } = mine; // the salt stays with the bank's own output file
      perBank[b] = shown;
    }
  }
  const settlement = [...results.values()].map((r) => r.output?.['settlement']).find((s) => s !== undefined);
  return {
    cycleId: first['cycleId'],
    bankCount: first['bankCount'],
    settledSet: first['settledSet'],
    banks: perBank,
    settlement,
    settledValue: first['settledValue'],
    liquiditySaved: first['liquiditySaved'],
    netLiquidity: first['netLiquidity'],
    ...figures,
  };
}
