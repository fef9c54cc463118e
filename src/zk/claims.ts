/**
 * The claims Tacit can prove, as one discriminated union: each names its circuit, builds the
 * circuit's private and public inputs from the prover's own data, and splits the public
 * inputs into the on-chain commitments (which ZkClaims fills in from its registry) and the
 * statement (bounds, id, decision) the verifier reads. What each claim reveals is listed in
 * docs/zk.md; in short, only the statement.
 */
import { absenceCircuit, absenceInput, columnRangeCircuit, columnRangeInput, membershipCircuit, membershipInput, rowCountCircuit, rowCountInput } from './circuits/dataset-claims.js';
import { scoreThresholdCircuit, scoreThresholdInput, type ScoreWitness } from './circuits/credit-score.js';
import { resultBoundCircuit, resultBoundInput } from './circuits/result-bound.js';
import type { CircuitInput, CircuitSpec } from './circuits/circuit.js';
import type { DatasetCommitment } from './dataset-commitment.js';
import { ZkInputError } from './errors.js';
import { hash2, poseidonVector } from './poseidon.js';
import { toField } from './field.js';

export type Claim =
  | { kind: 'row-count'; data: DatasetCommitment; minRows: number }
  | { kind: 'membership'; data: DatasetCommitment; id: string }
  | { kind: 'absence'; data: DatasetCommitment; id: string }
  | { kind: 'column-range'; data: DatasetCommitment; column: string; lo: bigint; hi: bigint; rowsLog2?: number }
  | { kind: 'credit-decision'; witness: ScoreWitness }
  | { kind: 'result-bound'; result: bigint; salt: bigint; lo: bigint; hi: bigint };

export type ClaimKind = Claim['kind'];

/** The circuit that proves claims of `kind` (with default parameters). */
export function circuitFor(kind: ClaimKind, options: { rowsLog2?: number; features?: number } = {}): CircuitSpec {
  switch (kind) {
    case 'row-count': return rowCountCircuit();
    case 'membership': return membershipCircuit();
    case 'absence': return absenceCircuit();
    case 'column-range': return columnRangeCircuit(options.rowsLog2 ?? 3);
    case 'credit-decision': return scoreThresholdCircuit(options.features);
    case 'result-bound': return resultBoundCircuit();
  }
}

/** Model commitment of a linear model: PoseidonVector(weights, bias, salt) (fixed point as field elements). */
export function modelCommitment(weights: readonly bigint[], bias: bigint, salt: bigint): bigint {
  return poseidonVector([...weights.map(toField), toField(bias), salt]);
}

/** Features commitment of an applicant: PoseidonVector(features, salt). */
export function featuresCommitment(features: readonly bigint[], salt: bigint): bigint {
  return poseidonVector([...features.map(toField), salt]);
}

/** Hiding commitment of a task result: Poseidon(result, salt). */
export function resultCommitment(result: bigint, salt: bigint): bigint {
  return hash2(toField(result), salt);
}

/** The spec and prover input of a claim. */
export function claimCircuit(claim: Claim): { spec: CircuitSpec; input: CircuitInput } {
  switch (claim.kind) {
    case 'row-count': {
      if (!Number.isInteger(claim.minRows) || claim.minRows < 0) throw new ZkInputError('minRows must be a non-negative integer');
      return { spec: rowCountCircuit(), input: rowCountInput(claim.data, claim.minRows) };
    }
    case 'membership':
      return { spec: membershipCircuit(), input: membershipInput(claim.data, claim.id) };
    case 'absence':
      return { spec: absenceCircuit(), input: absenceInput(claim.data, claim.id) };
    case 'column-range': {
      const r = claim.rowsLog2 ?? Math.max(1, Math.ceil(Math.log2(Math.max(claim.data.rowCount, 2))));
      if (claim.lo > claim.hi) throw new ZkInputError('lo must not exceed hi');
      return { spec: columnRangeCircuit(r), input: columnRangeInput(claim.data, r, claim.column, claim.lo, claim.hi) };
    }
    case 'credit-decision': {
      const w = claim.witness;
      if (w.weights.length !== w.features.length) throw new ZkInputError(`the model has ${w.weights.length} weights but the applicant ${w.features.length} features`);
      const score = w.weights.reduce((s, wi, i) => s + wi * w.features[i]!, w.bias);
      if ((score >= w.threshold) !== w.approve) throw new ZkInputError('the decision does not follow from the score', { hint: 'approve must be score ≥ threshold; a false decision cannot be proven' });
      return {
        spec: scoreThresholdCircuit(w.weights.length),
        input: scoreThresholdInput(w, modelCommitment(w.weights, w.bias, w.modelSalt), featuresCommitment(w.features, w.featuresSalt)),
      };
    }
    case 'result-bound':
      return { spec: resultBoundCircuit(), input: resultBoundInput(claim.result, claim.salt, resultCommitment(claim.result, claim.salt), claim.lo, claim.hi) };
  }
}

/** Splits public signals (decimal strings) into the commitments and the statement, as bigints. */
export function splitPublicSignals(spec: CircuitSpec, publicSignals: readonly string[]): { commitments: bigint[]; statement: bigint[] } {
  const all = publicSignals.map((s) => BigInt(s));
  return { commitments: all.slice(0, spec.commitmentInputs), statement: all.slice(spec.commitmentInputs) };
}
