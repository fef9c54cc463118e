/**
 * What a node remembers about each clearing cycle it is part of, in its key–value table
 * (`clearing-cycle:<id>`, and `clearing-cycles`, the list of ids). The chain stays the
 * source of truth for what happened (locks, approvals, settlement); the record holds what
 * only this node knows — its decision, its own outputs — and where it is in the cycle.
 *
 * Statuses: seen → declined | accepted → locked → running → computed (a bank) | approving →
 * approved (a compute party) → settled | expired; failed (the session failed: the node waits
 * for the deadline and expires the cycle). Final: settled, expired.
 */
import type { CycleParams } from './params.js';

export type CycleStatus = 'seen' | 'declined' | 'accepted' | 'locked' | 'running' | 'computed' | 'approving' | 'approved' | 'failed' | 'settled' | 'expired';
export const FINAL_CYCLE_STATUSES: ReadonlySet<CycleStatus> = new Set(['settled', 'expired']);

export interface BankOutcome {
  /** This bank's net position in cents (incoming − outgoing over the settled payments). */
  net: number | string;
  /** Ids of its own payments that settle. */
  settled: string[];
  /** Settled payments to it: id, amount (cents), payer (node name, or address if unnamed). */
  incoming: { id: string; from: string; amount: number }[];
  /** Salt of its part of the settled-set commitment (to open it to an auditor). */
  salt: string;
}

export interface CycleRecord {
  id: string;
  status: CycleStatus;
  roles: ('bank' | 'compute')[];
  /** Bank addresses (lowercase) in position order, and their registry names. */
  banks: string[];
  names: string[];
  compute: string[];
  token: string;
  deadline: number;
  params: CycleParams | null;
  paramsError?: string;
  /** Why this node declined, or the last problem it met. */
  error?: string;
  /** The last step that failed and will be retried (a transaction, an RPC call). */
  stepError?: string;
  /** Token base units this bank locks (decimal string). */
  lockUnits?: string;
  /** This bank's balance in the cycle's MPC (cents: its lock). */
  balanceCents?: number;
  result?: BankOutcome;
  settledSet?: string;
  aggregates?: { settledValue?: number | string; liquiditySaved?: number | string; netLiquidity?: number | string };
  /** Compute parties: the settlement the program output (nets in token units) and its digest. */
  settlement?: { nets: string[]; digest: string };
  mpcSeconds?: number;
  /** When this compute party approved (ms): compute party k settles k × 2 s after it. */
  approvedAt?: number;
  queueUpdated?: boolean;
  updatedAt: string;
}

interface KvStore {
  getKv(key: string): string | undefined;
  setKv(key: string, value: string): void;
}

const INDEX = 'clearing-cycles';
const keyOf = (id: string) => `clearing-cycle:${id}`;

export function cycleIds(store: KvStore): string[] {
  const raw = store.getKv(INDEX);
  return raw ? (JSON.parse(raw) as string[]) : [];
}

export function getCycle(store: KvStore, id: string): CycleRecord | undefined {
  const raw = store.getKv(keyOf(id));
  return raw ? (JSON.parse(raw) as CycleRecord) : undefined;
}

export function putCycle(store: KvStore, rec: Omit<CycleRecord, 'updatedAt'>): CycleRecord {
  const full = { ...rec, updatedAt: new Date().toISOString() } as CycleRecord;
  store.setKv(keyOf(rec.id), JSON.stringify(full));
  const ids = cycleIds(store);
  if (!ids.includes(rec.id)) store.setKv(INDEX, JSON.stringify([...ids, rec.id]));
  return full;
}

export function updateCycle(store: KvStore, id: string, patch: Partial<CycleRecord>): CycleRecord {
  const rec = getCycle(store, id);
  if (!rec) throw new Error(`no clearing cycle ${id} in the store`);
  return putCycle(store, { ...rec, ...patch });
}

/** The record without the bank's private outputs (for unauthenticated views). */
export function publicView(rec: CycleRecord): Record<string, unknown> {
  const { result: _r, settlement: _s, lockUnits: _l, balanceCents: _b, ...rest } = rec;
  return { ...rest, hasResult: rec.result !== undefined };
}
