/**
 * "Approve iff score ≥ threshold" for a committed linear model and committed applicant
 * features, revealing only the decision: score = Σ wᵢ·xᵢ + b in fixed point (weights and
 * features six decimals, bias and threshold twelve — the scale of a product), compared in
 * the circuit. Public: the model commitment, the features commitment, the threshold and
 * the decision; private: weights, bias, features, both salts and the score.
 *
 *   modelCommitment    = PoseidonVector(w₀ … w_{n−1}, b, saltₘ)
 *   featuresCommitment = PoseidonVector(x₀ … x_{n−1}, saltₓ)
 *
 * Every wᵢ, xᵢ, b and the threshold are proven to be signed 64-bit integers, so the sum
 * stays below 2^132 in magnitude and the sign test on (score − threshold) + 2^133 is exact.
 */
import { dec, type CircuitInput, type CircuitSpec } from './circuit.js';
import { toField } from '../field.js';

export const CREDIT_FEATURES = 23;

export function scoreThresholdCircuit(features = CREDIT_FEATURES): CircuitSpec {
  return {
    id: `credit-score-threshold-n${features}`,
    publicInputs: ['modelCommitment', 'featuresCommitment', 'threshold', 'approve'],
    commitmentInputs: 2,
    poseidon: [2, 16],
    main: `ScoreThreshold(${features})`,
    body: `
template ScoreThreshold(N) {
    signal input modelCommitment;
    signal input featuresCommitment;
    signal input threshold;
    signal input approve;
    signal input weights[N];
    signal input bias;
    signal input modelSalt;
    signal input features[N];
    signal input featuresSalt;

    component model = PoseidonVector(N + 2);
    component applicant = PoseidonVector(N + 1);
    component wOk[N];
    component xOk[N];
    signal terms[N];
    var score = bias;
    for (var i = 0; i < N; i++) {
        wOk[i] = Int64();
        wOk[i].in <== weights[i];
        xOk[i] = Int64();
        xOk[i].in <== features[i];
        model.in[i] <== weights[i];
        applicant.in[i] <== features[i];
        terms[i] <== weights[i] * features[i];
        score += terms[i];
    }
    model.in[N] <== bias;
    model.in[N + 1] <== modelSalt;
    applicant.in[N] <== featuresSalt;
    model.out === modelCommitment;
    applicant.out === featuresCommitment;

    component bOk = Int64();
    bOk.in <== bias;
    component tOk = Int64();
    tOk.in <== threshold;
    // approve = [score - threshold >= 0]: bit 133 of (score - threshold + 2^133).
    component sign = Num2Bits(134);
    sign.in <== score - threshold + ${1n << 133n};
    approve === sign.bits[133];
}
`,
  };
}

export interface ScoreWitness {
  weights: readonly bigint[];
  bias: bigint;
  modelSalt: bigint;
  features: readonly bigint[];
  featuresSalt: bigint;
  threshold: bigint;
  approve: boolean;
}

export function scoreThresholdInput(w: ScoreWitness, modelCommitment: bigint, featuresCommitment: bigint): CircuitInput {
  return {
    modelCommitment: dec(modelCommitment),
    featuresCommitment: dec(featuresCommitment),
    threshold: dec(toField(w.threshold)),
    approve: w.approve ? '1' : '0',
    weights: w.weights.map((x) => dec(toField(x))),
    bias: dec(toField(w.bias)),
    modelSalt: dec(w.modelSalt),
    features: w.features.map((x) => dec(toField(x))),
    featuresSalt: dec(w.featuresSalt),
  };
}
