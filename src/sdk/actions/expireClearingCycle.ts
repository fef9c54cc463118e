/** After its deadline, returns every lock of a cycle that did not settle (anyone may send it). */
import type { Hash } from 'viem';
import { expireCycle } from '../../chain/clearing.js';
import { requireAccount, type TacitClient } from '../client.js';

/** @example await expireClearingCycle(client, { cycleId }); */
export async function expireClearingCycle(client: TacitClient, p: { cycleId: bigint }): Promise<{ txHash: Hash }> {
  const r = await expireCycle(client.ledger, requireAccount(client), p.cycleId);
  return { txHash: r.transactionHash };
}
