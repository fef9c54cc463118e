/**
 * Clearing in plaintext: the reference the MPC program is tested against, and the tool to
 * measure how close the bounded algorithm comes to the exact one.
 *
 * Multilateral netting settles a set of payments at once: bank b's net position is its
 * incoming minus its outgoing over the settled set, and the set is feasible when every
 * balance + net position ≥ 0. When the whole queue is not feasible, Bech & Soramäki's
 * queue-removal rule (Bech & Soramäki 2001, "Gridlock resolution in interbank payment
 * systems", Bank of Finland Discussion Paper 9/2001; the rule the liquidity-matching MPC of
 * Atapoor, Smart & Talibi Alaoui, "Private Liquidity Matching using MPC", CT-RSA 2022,
 * also starts from) withdraws, from each bank whose position is negative, its next payment
 * in removal order (`queue.ts`) until the rest settles.
 *
 * Two implementations:
 *  - `clearExact` follows the rule one payment at a time (a worklist of failing banks).
 *  - `clearBounded` is the algorithm the MPC runs, with a fixed public number of
 *    iterations T. Each bank's settled payments are always a suffix of its removal order,
 *    so a bank is described by one cut; an iteration sets every bank's cut at once to the
 *    smallest one its balance + current incoming can pay (payment i stays iff its suffix
 *    total S_i ≤ balance + incoming). Starting from "everything settles" the sets only
 *    shrink and never drop below the rule's result (incoming only falls; a bank that is
 *    feasible at the rule's fixpoint is feasible with more incoming), and a set that is
 *    feasible is the rule's result (feasible sets are closed under union, and the rule
 *    yields the largest one). So after T iterations the set is either exactly the rule's
 *    result (then feasible) or still infeasible.
 *    In the same rounds a second sequence climbs from below: start from nothing (so the first
 *    iterate is what each bank's own balance pays, S_i ≤ balance) and apply the same update. Every set of it is feasible (a
 *    bank's cut is paid by the incoming of the previous set, and the sets only grow, so
 *    incoming only rises) and lies inside the rule's result. After T iterations the
 *    algorithm takes the upper set if it is feasible (then it is exactly the rule's result)
 *    and the lower set otherwise. Settlement is therefore feasible whatever T, and exact
 *    once T reaches `convergedAt`; below that it settles a subset (measured in the docs).
 */
import { removalOrder, suffixTotals, type BankQueue } from './queue.js';

export interface IncomingPayment {
  id: string;
  from: string;
  amount: number;
}

export interface BankOutcome {
  bank: string;
  /** Incoming − outgoing over the settled set, in cents. */
  net: bigint;
  /** Ids of this bank's payments that settle, in queue order. */
  settled: string[];
  /** Settled payments to this bank, by payer in bank order, then in the payer's queue order. */
  incoming: IncomingPayment[];
}

export interface ClearingOutcome {
  banks: BankOutcome[];
  /** Total value of the settled payments (cents). */
  settledValue: bigint;
  /** What a gross system needs to settle the same payments without recycling: Σ outgoing. */
  grossLiquidity: bigint;
  /** What netting needs: Σ max(0, −net). */
  netLiquidity: bigint;
  /** grossLiquidity − netLiquidity. */
  liquiditySaved: bigint;
}

export interface BoundedOutcome extends ClearingOutcome {
  /** Whether the T-th upper iterate was feasible (then it equals `clearExact`). */
  converged: boolean;
  /** First iteration whose upper set is feasible (Infinity if none within T). */
  convergedAt: number;
}

/** `settled[b][i]`: does payment i of bank b settle. Positions and totals from that set. */
export function outcomeOf(queues: readonly BankQueue[], settled: boolean[][]): ClearingOutcome {
  const index = new Map(queues.map((q, b) => [q.bank, b]));
  const net = queues.map(() => 0n);
  const out = queues.map(() => 0n);
  const banks: BankOutcome[] = queues.map((q) => ({ bank: q.bank, net: 0n, settled: [], incoming: [] }));
  queues.forEach((q, b) => {
    q.payments.forEach((p, i) => {
      if (!settled[b]![i]) return;
      const r = index.get(p.to)!;
      net[b]! -= BigInt(p.amount);
      out[b]! += BigInt(p.amount);
      net[r]! += BigInt(p.amount);
      banks[b]!.settled.push(p.id);
      banks[r]!.incoming.push({ id: p.id, from: q.bank, amount: p.amount });
    });
  });
  banks.forEach((o, b) => (o.net = net[b]!));
  const settledValue = out.reduce((s, x) => s + x, 0n);
  const netLiquidity = net.reduce((s, x) => s + (x < 0n ? -x : 0n), 0n);
  return { banks, settledValue, grossLiquidity: settledValue, netLiquidity, liquiditySaved: settledValue - netLiquidity };
}

