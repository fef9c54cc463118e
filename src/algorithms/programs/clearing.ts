/**
 * Program `clearing` v1: private multilateral netting and gridlock resolution between banks
 * (`../clearing/mpc.ts`), ending in a settlement the cycle's compute parties approve on-chain.
 *
 * Parameters (public): cycleId (decimal string, the on-chain cycle), banks (names in the
 * cycle's order), hosts (the member hosting each bank; default: each bank is the member of
 * its name), slots (payment slots per bank), iterations (default 32), revealAggregates
 * (default true), unitsPerCent (token base units per cent, decimal string, default "1").
 * Local at a host: `queues` (BankQueue[]) or, for one bank named like the member, `csv`
 * (id,to,amount[,priority][,deadline]) and `balance` (cents).
 *
 * Output at a host, per bank: its net position, its settled payments, the settled payments
 * to it, and the salt of its part of the settled-set commitment. At every member: the
 * cycle id, the number of banks, the settled-set commitment and (if revealed) the settled
 * value and liquidity saved. At the compute parties: the settlement (nets in token units)
 * and its digest, which each approves on-chain.
 *
 * Guards (admission): minBanks (3: with two banks each would learn the other's position),
 * maxIterations (256), maxSlots (2^20 per cycle), minSecondsToDeadline (120).
 */
import { ADMIT, refuse, type AdmissionRequest, type AdmissionVerdict, type GuardOverrides } from '../admission.js';
import { clearingMpc, type ClearingSpec } from '../clearing/mpc.js';
import { ClearingInputError, MAX_CYCLE_SLOTS, readQueueCsv, type BankQueue } from '../clearing/queue.js';
import { bankCommitment, freshSalt, settledSetCommitment, settlementDigest } from '../clearing/settlement.js';
import { ProgramError, type Program, type ProgramContext } from '../program.js';
import { withMpc } from './common.js';
import { ownBytes } from '../../net/bytes.js';

export const DEFAULT_CLEARING_ITERATIONS = 32;

