/**
 * `debt-query` (the MPC part): how much does an applicant owe across lenders, and to how
 * many — the receiver learns only these two numbers, never which lender lent or how much
 * each, and no lender learns another's book.
 *
 * Each lender secret-shares its outstanding balance for the applicant (0 if none) as a
 * whole number of cents. Under MPC: total = Σ balance, lenders = Σ [balance > 0] (one
 * batched sign test, ~10 rounds). Only the two sums are opened, to the receiver.
 * How a lender finds the applicant's row without the id travelling in clear is the
 * program's part (`programs/debt-query.ts`).
 */
import { TacitError } from '../errors.js';
import type { Mpc } from '../mpc/engine.js';

export interface DebtQuerySpec {
  lenders: string[];
  receiver: string;
}

export class DebtQueryError extends TacitError {
  override name = 'DebtQueryError';
}

export async function debtQueryMpc(mpc: Mpc, spec: DebtQuerySpec, balance: number | undefined): Promise<{ total?: number; lenders?: number }> {
  const out = await debtQueryManyMpc(mpc, spec, 1, balance === undefined ? undefined : [balance]);
  return out.totals ? { total: out.totals[0]!, lenders: out.lenders![0]! } : {};
}

/**
 * The same for `count` applicants at once (one input round, one batched sign test): each
 * lender inputs one balance per applicant; per applicant the receiver learns the total and
 * the number of lenders with a positive balance.
 */
export async function debtQueryManyMpc(
  mpc: Mpc,
  spec: DebtQuerySpec,
  count: number,
  balances: number[] | undefined,
): Promise<{ totals?: number[]; lenders?: number[] }> {
  if (spec.lenders.includes(mpc.self) && !(balances?.length === count && balances.every((b) => Number.isSafeInteger(b) && b >= 0))) {
    throw new DebtQueryError(`lender ${mpc.self}: each balance must be a non-negative whole number of cents`);
  }
  const shares = await mpc.inputMany(spec.lenders.map((l) => ({ owner: l, values: l === mpc.self ? balances : undefined, shape: [1, count], dtype: 'int' as const })));
  const all = mpc.concat(shares).reshape([spec.lenders.length, count]);
  const positive = await mpc.ltz(mpc.neg(all)); // balance > 0 ⇔ −balance < 0
  const out = await mpc.reveal(mpc.concat([mpc.sum(all, 0), mpc.sum(positive.reshape([spec.lenders.length, count]), 0)]), spec.receiver);
  return out ? { totals: Array.from(out.subarray(0, count)), lenders: Array.from(out.subarray(count)) } : {};
}
