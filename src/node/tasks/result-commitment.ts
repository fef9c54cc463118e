/**
 * The receiver's commitment to a task result for zero-knowledge claims (docs/zk.md "Task
 * results"): when the task asks for it (`zkResult: "total"`), the receiver takes that numeric
 * field of the result it reconstructed, draws a fresh salt and computes the hiding
 * commitment Poseidon(fixed(value), salt) (src/zk/claims.ts), which it records on the
 * TaskMarket (`commitResult`). The salt travels only inside the result — the node's own
 * store and the box sealed to the requester — so the receiver and the requester can prove
 * statements about the value (e.g. "total debt below X", circuit task-result-bound) to anyone
 * while the chain holds only the commitment.
 */
import { resultCommitment } from '../../zk/claims.js';
import { randomField, toFixed } from '../../zk/field.js';

export interface ZkResultOpening {
  field: string;
  /** The value as the circuit sees it: six-decimal fixed point, decimal string. */
  fixed: string;
  salt: string;
  commitment: string;
}

/** The result with its `zkResult` opening added, and the commitment to record; throws TypeError when the field is not a number. */
export function commitResultField(output: unknown, field: string): { output: Record<string, unknown>; commitment: bigint } {
  const o = (typeof output === 'object' && output !== null ? output : {}) as Record<string, unknown>;
  const v = o[field];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`the result has no numeric field "${field}" to commit to`);
  const fixed = toFixed(v, field);
  const salt = randomField();
  const commitment = resultCommitment(fixed, salt);
  const zkResult: ZkResultOpening = { field, fixed: fixed.toString(), salt: salt.toString(), commitment: commitment.toString() };
  return { output: { ...o, zkResult }, commitment };
}