export interface ClearingParams {
  cycleId: bigint;
  banks: string[];
  hosts: string[];
  slots: number;
  iterations: number;
  revealAggregates: boolean;
  unitsPerCent: bigint;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Parses and checks the public parameters; throws a ProgramError naming the parameter. */
export function clearingParams(params: Record<string, unknown>): ClearingParams {
  const bad = (what: string) => new ProgramError(`clearing: parameter ${what}`);
  const { cycleId, banks, hosts, slots, iterations, revealAggregates, unitsPerCent } = params;
  if (typeof cycleId !== 'string' || !/^\d{1,77}$/.test(cycleId)) throw bad('"cycleId" must be a decimal string');
  if (!Array.isArray(banks) || banks.length < 2 || banks.length > 1024 || !banks.every((b) => typeof b === 'string' && NAME.test(b))) {
    throw bad('"banks" must list 2–1024 bank names');
  }
  if (new Set(banks).size !== banks.length) throw bad('"banks" names a bank twice');
  const h = hosts === undefined ? banks : hosts;
  if (!Array.isArray(h) || h.length !== banks.length || !h.every((x) => typeof x === 'string')) throw bad('"hosts" must name one member per bank');
  if (!Number.isInteger(slots) || (slots as number) < 1 || (slots as number) * banks.length > MAX_CYCLE_SLOTS) {
    throw bad(`"slots" must be an integer ≥ 1 with banks × slots ≤ ${MAX_CYCLE_SLOTS}`);
  }
  const T = iterations === undefined ? DEFAULT_CLEARING_ITERATIONS : iterations;
  if (!Number.isInteger(T) || (T as number) < 1 || (T as number) > 1024) throw bad('"iterations" must be an integer in [1, 1024]');
  if (revealAggregates !== undefined && typeof revealAggregates !== 'boolean') throw bad('"revealAggregates" must be true or false');
  const units = unitsPerCent === undefined ? '1' : unitsPerCent;
  if (typeof units !== 'string' || !/^[1-9]\d{0,30}$/.test(units)) throw bad('"unitsPerCent" must be a positive decimal string');
  return {
    cycleId: BigInt(cycleId),
    banks: banks as string[],
    hosts: h as string[],
    slots: slots as number,
    iterations: T as number,
    revealAggregates: revealAggregates !== false,
    unitsPerCent: BigInt(units),
  };
}

/** Cents as a JSON number when exact, else a decimal string. */
export const cents = (x: bigint): number | string => (x >= BigInt(Number.MIN_SAFE_INTEGER) && x <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(x) : x.toString());

function localQueues(ctx: ProgramContext, p: ClearingParams): BankQueue[] {
  const given = ctx.local['queues'];
  if (Array.isArray(given)) return given as BankQueue[];
  const mine = p.banks.filter((_, i) => p.hosts[i] === ctx.self);
  if (mine.length === 0) return [];
  const csv = ctx.local['csv'];
  const balance = ctx.local['balance'];
  if (mine.length !== 1 || mine[0] !== ctx.self || typeof csv !== 'string') {
    throw new ClearingInputError(`${ctx.self} hosts ${mine.join(', ')} but was given no queues`, { hint: 'Give each bank its queue file (--party BANK=QUEUE.csv).' });
  }
  if (typeof balance !== 'number') {
    throw new ClearingInputError(`${ctx.self}: no balance committed for the cycle`, { hint: 'Give --balance BANK=CENTS (the amount locked for the cycle).' });
  }
  return [{ bank: ctx.self, balance, payments: readQueueCsv(csv, ctx.self) }];
}

/** clearing's guards and defaults (node.json policy.guards overrides each by name). */
export const CLEARING_GUARDS = { minBanks: 3, maxIterations: 256, maxSlots: MAX_CYCLE_SLOTS, minSecondsToDeadline: 120 };

export const clearingProgram: Program = {
  name: 'clearing',
  version: '1.0.0',
  summary: "multilateral netting with gridlock resolution; each bank learns only its own position and payments",
  moduleUrl: import.meta.url,
  async run(ctx) {
    const p = clearingParams(ctx.plan.params);
    const pre = ctx.plan.mpc?.preprocessing;
    const dealer = pre?.kind === 'ttp' ? pre.dealer : undefined;
    // Every member but a semi2k dealer (which serves correlations and then leaves).
    const members = ctx.plan.parties.map((x) => x.id).filter((id) => id !== dealer);
    for (const h of p.hosts) if (!members.includes(h)) throw new ProgramError(`clearing: host ${h} is not a member of the session`);
    const queues = localQueues(ctx, p);
    return withMpc(ctx, async (mpc) => {
      const spec: ClearingSpec = {
        banks: p.banks,
        hosts: p.hosts,
        slots: p.slots,
        iterations: p.iterations,
        revealAggregates: p.revealAggregates,
        settlementTo: mpc.protocol.computeParties,
      };
      ctx.progress('clearing', 0, 1);
      const r = await clearingMpc(mpc, spec, queues);
      ctx.progress('clearing', 1, 1);

      // Each host commits its banks' settled payments; every member assembles the commitment.
      const salts = new Map(r.banks.map((b) => [b.bank, freshSalt()]));
      const mineHashes = r.banks.map((b) => bankCommitment(p.cycleId, queues.find((q) => q.bank === b.bank)!, b.settled, salts.get(b.bank)!));
      const hostList = [...new Set(p.hosts)];
      const perBank = new Map<string, Uint8Array>();
      r.banks.forEach((b, i) => perBank.set(b.bank, mineHashes[i]!));
      if (hostList.includes(ctx.self) && mineHashes.length > 0) {
        const msg = Buffer.concat(mineHashes);
        await Promise.all(members.filter((m) => m !== ctx.self).map((m) => ctx.net.send(m, 'clearing.commit', msg)));
      }
      for (const h of hostList) {
        if (h === ctx.self) continue;
        const hb = p.banks.filter((_, i) => p.hosts[i] === h);
        const got = ownBytes(await ctx.net.recv(h, 'clearing.commit', 32 * hb.length));
        hb.forEach((b, i) => perBank.set(b, got.subarray(32 * i, 32 * (i + 1))));
      }
      const settledSet = settledSetCommitment(p.cycleId, p.banks.map((b) => perBank.get(b)!));

      const out: Record<string, unknown> = { cycleId: p.cycleId.toString(), bankCount: p.banks.length, settledSet, timings: r.timings };
      if (r.settledValue !== undefined) {
        out['settledValue'] = cents(r.settledValue);
        out['liquiditySaved'] = cents(r.liquiditySaved!);
        out['netLiquidity'] = cents(r.netLiquidity!);
      }
      if (r.banks.length > 0) {
        out['banks'] = Object.fromEntries(
          r.banks.map((b) => [b.bank, { net: cents(b.net), settled: b.settled, incoming: b.incoming, salt: salts.get(b.bank)!.toString('hex') }]),
        );
      }
      if (r.nets) {
        const nets = r.nets.map((n) => n * p.unitsPerCent);
        out['settlement'] = { nets: nets.map(String), digest: settlementDigest(p.cycleId, nets, settledSet) };
      }
      return out;
    });
  },
  defaultGuards: CLEARING_GUARDS,
  admit(request: AdmissionRequest, guards: GuardOverrides): AdmissionVerdict {
    const num = (name: keyof typeof CLEARING_GUARDS, dflt: number) => (typeof guards[name] === 'number' ? (guards[name] as number) : dflt);
    let p: ClearingParams;
    try {
      p = clearingParams(request.params);
    } catch (e) {
      return refuse((e as Error).message);
    }
    if (p.banks.length < num('minBanks', CLEARING_GUARDS.minBanks)) return refuse(`clearing: fewer than ${num('minBanks', CLEARING_GUARDS.minBanks)} banks (each would learn the others' positions)`);
    if (p.iterations > num('maxIterations', CLEARING_GUARDS.maxIterations)) return refuse(`clearing: iterations above the guard maxIterations (${num('maxIterations', CLEARING_GUARDS.maxIterations)})`);
    if (p.banks.length * p.slots > num('maxSlots', CLEARING_GUARDS.maxSlots)) return refuse('clearing: banks × slots above the guard maxSlots');
    if (request.protocol === 'rep3' && request.computeParties.length !== 3) return refuse('clearing: rep3 needs exactly three compute parties');
    if (request.secondsToDeadline < num('minSecondsToDeadline', CLEARING_GUARDS.minSecondsToDeadline)) return refuse('clearing: too little time before the deadline');
    if (request.roles.includes('data') && request.dataset && request.dataset.rows > p.slots) {
      return refuse(`clearing: this bank's queue has more payments than the cycle's ${p.slots} slots per bank`);
    }
    return ADMIT;
  },
};
