/**
 * Applies a cycle's net positions in one transaction (anyone may send it once every compute
 * party approved the digest of exactly these nets and settled-set commitment).
 */
import type { Hash, Hex } from 'viem';
import { settleCycle } from '../../chain/clearing.js';
import { requireAccount, type TacitClient } from '../client.js';

export interface SettleClearingCycleParameters {
  cycleId: bigint;
  /** Net positions in token units, in the cycle's bank order (the program's `settlement.nets`). */
  nets: readonly bigint[];
  settledSet: Hex;
}

/** @example await settleClearingCycle(client, { cycleId, nets: out.settlement.nets.map(BigInt), settledSet: out.settledSet }); */
export async function settleClearingCycle(client: TacitClient, p: SettleClearingCycleParameters): Promise<{ txHash: Hash; gasUsed: bigint }> {
  const r = await settleCycle(client.ledger, requireAccount(client), p.cycleId, p.nets, p.settledSet);
  return { txHash: r.transactionHash, gasUsed: r.gasUsed };
}
