/**
 * What a buyer checks before paying: that "every value of column X lies in [lo, hi]" was
 * verified on-chain for the column the dataset's owner — as the DataRegistry names it —
 * committed, and that the committed column has the row count the dataset was published
 * with. Nothing comes from the seller: owner and row count from the DataRegistry, the column
 * record from ColumnRangeClaims under the dataset's key, the claim id recomputed from the
 * bounds the buyer cares about.
 */
import type { Address, Hex } from 'viem';
import { DataRegistryAbi } from '../../chain/artifacts.js';
import { columnCommitmentKey, columnRangeClaimId, type ColumnRangeChain } from '../../chain/zk-column-claims.js';
import { toField } from '../../zk/field.js';
import type { TacitClient } from '../client.js';

export interface CheckColumnRangeClaimParameters {
  datasetId: bigint;
  column: string;
  /** Bounds in fixed point (six decimals). */
  lo: bigint;
  hi: bigint;
}

export interface CheckColumnRangeClaimReturnType {
  verified: boolean;
  owner: Address;
  /** Rows the DataRegistry lists for the dataset, and rows the committed column holds (0n when not committed). */
  listedRows: bigint;
  committedRows: bigint;
  claimId: Hex;
  verifiedAt: bigint;
  prover: Address;
}

/** @example const { verified } = await checkColumnRangeClaim(client, cols, { datasetId, column: 'LIMIT_BAL', lo: 0n, hi: 10n ** 12n }); */
export async function checkColumnRangeClaim(client: TacitClient, cols: ColumnRangeChain, p: CheckColumnRangeClaimParameters): Promise<CheckColumnRangeClaimReturnType> {
  const registry = client.ledger.manifest.contracts.DataRegistry;
  const dataset = await client.ledger.pub.readContract({ address: registry, abi: DataRegistryAbi, functionName: 'getDataset', args: [p.datasetId] });
  const key = columnCommitmentKey(registry, p.datasetId, p.column);
  const col = await cols.column(dataset.owner, key);
  const claimId = columnRangeClaimId(dataset.owner, key, toField(p.lo), toField(p.hi));
  const c = await cols.claim(claimId);
  const rowsMatch = col.rowCount === BigInt(dataset.rowCount);
  return { verified: c.verifiedAt > 0n && rowsMatch, owner: dataset.owner, listedRows: BigInt(dataset.rowCount), committedRows: col.rowCount, claimId, verifiedAt: c.verifiedAt, prover: c.prover };
}
