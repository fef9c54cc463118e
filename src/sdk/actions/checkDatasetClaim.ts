/**
 * What a buyer checks before paying for a dataset: that a zero-knowledge claim about it
 * (row count ≥ N, an id present or absent, a column within bounds) was verified on-chain
 * against the commitment the dataset's owner — as the DataRegistry names it — registered
 * for that dataset. Nothing is taken from the seller: the owner comes from the registry, the
 * commitment from ZkClaims under the dataset's key, and the claim id is recomputed from the
 * circuit, that commitment and the statement the buyer cares about.
 */
import type { Address, Hex } from 'viem';
import { DataRegistryAbi } from '../../chain/artifacts.js';
import { claimIdOf, datasetCommitmentKey, type ZkChain } from '../../chain/zk-ledger.js';
import type { TacitClient } from '../client.js';

export interface CheckDatasetClaimParameters {
  datasetId: bigint;
  /** bytes32 id of the circuit in ZkClaims (`circuitKey(spec)`). */
  circuitId: `0x${string}`;
  /** The claim's statement (public inputs after the commitment), e.g. [minRows] or [idField]. */
  statement: readonly bigint[];
}

export interface CheckDatasetClaimReturnType {
  verified: boolean;
  owner: Address;
  /** The owner's registered commitment for the dataset (0n when none). */
  commitment: bigint;
  claimId: Hex;
  /** Unix seconds of the verification (0n when never verified). */
  verifiedAt: bigint;
  prover: Address;
}

/** @example const { verified } = await checkDatasetClaim(client, zk, { datasetId, circuitId, statement: [1000n] }); */
export async function checkDatasetClaim(client: TacitClient, zk: ZkChain, p: CheckDatasetClaimParameters): Promise<CheckDatasetClaimReturnType> {
  const registry = client.ledger.manifest.contracts.DataRegistry;
  const owner = await client.ledger.pub.readContract({ address: registry, abi: DataRegistryAbi, functionName: 'ownerOf', args: [p.datasetId] });
  const commitment = await zk.commitmentOf(owner, datasetCommitmentKey(registry, p.datasetId));
  const claimId = claimIdOf(p.circuitId, [commitment, ...p.statement]);
  const c = commitment === 0n ? undefined : await zk.claim(claimId);
  const verifiedAt = c?.verifiedAt ?? 0n;
  return { verified: verifiedAt > 0n && c?.circuitId === p.circuitId, owner, commitment, claimId, verifiedAt: BigInt(verifiedAt), prover: (c?.prover ?? '0x0000000000000000000000000000000000000000') as Address };
}
