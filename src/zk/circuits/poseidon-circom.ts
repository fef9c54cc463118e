/**
 * Emits the Poseidon permutation (eprint 2019/458, the variant in ../poseidon.ts) as a circom
 * template for a given number of inputs, with the round constants and MDS matrix written
 * in from poseidon-lite's tables, so the circuit and the off-circuit hash cannot drift apart
 * (test/zk/poseidon.test.ts proves and checks both). Written for Tacit, not derived from
 * circomlib: state[0] is the capacity (0), inputs fill state[1..t−1]; each round adds
 * constants, applies x^5 (all t elements in the 8 full rounds, element 0 in partial rounds)
 * and multiplies by M; the output is state[0]. Only S-box outputs are signals (3
 * constraints each: x², x⁴, x⁵); additions and the MDS product stay linear combinations.
 */
import { POSEIDON_FULL_ROUNDS, POSEIDON_PARTIAL_ROUNDS, poseidonConstants } from '../poseidon.js';

/** circom source of `template Poseidon<n>()` with `signal input in[n]; signal output out;`. */
export function poseidonTemplate(n: number): string {
  const t = n + 1;
  const { C, M } = poseidonConstants(n);
  const nF = POSEIDON_FULL_ROUNDS;
  const nP = POSEIDON_PARTIAL_ROUNDS[t - 2]!;
  const rounds = nF + nP;
  const sboxes = t * nF + nP;
  return `
function POSEIDON_C_${n}() {
    return [${C.slice(0, rounds * t).join(',')}];
}
function POSEIDON_M_${n}() {
    return [${M.map((row) => `[${row.join(',')}]`).join(',')}];
}
template Poseidon${n}() {
    signal input in[${n}];
    signal output out;
    var C[${rounds * t}] = POSEIDON_C_${n}();
    var M[${t}][${t}] = POSEIDON_M_${n}();
    signal x2[${sboxes}];
    signal x4[${sboxes}];
    signal x5[${sboxes}];
    var state[${t}];
    var next[${t}];
    state[0] = 0;
    for (var i = 1; i < ${t}; i++) { state[i] = in[i - 1]; }
    var s = 0;
    for (var r = 0; r < ${rounds}; r++) {
        var full = (r < ${nF / 2}) || (r >= ${nF / 2 + nP});
        for (var i = 0; i < ${t}; i++) {
            state[i] = state[i] + C[r * ${t} + i];
            if (full == 1 || i == 0) {
                x2[s] <== state[i] * state[i];
                x4[s] <== x2[s] * x2[s];
                x5[s] <== x4[s] * state[i];
                state[i] = x5[s];
                s = s + 1;
            }
        }
        for (var i = 0; i < ${t}; i++) {
            next[i] = 0;
            for (var j = 0; j < ${t}; j++) { next[i] = next[i] + M[i][j] * state[j]; }
        }
        for (var i = 0; i < ${t}; i++) { state[i] = next[i]; }
    }
    out <== state[0];
}
`;
}
