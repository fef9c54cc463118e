/**
 * Submits a proven claim to ZkClaims, which fills in the registered commitments, calls the
 * circuit's verifier and records the claim (reverting with ZkClaimsInvalidProof otherwise).
 */
import type { Address, Hex } from 'viem';
import type { ZkChain } from '../../chain/zk-ledger.js';
import type { ProveZkClaimReturnType } from './proveZkClaim.js';

export interface SubmitZkClaimParameters {
  from: Address;
  proven: Pick<ProveZkClaimReturnType, 'circuitId' | 'statement' | 'proof'>;
  /** The registered commitments the claim is about, in the circuit's order. */
  commitments: readonly { committer: Address; key: `0x${string}` }[];
}

/** @example const { claimId } = await submitZkClaim(zk, { from, proven, commitments: [{ committer: owner, key }] }); */
export async function submitZkClaim(zk: ZkChain, p: SubmitZkClaimParameters): Promise<{ claimId: Hex; gasUsed: bigint; txHash: Hex }> {
  return zk.submitClaim(p.from, p.proven.circuitId, p.commitments, p.proven.statement, p.proven.proof);
}
