/** Opens a clearing cycle on `Clearing` (docs/clearing.md): banks in position order, compute parties, deadline. */
import type { Address, Hash } from 'viem';
import { openClearingCycle as open } from '../../chain/clearing.js';
import { requireAccount, type TacitClient } from '../client.js';

export interface OpenClearingCycleParameters {
  banks: Address[];
  computeParties: Address[];
  /** Unix seconds; after it the cycle can only expire (every lock returned). */
  deadline: bigint;
  /** The ERC-20 banks lock (default: the deployment's payment token). */
  token?: Address;
}
export type OpenClearingCycleReturnType = { cycleId: bigint; txHash: Hash };

/** @example const { cycleId } = await openClearingCycle(client, { banks, computeParties, deadline }); */
export async function openClearingCycle(client: TacitClient, p: OpenClearingCycleParameters): Promise<OpenClearingCycleReturnType> {
  const token = p.token ?? client.manifest.contracts.PaymentToken;
  const { cycleId, receipt } = await open(client.ledger, requireAccount(client), { token, banks: p.banks, computeParties: p.computeParties, deadline: p.deadline });
  return { cycleId, txHash: receipt.transactionHash };
}
