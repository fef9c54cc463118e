/**
 * Circuits for claims about a committed dataset (../dataset-commitment.ts): a row with a
 * given id is present, a given id is absent, the dataset has at least N rows, and every
 * value of one column lies in [lo, hi]. Each takes the dataset commitment as its first public input, so the verifier
 * contract checks the proof against the commitment the owner registered, not one the prover
 * picks.
 *
 * Column range proves over the whole dataset, so its circuit holds every row: it is built
 * for datasets of at most 2^r rows (the rows fill the leftmost height-r subtree; the rest of
 * the depth-20 tree is empty, its siblings the constants z_r … z_19). Larger datasets need a
 * larger r (about 6·2^r Poseidon hashes).
 */
import { COLUMN_DEPTH, ROW_DEPTH, type DatasetCommitment } from '../dataset-commitment.js';
import { idToField, toField } from '../field.js';
import { zeroHashesFunction } from './gadgets-circom.js';
import { dec, type CircuitInput, type CircuitSpec } from './circuit.js';
import { ZkInputError } from '../errors.js';

const COUNT_BITS = ROW_DEPTH + 1;

/** "A row with id X is in the dataset": reveals only the id's field element. */
export function membershipCircuit(depth = ROW_DEPTH): CircuitSpec {
  return {
    id: `dataset-membership-d${depth}`,
    publicInputs: ['commitment', 'idField'],
    commitmentInputs: 1,
    poseidon: [2, 3],
    main: `DatasetMembership(${depth})`,
    body: `
template DatasetMembership(D) {
    signal input commitment;
    signal input idField;
    signal input nextIdField;
    signal input colRoot;
    signal input rowCount;
    signal input siblings[D];
    signal input bits[D];
    component leaf = Poseidon3();
    leaf.in[0] <== idField;
    leaf.in[1] <== nextIdField;
    leaf.in[2] <== colRoot;
    component path = MerkleRoot(D);
    path.leaf <== leaf.out;
    for (var i = 0; i < D; i++) { path.siblings[i] <== siblings[i]; path.bits[i] <== bits[i]; }
    component c = Poseidon2();
    c.in[0] <== path.root;
    c.in[1] <== rowCount;
    c.out === commitment;
    // The row lies among the first rowCount leaves.
    var index = 0;
    for (var i = 0; i < D; i++) { index += bits[i] * (1 << i); }
    component countBits = Num2Bits(D + 1);
    countBits.in <== rowCount;
    component inside = LessThan(D + 1);
    inside.a <== index;
    inside.b <== rowCount;
    inside.out === 1;
}
`,
  };
}

export function membershipInput(data: DatasetCommitment, id: string): CircuitInput {
  const i = data.indexOf(id);
  if (i < 0) throw new ZkInputError('the id is not in the committed dataset', { hint: 'a presence claim can only be proven for an id the dataset holds' });
  const row = data.rows[i]!;
  const path = data.path(i);
  return {
    commitment: dec(data.commitment),
    idField: dec(row.idField),
    nextIdField: dec(row.nextIdField),
    colRoot: dec(row.columns.root),
    rowCount: dec(BigInt(data.rowCount)),
    siblings: path.siblings.map(dec),
    bits: path.bits.map((b) => String(b)),
  };
}

/** Ids are below 2^248; successor links may equal ID_END = 2^248: 249 bits hold both. */
const ID_BITS = 249;

/**
 * "No row has id X": the committed leaf whose id and successor enclose X (id_i < X < id_{i+1}),
 * or leaf 0 when X lies below every id. Reveals only the id asked about. Sound for a
 * canonical commitment (sorted ids, true successor links: ../dataset-commitment.ts).
 */
