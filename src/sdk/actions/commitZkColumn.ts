/**
 * Commits one numeric column of a published dataset for range claims: the owner records the
 * column's chunked commitment (src/zk/column-commitment.ts) in ColumnRangeClaims under
 * `columnCommitmentKey(DataRegistry, datasetId, column)`, with the chunk circuit its proofs
 * will use. Once recorded it never changes.
 */
import type { Address } from 'viem';
import { columnCommitmentKey, type ColumnRangeChain } from '../../chain/zk-column-claims.js';
import { circuitKey } from '../../zk/circuits/circuit.js';
import { columnRangeChunkCircuit } from '../../zk/circuits/column-range-chunk.js';
import type { ColumnCommitment } from '../../zk/column-commitment.js';

/** @example await commitZkColumn(cols, { from: owner, dataRegistry, datasetId, column }); */
export async function commitZkColumn(cols: ColumnRangeChain, p: { from: Address; dataRegistry: Address; datasetId: bigint; column: ColumnCommitment }): Promise<{ key: `0x${string}`; gasUsed: bigint }> {
  const key = columnCommitmentKey(p.dataRegistry, p.datasetId, p.column.column);
  const gasUsed = await cols.commitColumn(p.from, key, {
    commitment: p.column.commitment,
    circuitId: circuitKey(columnRangeChunkCircuit(p.column.chunkSize)),
    rowCount: p.column.rowCount,
    chunkSize: p.column.chunkSize,
  });
  return { key, gasUsed };
}
