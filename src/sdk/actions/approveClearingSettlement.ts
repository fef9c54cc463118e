/** A compute party approves the settlement digest its clearing program output (`settlement.digest`). */
import type { Hash, Hex } from 'viem';
import { approveSettlement } from '../../chain/clearing.js';
import { requireAccount, type TacitClient } from '../client.js';

/** @example await approveClearingSettlement(client, { cycleId, digest: output.settlement.digest }); */
export async function approveClearingSettlement(client: TacitClient, p: { cycleId: bigint; digest: Hex }): Promise<{ txHash: Hash }> {
  const r = await approveSettlement(client.ledger, requireAccount(client), p.cycleId, p.digest);
  return { txHash: r.transactionHash };
}