export function absenceCircuit(depth = ROW_DEPTH): CircuitSpec {
  return {
    id: `dataset-absence-d${depth}`,
    publicInputs: ['commitment', 'idField'],
    commitmentInputs: 1,
    poseidon: [2, 3],
    main: `DatasetAbsence(${depth})`,
    body: `
template DatasetAbsence(D) {
    signal input commitment;
    signal input idField;
    signal input lowId;
    signal input nextId;
    signal input colRoot;
    signal input rowCount;
    signal input below;
    signal input siblings[D];
    signal input bits[D];
    component leaf = Poseidon3();
    leaf.in[0] <== lowId;
    leaf.in[1] <== nextId;
    leaf.in[2] <== colRoot;
    component path = MerkleRoot(D);
    path.leaf <== leaf.out;
    for (var i = 0; i < D; i++) { path.siblings[i] <== siblings[i]; path.bits[i] <== bits[i]; }
    component c = Poseidon2();
    c.in[0] <== path.root;
    c.in[1] <== rowCount;
    c.out === commitment;
    // The leaf is a row: index < rowCount.
    var index = 0;
    for (var i = 0; i < D; i++) { index += bits[i] * (1 << i); }
    component countBits = Num2Bits(D + 1);
    countBits.in <== rowCount;
    component inside = LessThan(D + 1);
    inside.a <== index;
    inside.b <== rowCount;
    inside.out === 1;
    // below = 1: X < id_0 at leaf 0. below = 0: id_i < X < id_{i+1}.
    below * (below - 1) === 0;
    below * index === 0;
    component xBits = Num2Bits(${ID_BITS});
    xBits.in <== idField;
    component lowBits = Num2Bits(${ID_BITS});
    lowBits.in <== lowId;
    component nextBits = Num2Bits(${ID_BITS});
    nextBits.in <== nextId;
    component underUpper = LessThan(${ID_BITS});
    underUpper.a <== idField;
    underUpper.b <== nextId + below * (lowId - nextId);
    underUpper.out === 1;
    component overLower = LessThan(${ID_BITS});
    overLower.a <== lowId;
    overLower.b <== idField;
    (1 - below) * (1 - overLower.out) === 0;
}
`,
  };
}

/** The witness of "id X is absent" at leaf `index` (below: X under every id, index 0); any leaf may be named, for tests. */
export function absenceWitness(data: DatasetCommitment, idField: bigint, index: number, below: boolean): CircuitInput {
  const row = data.rows[index];
  if (!row) throw new ZkInputError(`the committed dataset has no row ${index}`);
  const path = data.path(index);
  return {
    commitment: dec(data.commitment),
    idField: dec(idField),
    lowId: dec(row.idField),
    nextId: dec(row.nextIdField),
    colRoot: dec(row.columns.root),
    rowCount: dec(BigInt(data.rowCount)),
    below: below ? '1' : '0',
    siblings: path.siblings.map(dec),
    bits: path.bits.map((b) => String(b)),
  };
}

export function absenceInput(data: DatasetCommitment, id: string): CircuitInput {
  if (data.indexOf(id) >= 0) throw new ZkInputError('the id is in the committed dataset', { hint: 'an absence claim can only be proven for an id the dataset does not hold' });
  if (data.rowCount === 0) throw new ZkInputError('the committed dataset is empty', { hint: 'a row-count claim (≥ 0 rows) says as much; absence needs a row to point at' });
  const x = idToField(id);
  const k = data.insertionPoint(x);
  return k === 0 ? absenceWitness(data, x, 0, true) : absenceWitness(data, x, k - 1, false);
}

/** "The dataset has at least minRows rows": reveals only the bound. */
export function rowCountCircuit(): CircuitSpec {
  return {
    id: 'dataset-row-count',
    publicInputs: ['commitment', 'minRows'],
    commitmentInputs: 1,
    poseidon: [2],
    main: 'DatasetRowCount()',
    body: `
template DatasetRowCount() {
    signal input commitment;
    signal input minRows;
    signal input rowsRoot;
    signal input rowCount;
    component c = Poseidon2();
    c.in[0] <== rowsRoot;
    c.in[1] <== rowCount;
    c.out === commitment;
    component a = Num2Bits(${COUNT_BITS});
    a.in <== rowCount;
    component b = Num2Bits(${COUNT_BITS});
    b.in <== minRows;
    component lt = LessThan(${COUNT_BITS});
    lt.a <== rowCount;
    lt.b <== minRows;
    lt.out === 0;
}
`,
  };
}

export function rowCountInput(data: DatasetCommitment, minRows: number): CircuitInput {
  return { commitment: dec(data.commitment), minRows: String(minRows), rowsRoot: dec(data.tree.root), rowCount: String(data.rowCount) };
}

