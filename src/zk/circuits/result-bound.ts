/**
 * "The task's result lies in [lo, hi]" for a result the receiver holds and the task
 * committed to as Poseidon(result, salt) (a hiding commitment: the salt is a random field
 * element known to the receiver only). Covers "total debt below X" (lo = 0, hi = X) and
 * "the intersection has at least N ids" (lo = N, hi = 2^62). Public: the result commitment,
 * lo, hi; private: the result and the salt. The result is a signed 64-bit fixed-point or
 * integer value.
 */
import { dec, type CircuitInput, type CircuitSpec } from './circuit.js';
import { toField } from '../field.js';

export function resultBoundCircuit(): CircuitSpec {
  return {
    id: 'task-result-bound',
    publicInputs: ['resultCommitment', 'lo', 'hi'],
    commitmentInputs: 1,
    poseidon: [2],
    main: 'ResultBound()',
    body: `
template ResultBound() {
    signal input resultCommitment;
    signal input lo;
    signal input hi;
    signal input result;
    signal input salt;
    component c = Poseidon2();
    c.in[0] <== result;
    c.in[1] <== salt;
    c.out === resultCommitment;
    component rOk = Int64();
    rOk.in <== result;
    component loOk = Int64();
    loOk.in <== lo;
    component hiOk = Int64();
    hiOk.in <== hi;
    component above = NonNegative(65);
    above.in <== result - lo;
    component below = NonNegative(65);
    below.in <== hi - result;
}
`,
  };
}

export function resultBoundInput(result: bigint, salt: bigint, commitment: bigint, lo: bigint, hi: bigint): CircuitInput {
  return { resultCommitment: dec(commitment), lo: dec(toField(lo)), hi: dec(toField(hi)), result: dec(toField(result)), salt: dec(salt) };
}
