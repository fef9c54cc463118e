/** A bank locks liquidity for a clearing cycle (approving the contract first). */
import type { Hash } from 'viem';
import { lockForCycle } from '../../chain/clearing.js';
import { requireAccount, type TacitClient } from '../client.js';
import { getClearingCycle } from './getClearingCycle.js';

export interface LockForClearingParameters {
  cycleId: bigint;
  /** Token units (not cents). */
  amount: bigint;
}

/** @example await lockForClearing(bankClient, { cycleId, amount: 1_000_000n * 10n ** 16n }); */
export async function lockForClearing(client: TacitClient, p: LockForClearingParameters): Promise<{ txHash: Hash }> {
  const { token } = await getClearingCycle(client, { cycleId: p.cycleId });
  const r = await lockForCycle(client.ledger, requireAccount(client), token, p.cycleId, p.amount);
  return { txHash: r.transactionHash };
}
