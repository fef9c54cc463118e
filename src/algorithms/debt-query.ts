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
  if (spec.lenders.includes(mpc.self) && !(Number.isSafeInteger(balance) && balance! >= 0)) {
    throw new DebtQueryError(`lender ${mpc.self}: the balance must be a non-negative whole number of cents`);
  }
  const shares = await mpc.inputMany(spec.lenders.map((l) => ({ owner: l, values: l === mpc.self ? [balance!] : undefined, shape: [1], dtype: 'int' as const })));
  const all = mpc.concat(shares);
  const positive = await mpc.ltz(mpc.neg(all)); // balance > 0 ⇔ −balance < 0
  const out = await mpc.reveal(mpc.concat([mpc.sum(all), mpc.sum(positive)]), spec.receiver);
  return out ? { total: out[0]!, lenders: out[1]! } : {};
}
