/**
 * A bank node's standing payment queue: what its operator wants settled and the liquidity it
 * commits per cycle, given through the node's API (`tacit clearing queue FILE --liquidity …`).
 * This is what a payment system's participant expects — it submits payments to its queue and
 * the system settles what it can in the next cycle — rather than a dataset: the queue changes
 * between cycles, and a payment that did not settle stays queued for the next one.
 *
 * Receivers are written as the receiving bank's node name (as registered in the
 * NodeRegistry) or its address. For a cycle, the node keeps the payments to the cycle's
 * banks and leaves the rest queued; after a settlement it drops the payments that settled.
 * Stored in the node's key–value table (`clearing.queue`); it never leaves the node except
 * as secret shares of the cycle's MPC.
 */
import { readFileSync } from 'node:fs';
import { ClearingInputError, MAX_TOTAL_CENTS, parseQueueCsv, validateQueue, type BankQueue, type Payment } from '../../algorithms/clearing/queue.js';
import { ImportFileError } from '../errors.js';

export const QUEUE_KEY = 'clearing.queue';

export interface StandingQueue {
  payments: Payment[];
  /** Cents this bank locks for each cycle it joins (0: it only receives). */
  liquidityCents: number;
  /** If set: the only banks (node names or addresses, lowercase) it is willing to clear with. */
  counterparties?: string[];
  updatedAt: string;
}

interface KvStore {
  getKv(key: string): string | undefined;
  setKv(key: string, value: string): void;
  deleteKv(key: string): boolean;
}

export function readStandingQueue(store: KvStore): StandingQueue | undefined {
  const raw = store.getKv(QUEUE_KEY);
  return raw ? (JSON.parse(raw) as StandingQueue) : undefined;
}

/** Reads the queue file at `path` (on the node host), checks it, and replaces the standing queue. */
export function submitStandingQueue(store: KvStore, body: { path: string; liquidity: number; counterparties?: string[] }): StandingQueue {
  let text: string;
  try {
    text = readFileSync(body.path, 'utf8');
  } catch (cause) {
    throw new ImportFileError('cannot read the queue file', { details: body.path, hint: 'Give a path the node process can read (the CLI sends it as an absolute path).', cause });
  }
  if (!Number.isSafeInteger(body.liquidity) || body.liquidity < 0 || body.liquidity > MAX_TOTAL_CENTS) {
    throw new ImportFileError(`liquidity must be whole cents in [0, ${MAX_TOTAL_CENTS}]`, { hint: 'e.g. --liquidity 150000 for 1,500.00' });
  }
  let payments: Payment[];
  try {
    payments = parseQueueCsv(text, 'this bank');
    // Checked as a queue to named receivers (ids, amounts, priorities); receivers are checked per cycle.
    const receivers = [...new Set(payments.map((p) => p.to))];
    validateQueue({ bank: '\u0000self', balance: body.liquidity, payments }, ['\u0000self', ...receivers], Math.max(1, payments.length));
  } catch (err) {
    if (err instanceof ClearingInputError) throw new ImportFileError(err.shortMessage, err.hint ? { hint: err.hint } : {});
    throw err;
  }
  const q: StandingQueue = {
    payments: payments.map((p) => ({ ...p, to: p.to.toLowerCase() })),
    liquidityCents: body.liquidity,
    ...(body.counterparties ? { counterparties: body.counterparties.map((c) => c.toLowerCase()) } : {}),
    updatedAt: new Date().toISOString(),
  };
  store.setKv(QUEUE_KEY, JSON.stringify(q));
  return q;
}

/** The queue's public summary (for the API: counts and totals, the operator's own data). */
export function queueSummary(q: StandingQueue | undefined): Record<string, unknown> {
  if (!q) return { queued: false };
  const byReceiver: Record<string, number> = {};
  for (const p of q.payments) byReceiver[p.to] = (byReceiver[p.to] ?? 0) + 1;
  return {
    queued: true,
    payments: q.payments.length,
    total: q.payments.reduce((s, p) => s + p.amount, 0),
    liquidity: q.liquidityCents,
    receivers: byReceiver,
    ...(q.counterparties ? { counterparties: q.counterparties } : {}),
    updatedAt: q.updatedAt,
  };
}

/**
 * The bank's queue for one cycle, with receivers as the cycle's bank ids (addresses):
 * payments to banks outside the cycle stay queued and are left out.
 * `names[i]` is the registry name of `banks[i]`.
 */
export function queueForCycle(q: StandingQueue, self: string, banks: readonly string[], names: readonly string[], balanceCents: number): BankQueue {
  const idOf = new Map<string, string>();
  banks.forEach((b, i) => {
    idOf.set(b.toLowerCase(), b);
    if (names[i]) idOf.set(names[i]!.toLowerCase(), b);
  });
  const payments = q.payments.filter((p) => idOf.has(p.to) && idOf.get(p.to) !== self).map((p) => ({ ...p, to: idOf.get(p.to)! }));
  return { bank: self, balance: balanceCents, payments };
}

/** After a settlement: drops the payments that settled (by id) from the standing queue. */
export function dropSettled(store: KvStore, settledIds: readonly string[]): void {
  const q = readStandingQueue(store);
  if (!q || settledIds.length === 0) return;
  const gone = new Set(settledIds);
  store.setKv(QUEUE_KEY, JSON.stringify({ ...q, payments: q.payments.filter((p) => !gone.has(p.id)) }));
}
