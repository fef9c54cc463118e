/**
 * Opens a clearing cycle on `Clearing` (docs/clearing.md): banks in position order, compute
 * parties, deadline. With `run` the cycle is a task for the bank nodes: its program
 * parameters are published on-chain (CycleParams) and the nodes named in it lock, net under
 * MPC, approve and settle by themselves (src/node/clearing). Without it the caller drives
 * the cycle (lockForClearing, `tacit run clearing`, approveClearingSettlement, settle…).
 */
import { erc20Abi, type Address, type Hash } from 'viem';
import { openClearingCycle as open } from '../../chain/clearing.js';
import { cycleParams, encodeCycleParams, type CycleParams } from '../../node/clearing/params.js';
import { requireAccount, type TacitClient } from '../client.js';

export interface OpenClearingCycleParameters {
  banks: Address[];
  computeParties: Address[];
  /** Unix seconds; after it the cycle can only expire (every lock returned). */
  deadline: bigint;
  /** The ERC-20 banks lock (default: the deployment's payment token). */
  token?: Address;
  /**
   * Run by the bank nodes: slots per bank (the most payments one bank brings), and optionally
   * iterations (32), protocol (rep3), revealAggregates (true), unitsPerCent (default: the
   * token's base units per cent, 10^(decimals − 2)).
   */
  run?: Partial<CycleParams> & { slots: number };
}
export type OpenClearingCycleReturnType = { cycleId: bigint; txHash: Hash; params?: CycleParams };

/** @example const { cycleId } = await openClearingCycle(client, { banks, computeParties, deadline, run: { slots: 100 } }); */
export async function openClearingCycle(client: TacitClient, p: OpenClearingCycleParameters): Promise<OpenClearingCycleReturnType> {
  const token = p.token ?? client.manifest.contracts.PaymentToken;
  let params: CycleParams | undefined;
  if (p.run) {
    let unitsPerCent = p.run.unitsPerCent;
    if (unitsPerCent === undefined) {
      const decimals = await client.ledger.pub.readContract({ address: token, abi: erc20Abi, functionName: 'decimals' });
      unitsPerCent = (10n ** BigInt(Math.max(0, decimals - 2))).toString();
    }
    params = cycleParams({ ...p.run, unitsPerCent }, p.banks.length);
  }
  const { cycleId, receipt } = await open(client.ledger, requireAccount(client), {
    token,
    banks: p.banks,
    computeParties: p.computeParties,
    deadline: p.deadline,
    ...(params ? { params: encodeCycleParams(params) } : {}),
  });
  return { cycleId, txHash: receipt.transactionHash, ...(params ? { params } : {}) };
}
