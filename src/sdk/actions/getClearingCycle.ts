/** A clearing cycle's on-chain state: token, deadline, state, banks and locks, approvals. */
import type { Address, Hex } from 'viem';
import { ClearingAbi } from '../../chain/artifacts.js';
import { SdkError, type TacitClient } from '../client.js';

export interface ClearingCycle {
  cycleId: bigint;
  token: Address;
  deadline: bigint;
  state: 'None' | 'Open' | 'Settled' | 'Expired';
  banks: readonly Address[];
  locked: readonly bigint[];
  computeParties: readonly Address[];
  /** Per compute party, the digest it approved (zero if none yet). */
  approvals: readonly Hex[];
}

const STATES = ['None', 'Open', 'Settled', 'Expired'] as const;

/** @example const c = await getClearingCycle(client, { cycleId: 1n }); c.state === 'Settled' */
export async function getClearingCycle(client: TacitClient, p: { cycleId: bigint }): Promise<ClearingCycle> {
  const address = client.manifest.contracts.Clearing;
  if (!address) throw new SdkError('this deployment has no Clearing contract', { hint: 'Redeploy with a current `tacit chain deploy`.' });
  const pub = client.ledger.pub;
  const args = [p.cycleId] as const;
  const [[token, deadline, state], [banks, locked], [computeParties, approvals]] = await Promise.all([
    pub.readContract({ address, abi: ClearingAbi, functionName: 'cycleOf', args }),
    pub.readContract({ address, abi: ClearingAbi, functionName: 'membersOf', args }),
    pub.readContract({ address, abi: ClearingAbi, functionName: 'approvalsOf', args }),
  ]);
  if (state === 0) throw new SdkError(`no clearing cycle ${p.cycleId}`);
  return { cycleId: p.cycleId, token, deadline: BigInt(deadline), state: STATES[state] ?? 'None', banks, locked, computeParties, approvals };
}
