/**
 * Submits a proven column range claim (proveColumnRange) to ColumnRangeClaims in batches of
 * chunks, one transaction each; the last batch records the claim if every chunk verified and
 * the digests chain to the owner's column commitment.
 */
import type { Address, Hex } from 'viem';
import { toField } from '../../zk/field.js';
import type { ColumnRangeChain } from '../../chain/zk-column-claims.js';
import type { ProveColumnRangeReturnType } from './proveColumnRange.js';

export interface SubmitColumnRangeParameters {
  from: Address;
  /** The column's owner and its key (columnCommitmentKey). */
  committer: Address;
  key: `0x${string}`;
  lo: bigint;
  hi: bigint;
  proven: Pick<ProveColumnRangeReturnType, 'chunks'>;
  /** Chunks per transaction (default 200, ~12.5 M gas). */
  batch?: number;
  onBatch?: (done: number, total: number) => void;
}

/** @example const { claimId, complete } = await submitColumnRange(cols, { from, committer: owner, key, lo, hi, proven }); */
export async function submitColumnRange(cols: ColumnRangeChain, p: SubmitColumnRangeParameters): Promise<{ complete: boolean; claimId: Hex; gasUsed: bigint; transactions: number }> {
  const ref = { committer: p.committer, key: p.key, lo: toField(p.lo), hi: toField(p.hi) };
  return cols.submitClaim(p.from, ref, p.proven.chunks, { ...(p.batch ? { batch: p.batch } : {}), ...(p.onBatch ? { onBatch: p.onBatch } : {}) });
}
