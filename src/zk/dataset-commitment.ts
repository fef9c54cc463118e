/**
 * The zero-knowledge commitment of a dataset: a Poseidon Merkle root of its canonical rows,
 * bound to the row count. It sits beside the SHA-256 RFC 6962 commitment of
 * `src/data/commitment.ts` (which is cheap to check outside circuits) because SHA-256 costs
 * ~30,000 constraints per block in a circuit and Poseidon ~240.
 *
 *   row i     : (id, v_0 … v_{k−1})          k ≤ 32 numeric columns
 *   columns   : colRoot_i = depth-5 Poseidon Merkle root of (field(v_0) … field(v_{k−1}), 0 …)
 *   order     : rows sorted by idToField(id), ascending; ids unique
 *   leaf      : leaf_i = Poseidon(id_i, id_{i+1}, colRoot_i), id_n = ID_END = 2^248 (above
 *               every id): each leaf names its successor — an indexed Merkle tree, as in
 *               Aztec's nullifier tree — so "id x is absent" is ONE path to the leaf with
 *               id_i < x < id_{i+1} (or to leaf 0 with x < id_0), not two adjacent paths
 *   rows tree : depth-20 Poseidon Merkle root over leaf_0 … leaf_{n−1}, empty leaves 0
 *   commitment: Poseidon(rowsRoot, n)
 *
 * The order and the successor links are the owner's to get right, like the data itself; but
 * the commitment is a deterministic function of the rows, so anyone who later holds them (a
 * buyer after purchase, an auditor) recomputes it and exposes a non-canonical one.
 *
 * Numbers are six-decimal fixed point (field.ts). The commitment is deterministic — a
 * Merkle root, not hiding by itself; its leaves hide the data as well as the data's own
 * entropy does, so datasets with guessable rows should not publish it (docs/zk.md).
 */
import type { Table } from '../data/csv.js';
import { fixedToField, idToField } from './field.js';
import { PoseidonMerkleTree, type MerklePath } from './merkle.js';
import { hash2, hash3 } from './poseidon.js';
import { ZkInputError } from './errors.js';

export const ROW_DEPTH = 20;
export const COLUMN_DEPTH = 5;
export const MAX_COLUMNS = 2 ** COLUMN_DEPTH;
/** Successor of the last row: above every id (ids are below 2^248). */
export const ID_END = 1n << 248n;

export interface CommittedRow {
  id: string;
  idField: bigint;
  /** idField of the next row in canonical order, ID_END for the last row. */
  nextIdField: bigint;
  values: bigint[];
  columns: PoseidonMerkleTree;
  leaf: bigint;
}

/** A dataset's rows in canonical order with their trees, kept by the owner to prove claims. */
export class DatasetCommitment {
  readonly rows: CommittedRow[];
  readonly tree: PoseidonMerkleTree;
  readonly commitment: bigint;
  private readonly byId = new Map<string, number>();

  constructor(readonly columnNames: readonly string[], rows: { id: string; values: ArrayLike<number> }[]) {
    if (columnNames.length === 0 || columnNames.length > MAX_COLUMNS) {
      throw new ZkInputError(`a committed dataset has 1 to ${MAX_COLUMNS} numeric columns, got ${columnNames.length}`);
    }
    if (rows.length > 2 ** ROW_DEPTH) throw new ZkInputError(`a committed dataset has at most ${2 ** ROW_DEPTH} rows, got ${rows.length}`);
    this.rows = rows.map((r, i) => {
      const values = Array.from(r.values, (v, k) => fixedToField(v, `row ${i} column ${columnNames[k]}`));
      const columns = new PoseidonMerkleTree(values, COLUMN_DEPTH);
      return { id: r.id, idField: idToField(r.id), nextIdField: ID_END, values, columns, leaf: 0n };
    });
    this.rows.sort((a, b) => (a.idField < b.idField ? -1 : a.idField > b.idField ? 1 : 0));
    this.rows.forEach((r, i) => {
      if (this.byId.has(r.id)) throw new ZkInputError(`id "${r.id}" occurs twice`, { hint: 'a committed dataset needs unique ids' });
      this.byId.set(r.id, i);
      r.nextIdField = this.rows[i + 1]?.idField ?? ID_END;
      r.leaf = hash3(r.idField, r.nextIdField, r.columns.root);
    });
    this.tree = new PoseidonMerkleTree(this.rows.map((r) => r.leaf), ROW_DEPTH);
    this.commitment = hash2(this.tree.root, BigInt(this.rows.length));
  }

  /** From a CSV table (src/data/csv.ts); the table must have an id column. */
  static fromTable(table: Table): DatasetCommitment {
    if (table.ids.length !== table.rows) throw new ZkInputError('the dataset has no id column', { hint: 'import it with an id column to commit it for proofs' });
    const k = table.columns.length;
    const rows = table.ids.map((id, i) => ({ id, values: table.values.subarray(i * k, (i + 1) * k) }));
    return new DatasetCommitment(table.columns, rows);
  }

  get rowCount(): number {
    return this.rows.length;
  }

  /** Position of `id` in canonical order, or -1. */
  indexOf(id: string): number {
    return this.byId.get(id) ?? -1;
  }

  /** Index of the first row whose idField is greater than `idField` (insertion point). */
  insertionPoint(idField: bigint): number {
    let lo = 0;
    let hi = this.rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.rows[mid]!.idField < idField) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  path(index: number): MerklePath {
    return this.tree.path(index);
  }

  columnIndex(name: string): number {
    const c = this.columnNames.indexOf(name);
    if (c < 0) throw new ZkInputError(`no column "${name}" in the committed dataset`, { details: `columns: ${this.columnNames.join(', ')}` });
    return c;
  }
}
