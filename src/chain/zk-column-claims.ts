/**
 * ColumnRangeClaims on a chain (contracts/ColumnRangeClaims.sol): deploys it beside ZkClaims
 * (whose registered, ceremony-finalized verifiers it uses), commits a column
 * (src/zk/column-commitment.ts) and submits a range claim's chunk proofs in batches — one
 * transaction per batch, in order, so a 30,000-row column fits under the block gas limit
 * however many chunks it has. Reverts come back as TransactionRevertedError with the
 * contract's error name (ColumnInvalidProof, ColumnCommitmentMismatch, …).
 */
import { encodeAbiParameters, keccak256, parseEventLogs, type Address, type Hex } from 'viem';
import type { Bytes32 } from '../zk/ceremony.js';
import type { Groth16Proof } from '../zk/prover.js';
import { ColumnRangeClaimsAbi, ColumnRangeClaimsBytecode } from './artifacts.js';
import { ChainError } from './errors.js';
import type { ZkChain } from './zk-ledger.js';
import { proofToCalldata } from './zk-verifier.js';

/** The key under which a data owner commits one column of a dataset (one per registry, dataset and column). */
export function columnCommitmentKey(dataRegistry: Address, datasetId: bigint, column: string): Bytes32 {
  return keccak256(encodeAbiParameters([{ type: 'string' }, { type: 'address' }, { type: 'uint256' }, { type: 'string' }], ['tacit.dataset.column.zk.v1', dataRegistry, datasetId, column]));
}

/** The id ColumnRangeClaims records a claim under (bounds as field elements). */
export function columnRangeClaimId(committer: Address, key: Bytes32, lo: bigint, hi: bigint): Hex {
  return keccak256(encodeAbiParameters([{ type: 'string' }, { type: 'address' }, { type: 'bytes32' }, { type: 'uint256' }, { type: 'uint256' }], ['tacit.zk.column-range.v1', committer, key, lo, hi]));
}

export interface ColumnRecord {
  commitment: Hex;
  circuitId: Hex;
  rowCount: bigint;
  chunkSize: number;
  chunkCount: number;
}

export interface ChunkProof {
  digest: bigint;
  proof: Groth16Proof;
}

/** Chunks per transaction by default: ~61,000 gas each with batch verification, ~12.5 M gas a batch (block limit 30 M). */
export const DEFAULT_CHUNK_BATCH = 200;

export class ColumnRangeChain {
  constructor(readonly zk: ZkChain, readonly address: Address) {}

  /** Deploys ColumnRangeClaims over `zk`'s ZkClaims. */
  static async deploy(zk: ZkChain, from: Address): Promise<ColumnRangeChain> {
    const r = await zk.tx(from, 'deploy ColumnRangeClaims', (w) => w.deployContract({ abi: ColumnRangeClaimsAbi, bytecode: ColumnRangeClaimsBytecode as Hex, args: [zk.deployment.claims] }));
    if (!r.contractAddress) throw new ChainError('deploying ColumnRangeClaims gave no contract address');
    return new ColumnRangeChain(zk, r.contractAddress);
  }

  async commitColumn(from: Address, key: Bytes32, c: { commitment: Hex; circuitId: Hex; rowCount: number; chunkSize: number }): Promise<bigint> {
    const r = await this.zk.tx(from, 'ColumnRangeClaims.commitColumn', (w) =>
      w.writeContract({ address: this.address, abi: ColumnRangeClaimsAbi, functionName: 'commitColumn', args: [key, c.commitment, c.circuitId, BigInt(c.rowCount), c.chunkSize] }),
    );
    return r.gasUsed;
  }

  async column(committer: Address, key: Bytes32): Promise<ColumnRecord> {
    const c = await this.zk.pub.readContract({ address: this.address, abi: ColumnRangeClaimsAbi, functionName: 'column', args: [committer, key] });
    return { commitment: c.commitment, circuitId: c.circuitId, rowCount: c.rowCount, chunkSize: c.chunkSize, chunkCount: c.chunkCount };
  }

  /** One transaction: chunks start … start+n−1. */
  async submitBatch(from: Address, ref: { committer: Address; key: Bytes32; lo: bigint; hi: bigint }, start: number, chunks: readonly ChunkProof[]): Promise<{ complete: boolean; claimId: Hex; gasUsed: bigint }> {
    const r = await this.zk.tx(from, 'ColumnRangeClaims.submitChunks', (w) =>
      w.writeContract({
        address: this.address,
        abi: ColumnRangeClaimsAbi,
        functionName: 'submitChunks',
        args: [ref, start, chunks.map((c) => c.digest), chunks.map((c) => proofToCalldata(c.proof))],
      }),
    );
    const [log] = parseEventLogs({ abi: ColumnRangeClaimsAbi, logs: r.logs, eventName: 'ColumnRangeVerified' });
    return { complete: log !== undefined, claimId: columnRangeClaimId(ref.committer, ref.key, ref.lo, ref.hi), gasUsed: r.gasUsed };
  }

  /** Submits every chunk in batches of `batch`; returns the claim id, whether it was recorded and the total gas. */
  async submitClaim(
    from: Address,
    ref: { committer: Address; key: Bytes32; lo: bigint; hi: bigint },
    chunks: readonly ChunkProof[],
    options: { batch?: number; onBatch?: (done: number, total: number) => void } = {},
  ): Promise<{ complete: boolean; claimId: Hex; gasUsed: bigint; transactions: number }> {
    const batch = options.batch ?? DEFAULT_CHUNK_BATCH;
    let gasUsed = 0n;
    let last = { complete: false, claimId: columnRangeClaimId(ref.committer, ref.key, ref.lo, ref.hi) as Hex };
    let transactions = 0;
    for (let start = 0; start < chunks.length; start += batch) {
      const r = await this.submitBatch(from, ref, start, chunks.slice(start, start + batch));
      gasUsed += r.gasUsed;
      transactions++;
      last = r;
      options.onBatch?.(Math.min(start + batch, chunks.length), chunks.length);
    }
    return { ...last, gasUsed, transactions };
  }

  async claim(claimId: Hex): Promise<{ prover: Address; verifiedAt: bigint }> {
    const c = await this.zk.pub.readContract({ address: this.address, abi: ColumnRangeClaimsAbi, functionName: 'claim', args: [claimId] });
    return { prover: c.prover, verifiedAt: BigInt(c.verifiedAt) };
  }

  async progress(submitter: Address, claimId: Hex): Promise<number> {
    return this.zk.pub.readContract({ address: this.address, abi: ColumnRangeClaimsAbi, functionName: 'progress', args: [submitter, claimId] });
  }
}
