/**
 * Small circom templates written for Tacit (not from circomlib): bit decomposition, range
 * and order checks on integers, Merkle paths, and the fixed-length Poseidon vector hash.
 * Integers are field elements; every comparison first proves its operands fit in n bits,
 * so no wrap-around modulo p can fake an order.
 */
import { VECTOR_RATE } from '../poseidon.js';
import { zeroHash } from '../merkle.js';

export const GADGETS = `
// in = sum bits[i] * 2^i with every bit boolean: proves 0 <= in < 2^n.
template Num2Bits(n) {
    signal input in;
    signal output bits[n];
    var acc = 0;
    var w = 1;
    for (var i = 0; i < n; i++) {
        bits[i] <-- (in >> i) & 1;
        bits[i] * (bits[i] - 1) === 0;
        acc += bits[i] * w;
        w = w + w;
    }
    acc === in;
}

// Proves -2^63 <= in < 2^63 (a signed 64-bit integer).
template Int64() {
    signal input in;
    component b = Num2Bits(64);
    b.in <== in + ${1n << 63n};
}

// out = 1 iff a < b, for a, b already known to lie in [0, 2^n).
template LessThan(n) {
    signal input a;
    signal input b;
    signal output out;
    component bits = Num2Bits(n + 1);
    bits.in <== a + (1 << n) - b;
    out <== 1 - bits.bits[n];
}

// Proves in >= 0 for an in known to lie in (-2^n, 2^n).
template NonNegative(n) {
    signal input in;
    component b = Num2Bits(n);
    b.in <== in;
}

// Root of a depth-D Poseidon Merkle path; bits[i] = 1 when the node at level i is a right child.
template MerkleRoot(D) {
    signal input leaf;
    signal input siblings[D];
    signal input bits[D];
    signal output root;
    component h[D];
    signal cur[D + 1];
    signal swap[D];
    cur[0] <== leaf;
    for (var i = 0; i < D; i++) {
        bits[i] * (bits[i] - 1) === 0;
        swap[i] <== bits[i] * (siblings[i] - cur[i]);
        h[i] = Poseidon2();
        h[i].in[0] <== cur[i] + swap[i];
        h[i].in[1] <== siblings[i] - swap[i];
        cur[i + 1] <== h[i].out;
    }
    root <== cur[D];
}

`;

/** PoseidonVector(n), needing Poseidon16 (emitted only by circuits that hash vectors). */
export const VECTOR_GADGET = `
// Hash of a length-n vector: h = 0; per ${VECTOR_RATE}-element chunk (zero padded) h = Poseidon16(h, chunk).
template PoseidonVector(n) {
    signal input in[n];
    signal output out;
    var chunks = (n + ${VECTOR_RATE - 1}) \\ ${VECTOR_RATE};
    component p[chunks];
    for (var c = 0; c < chunks; c++) {
        p[c] = Poseidon16();
        if (c == 0) {
            p[c].in[0] <== 0;
        } else {
            p[c].in[0] <== p[c - 1].out;
        }
        for (var j = 0; j < ${VECTOR_RATE}; j++) {
            if (c * ${VECTOR_RATE} + j < n) {
                p[c].in[j + 1] <== in[c * ${VECTOR_RATE} + j];
            } else {
                p[c].in[j + 1] <== 0;
            }
        }
    }
    out <== p[chunks - 1].out;
}
`;

/** circom function returning z_h, the root of an empty subtree of height h, for h < count. */
export function zeroHashesFunction(count: number): string {
  const zs = Array.from({ length: count }, (_, h) => zeroHash(h));
  return `
function ZERO_HASHES() {
    return [${zs.join(',')}];
}
`;
}
