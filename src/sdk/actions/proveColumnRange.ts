/**
 * Proves "every value of a committed column lies in [lo, hi]" chunk by chunk
 * (src/zk/column-commitment.ts, src/zk/circuits/column-range-chunk.ts): checks the range in
 * plain first, so a false claim is refused before any proving with the row that breaks it
 * (never its value); then one Groth16 proof per chunk on one warm prover process (the
 * proving key stays in memory between chunks), reporting progress after each chunk.
 */
import { circuitKey } from '../../zk/circuits/circuit.js';
import { columnRangeChunkCircuit } from '../../zk/circuits/column-range-chunk.js';
import type { ColumnCommitment } from '../../zk/column-commitment.js';
import { ZkProverError } from '../../zk/errors.js';
import type { Groth16Proof, Prover, VerificationKey } from '../../zk/prover.js';
import { localSetup } from '../../zk/setup.js';
import { WarmProver } from '../../zk/warm-prover.js';

export interface ProveColumnRangeParameters {
  column: ColumnCommitment;
  /** Bounds in fixed point (six decimals), inclusive. */
  lo: bigint;
  hi: bigint;
  /** A prover to use (default: a warm prover process, closed afterwards). */
  prover?: Prover;
  /** Keys of the chunk circuit from the network's ceremony; a local setup (development only) when omitted. */
  keys?: { zkey: string; wasm: string; vk: VerificationKey };
  /** Called after each chunk with the chunks done, the total and that chunk's proving seconds. */
  onChunk?: (done: number, total: number, seconds: number) => void;
}

export interface ProveColumnRangeReturnType {
  circuit: string;
  /** bytes32 id of the chunk circuit in ZkClaims. */
  circuitId: `0x${string}`;
  chunkSize: number;
  rowCount: number;
  /** The column commitment the chunks chain to. */
  commitment: `0x${string}`;
  chunks: { digest: bigint; proof: Groth16Proof; publicSignals: string[] }[];
  vk: VerificationKey;
  /** Sum of the chunks' proving times (inside the prover process). */
  proveSeconds: number;
}

/** @example const p = await proveColumnRange({ column, lo: 0n, hi: 1_000_000n * 10n ** 6n, onChunk: (d, n) => … }); */
export async function proveColumnRange(p: ProveColumnRangeParameters): Promise<ProveColumnRangeReturnType> {
  const { column, lo, hi } = p;
  column.checkRange(lo, hi);
  const spec = columnRangeChunkCircuit(column.chunkSize);
  const own = p.prover ? undefined : new WarmProver();
  const prover = p.prover ?? own!;
  try {
    const keys = p.keys ?? (await (async () => {
      const k = await localSetup(prover, spec);
      return { zkey: k.zkey, wasm: k.circuit.wasm, vk: k.vk };
    })());
    const chunks: ProveColumnRangeReturnType['chunks'] = [];
    let proveSeconds = 0;
    for (let j = 0; j < column.chunkCount; j++) {
      const r = await prover.prove(keys.wasm, keys.zkey, column.chunkInput(j, lo, hi));
      if (BigInt(r.publicSignals[0] ?? -1) !== column.digests[j]) throw new ZkProverError(`the proof of chunk ${j} is for another digest`);
      chunks.push({ digest: column.digests[j]!, proof: r.proof, publicSignals: r.publicSignals });
      proveSeconds += r.seconds;
      p.onChunk?.(j + 1, column.chunkCount, r.seconds);
    }
    return { circuit: spec.id, circuitId: circuitKey(spec), chunkSize: column.chunkSize, rowCount: column.rowCount, commitment: column.commitment, chunks, vk: keys.vk, proveSeconds };
  } finally {
    if (own instanceof WarmProver) own.close();
  }
}