/** "Every value of column c lies in [lo, hi]" for a dataset of at most 2^r rows. */
export function columnRangeCircuit(r = 3): CircuitSpec {
  const rows = 2 ** r;
  return {
    id: `dataset-column-range-r${r}`,
    publicInputs: ['commitment', 'column', 'lo', 'hi'],
    commitmentInputs: 1,
    poseidon: [2, 3],
    main: `DatasetColumnRange(${r}, ${ROW_DEPTH}, ${COLUMN_DEPTH})`,
    body: `${zeroHashesFunction(ROW_DEPTH + 1)}
template DatasetColumnRange(R, D, CD) {
    var N = 1 << R;
    signal input commitment;
    signal input column;
    signal input lo;
    signal input hi;
    signal input rowCount;
    signal input ids[N];
    signal input nextIds[N];
    signal input values[N];
    signal input colSiblings[N][CD];
    component colBits = Num2Bits(CD);
    colBits.in <== column;
    component loOk = Int64();
    loOk.in <== lo;
    component hiOk = Int64();
    hiOk.in <== hi;
    component countBits = Num2Bits(R + 1);
    countBits.in <== rowCount;
    component notTooMany = LessThan(R + 2);
    notTooMany.a <== N;
    notTooMany.b <== rowCount;
    notTooMany.out === 0;

    component active[N];
    component valueOk[N];
    component colPath[N];
    component leafHash[N];
    component above[N];
    component below[N];
    signal leaves[N];
    signal gapLo[N];
    signal gapHi[N];
    for (var i = 0; i < N; i++) {
        active[i] = LessThan(R + 1);
        active[i].a <== i;
        active[i].b <== rowCount;
        valueOk[i] = Int64();
        valueOk[i].in <== values[i];
        colPath[i] = MerkleRoot(CD);
        colPath[i].leaf <== values[i];
        for (var j = 0; j < CD; j++) { colPath[i].siblings[j] <== colSiblings[i][j]; colPath[i].bits[j] <== colBits.bits[j]; }
        leafHash[i] = Poseidon3();
        leafHash[i].in[0] <== ids[i];
        leafHash[i].in[1] <== nextIds[i];
        leafHash[i].in[2] <== colPath[i].root;
        leaves[i] <== active[i].out * leafHash[i].out;
        gapLo[i] <== active[i].out * (values[i] - lo);
        gapHi[i] <== active[i].out * (hi - values[i]);
        above[i] = NonNegative(65);
        above[i].in <== gapLo[i];
        below[i] = NonNegative(65);
        below[i].in <== gapHi[i];
    }
    // The height-R subtree of the rows, then up to depth D beside empty subtrees.
    component node[N - 1];
    signal level[2 * N - 1];
    for (var i = 0; i < N; i++) { level[i] <== leaves[i]; }
    for (var k = 0; k < N - 1; k++) {
        node[k] = Poseidon2();
        node[k].in[0] <== level[2 * k];
        node[k].in[1] <== level[2 * k + 1];
        level[N + k] <== node[k].out;
    }
    var Z[D + 1] = ZERO_HASHES();
    component up[D - R];
    signal cur[D - R + 1];
    cur[0] <== level[2 * N - 2];
    for (var h = R; h < D; h++) {
        up[h - R] = Poseidon2();
        up[h - R].in[0] <== cur[h - R];
        up[h - R].in[1] <== Z[h];
        cur[h - R + 1] <== up[h - R].out;
    }
    component c = Poseidon2();
    c.in[0] <== cur[D - R];
    c.in[1] <== rowCount;
    c.out === commitment;
}
`,
  };
}

export function columnRangeInput(data: DatasetCommitment, r: number, column: string, lo: bigint, hi: bigint): CircuitInput {
  const rows = 2 ** r;
  if (data.rowCount > rows) {
    throw new ZkInputError(`the column-range circuit r=${r} covers at most ${rows} rows; the dataset has ${data.rowCount}`, { hint: `use a circuit with r ≥ ${Math.ceil(Math.log2(data.rowCount))}` });
  }
  const c = data.columnIndex(column);
  const ids: string[] = [];
  const nextIds: string[] = [];
  const values: string[] = [];
  const colSiblings: string[][] = [];
  for (let i = 0; i < rows; i++) {
    const row = data.rows[i];
    ids.push(row ? dec(row.idField) : '0');
    nextIds.push(row ? dec(row.nextIdField) : '0');
    values.push(row ? dec(row.values[c]!) : '0');
    colSiblings.push(row ? row.columns.path(c).siblings.map(dec) : Array<string>(COLUMN_DEPTH).fill('0'));
  }
  // The circuit reads negative numbers as p − |x|; encoding lo/hi the same way keeps one convention.
  return { commitment: dec(data.commitment), column: String(c), lo: dec(toField(lo)), hi: dec(toField(hi)), rowCount: String(data.rowCount), ids, nextIds, values, colSiblings };
}