/** The queue-removal rule, one payment at a time, to its fixpoint. */
export function clearExact(queues: readonly BankQueue[]): ClearingOutcome {
  const index = new Map(queues.map((q, b) => [q.bank, b]));
  const pos = queues.map((q) => BigInt(q.balance));
  for (const q of queues) {
    const b = index.get(q.bank)!;
    for (const p of q.payments) {
      pos[b]! -= BigInt(p.amount);
      pos[index.get(p.to)!]! += BigInt(p.amount);
    }
  }
  const orders = queues.map((q) => removalOrder(q.payments));
  const cut = queues.map(() => 0);
  const settled = queues.map((q) => q.payments.map(() => true));
  const work = queues.map((_, b) => b).filter((b) => pos[b]! < 0n);
  while (work.length > 0) {
    const b = work.pop()!;
    while (pos[b]! < 0n) {
      const i = orders[b]![cut[b]!++]!; // exists: with nothing left to pay, pos = balance + incoming ≥ 0
      const p = queues[b]!.payments[i]!;
      settled[b]![i] = false;
      pos[b]! += BigInt(p.amount);
      const r = index.get(p.to)!;
      const was = pos[r]!;
      pos[r]! -= BigInt(p.amount);
      if (was >= 0n && pos[r]! < 0n) work.push(r);
    }
  }
  return outcomeOf(queues, settled);
}

/** The MPC's algorithm in plaintext: T simultaneous cut updates from above and from below, then the choice. */
export function clearBounded(queues: readonly BankQueue[], iterations: number): BoundedOutcome {
  const index = new Map(queues.map((q, b) => [q.bank, b]));
  const suffix = queues.map((q) => suffixTotals(q.payments));
  const bal = queues.map((q) => BigInt(q.balance));
  let active = queues.map((q) => q.payments.map(() => true));
  const incomingOf = (set: boolean[][]) => {
    const inc = queues.map(() => 0n);
    queues.forEach((q, b) => q.payments.forEach((p, i) => set[b]![i] && (inc[index.get(p.to)!]! += BigInt(p.amount))));
    return inc;
  };
  const feasible = (set: boolean[][]) => {
    const inc = incomingOf(set);
    return queues.every((q, b) => {
      let out = 0n;
      q.payments.forEach((p, i) => set[b]![i] && (out += BigInt(p.amount)));
      return bal[b]! + inc[b]! - out >= 0n;
    });
  };
  let convergedAt = Infinity;
  let lower = queues.map((q) => q.payments.map(() => false)); // after one iteration: what each balance pays
  for (let t = 1; t <= iterations; t++) {
    const inc = incomingOf(active);
    const incLower = incomingOf(lower);
    active = queues.map((q, b) => q.payments.map((_, i) => suffix[b]![i]! <= bal[b]! + inc[b]!));
    lower = queues.map((q, b) => q.payments.map((_, i) => suffix[b]![i]! <= bal[b]! + incLower[b]!));
    if (convergedAt === Infinity && feasible(active)) convergedAt = t;
  }
  const converged = feasible(active);
  const settled = converged ? active : lower;
  return { ...outcomeOf(queues, settled), converged, convergedAt };
}

/**
 * A gross (RTGS) system with the same balances, for comparison: each bank pays its queue in
 * priority order (FIFO within a priority) whenever its balance covers the next payment,
 * receipts are recycled, until nothing moves. Returns the value it settles.
 */
export function settleGross(queues: readonly BankQueue[]): bigint {
  const index = new Map(queues.map((q, b) => [q.bank, b]));
  const bal = queues.map((q) => BigInt(q.balance));
  const orders = queues.map((q) => removalOrder(q.payments).reverse());
  const head = queues.map(() => 0);
  let value = 0n;
  for (let moved = true; moved; ) {
    moved = false;
    queues.forEach((q, b) => {
      for (;;) {
        const i = orders[b]![head[b]!];
        if (i === undefined) return;
        const p = q.payments[i]!;
        if (BigInt(p.amount) > bal[b]!) return;
        bal[b]! -= BigInt(p.amount);
        bal[index.get(p.to)!]! += BigInt(p.amount);
        value += BigInt(p.amount);
        head[b]!++;
        moved = true;
      }
    });
  }
  return value;
}
