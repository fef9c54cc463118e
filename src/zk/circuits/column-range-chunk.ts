/**
 * "Every value of this chunk of a committed column lies in [lo, hi]": one proof per chunk of
 * C values of a column committed as ../column-commitment.ts describes; ColumnRangeClaims
 * checks the digests it was given chain to the owner's commitment and that every chunk was
 * proven. Public: the chunk's digest, its count of real values (C except in the last chunk;
 * the contract computes it from the committed row count), lo and hi; private: the salt and
 * the values.
 *
 * Range check without comparing signed numbers: lo and hi are proven to be signed 64-bit
 * integers, and for every real value v both a = v − lo and b = hi − v are proven to lie in
 * [0, 2^64) (two 64-bit decompositions, ~130 constraints). Then a + b = hi − lo holds as
 * integers (both sides are far below p in magnitude), so lo ≤ hi, and v = lo + a with
 * 0 ≤ a ≤ hi − lo, i.e. lo ≤ v ≤ hi. Padding slots (pad = 1) must hold COLUMN_PAD = 2^64,
 * come only after the real values, and number exactly C − count, so a chunk's digest and its
 * public count agree. ~175 constraints per value: C = 256 fits a 2^16 accumulator.
 */
import { COLUMN_PAD } from '../column-commitment.js';
import type { CircuitSpec } from './circuit.js';

export function columnRangeChunkCircuit(chunkSize: number): CircuitSpec {
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || (chunkSize & (chunkSize - 1)) !== 0) throw new RangeError(`chunk size must be a power of two, got ${chunkSize}`);
  return {
    id: `column-range-chunk-${chunkSize}`,
    publicInputs: ['digest', 'count', 'lo', 'hi'],
    commitmentInputs: 1,
    poseidon: [2, 16],
    main: `ColumnRangeChunk(${chunkSize})`,
    body: `
template ColumnRangeChunk(C) {
    signal input digest;
    signal input count;
    signal input lo;
    signal input hi;
    signal input salt;
    signal input values[C];
    signal input pad[C];
    component loOk = Int64();
    loOk.in <== lo;
    component hiOk = Int64();
    hiOk.in <== hi;
    component h = PoseidonVector(C + 1);
    h.in[0] <== salt;
    component above[C];
    component below[C];
    signal a[C];
    signal b[C];
    var real = 0;
    pad[0] === 0;
    for (var i = 0; i < C; i++) {
        pad[i] * (pad[i] - 1) === 0;
        if (i > 0) { pad[i - 1] * (1 - pad[i]) === 0; }
        pad[i] * (values[i] - ${COLUMN_PAD}) === 0;
        a[i] <== (1 - pad[i]) * (values[i] - lo);
        b[i] <== (1 - pad[i]) * (hi - values[i]);
        above[i] = Num2Bits(64);
        above[i].in <== a[i];
        below[i] = Num2Bits(64);
        below[i].in <== b[i];
        real += 1 - pad[i];
        h.in[i + 1] <== values[i];
    }
    real === count;
    h.out === digest;
}
`,
  };
}
