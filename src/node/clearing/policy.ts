/**
 * Whether this node takes part in a clearing cycle it was named in, decided from what it can
 * check alone: the published parameters pass the `clearing` program's admission (guards from
 * node.json `policy.guards`: at least three banks, iterations, slots, time to the deadline);
 * node.json allows the program and the protocol; every party is a registered node with a
 * peer endpoint; the cycle settles in the deployment's payment token, counting its units
 * per cent as the token's decimals say (so a lock is what the operator meant); and, as a bank, it has
 * a standing queue (`tacit clearing queue`), is willing to clear with every other bank of the
 * cycle (the queue's counterparties, if given), its payments to these banks fit the cycle's
 * slots, and it holds the liquidity it commits. A declining node does not lock and does not
 * join: the cycle cannot settle and expires at its deadline, returning every lock.
 */
import { clearingProgram } from '../../algorithms/programs/clearing.js';
import type { Role } from '../../algorithms/program.js';
import type { NodeConfig } from '../config.js';
import type { PartyProfile } from '../tasks/chain-view.js';
import type { CycleRecord } from './records.js';
import { queueForCycle, type StandingQueue } from './standing-queue.js';

export type CycleVerdict = { ok: true; lockUnits: bigint } | { ok: false; reason: string };

export function decideCycle(input: {
  rec: CycleRecord;
  self: string;
  config: NodeConfig;
  paymentToken: string;
  profiles: ReadonlyMap<string, PartyProfile>;
  queue: StandingQueue | undefined;
  /** This node's token balance (base units). */
  tokenBalance: bigint;
  /** The payment token's base units per cent, 10^(decimals − 2): the cycle must use it. */
  unitsPerCent: bigint;
  now: number;
}): CycleVerdict {
  const { rec, self, config, queue } = input;
  const no = (reason: string): CycleVerdict => ({ ok: false, reason });
  if (!rec.params) return no(rec.paramsError ?? 'the cycle was opened without published parameters (openCycleWithParams)');
  const p = rec.params;
  const pol = config.policy;
  if (pol.allowedAlgorithms && !pol.allowedAlgorithms.includes('clearing')) return no('node.json policy.allowedAlgorithms does not include clearing');
  if (pol.protocols && !pol.protocols.includes(p.protocol)) return no(`node.json policy.protocols does not include ${p.protocol}`);
  if (rec.token.toLowerCase() !== input.paymentToken.toLowerCase()) return no("the cycle's token is not the deployment's payment token");
  // Else an opener could make a bank lock a hundred times what its operator committed.
  if (BigInt(p.unitsPerCent) !== input.unitsPerCent) return no(`the cycle counts ${p.unitsPerCent} token units per cent; the payment token has ${input.unitsPerCent}`);
  for (const m of new Set([...rec.banks, ...rec.compute])) {
    const prof = input.profiles.get(m);
    if (!prof || !prof.port || !prof.fingerprint) return no(`party ${m} is not a registered node with a peer endpoint`);
  }
  const roles: Role[] = [];
  if (rec.roles.includes('bank')) roles.push('data', 'receiver');
  if (rec.roles.includes('compute')) roles.push('compute');
  const verdict = clearingProgram.admit!(
    {
      program: 'clearing',
      version: clearingProgram.version,
      protocol: p.protocol,
      params: { cycleId: rec.id, banks: rec.banks, slots: p.slots, iterations: p.iterations, revealAggregates: p.revealAggregates, unitsPerCent: p.unitsPerCent },
      self,
      roles,
      computeParties: rec.compute,
      dataOwners: rec.banks,
      receiver: self,
      secondsToDeadline: rec.deadline - input.now,
    },
    pol.guards ?? {},
  );
  if (!verdict.ok) return no(verdict.reason);
  if (!rec.roles.includes('bank')) return { ok: true, lockUnits: 0n };

  if (!queue) return no('this bank has no standing queue (tacit clearing queue FILE --liquidity CENTS)');
  if (queue.counterparties) {
    const allowed = new Set(queue.counterparties);
    const other = rec.banks.map((b, i) => [b, rec.names[i] ?? ''] as const).find(([b, n]) => b !== self && !allowed.has(b) && !allowed.has(n.toLowerCase()));
    if (other) return no(`not willing to clear with ${other[1] || other[0]} (not among the queue's counterparties)`);
  }
  const mine = queueForCycle(queue, self, rec.banks, rec.names, queue.liquidityCents);
  if (mine.payments.length > p.slots) return no(`${mine.payments.length} queued payments to this cycle's banks, but the cycle has ${p.slots} slots per bank`);
  const lockUnits = BigInt(queue.liquidityCents) * BigInt(p.unitsPerCent);
  if (lockUnits > input.tokenBalance) return no(`the committed liquidity (${queue.liquidityCents} cents) is more than this node holds`);
  return { ok: true, lockUnits };
}
