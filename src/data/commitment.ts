/**
 * What a data owner publishes about a table without revealing it: a hash of its schema and
 * a commitment to its content, both bytes32 so they fit the DataRegistry listing.
 *
 * Schema hash — keccak256 of the ABI encoding (so Solidity and viem reproduce it) of
 *   ("tacit-schema-v1", idColumn, [numeric columns in file order]):
 *   keccak256(abi.encode(string, string, string[])). Column order is part of the schema
 *   (programs read feature vectors by position); the id column is named separately because
 *   the CSV may have it anywhere.
 *
 * Content commitment — the RFC 6962 §2.1 Merkle Tree Hash (SHA-256, leaf prefix 0x00,
 *   node prefix 0x01, split at the largest power of two below n) over the rows in file
 *   order, each row canonically encoded as
 *     uint32be(byte length of the id's UTF-8) ‖ id UTF-8 ‖ float64be(value) for each column
 *   with −0 written as +0 (NaN and ±∞ never occur: the CSV reader refuses them). A Merkle
 *   root rather than a flat hash lets an owner later prove one row to an auditor
 *   (an RFC 6962 audit path) without showing the others. The same table gives the same
 *   commitment on any machine, whatever the CSV's quoting, spacing or number formatting.
 */
import { createHash } from 'node:crypto';
import { encodeAbiParameters, keccak256, type Hex } from 'viem';
import type { Table } from './csv.js';

export const SCHEMA_TAG = 'tacit-schema-v1';

/** keccak256(abi.encode("tacit-schema-v1", idColumn, columns)) as 0x-hex bytes32. */
export function schemaHash(idColumn: string, columns: readonly string[]): Hex {
  return keccak256(encodeAbiParameters([{ type: 'string' }, { type: 'string' }, { type: 'string[]' }], [SCHEMA_TAG, idColumn, [...columns]]));
}

/** The canonical bytes of one row (see the header). */
export function encodeRow(id: string, values: ArrayLike<number>): Buffer {
  const idBytes = Buffer.from(id, 'utf8');
  const out = Buffer.allocUnsafe(4 + idBytes.length + 8 * values.length);
  out.writeUInt32BE(idBytes.length, 0);
  idBytes.copy(out, 4);
  let o = 4 + idBytes.length;
  for (let k = 0; k < values.length; k++, o += 8) {
    const v = values[k]!;
    out.writeDoubleBE(v === 0 ? 0 : v, o); // −0 → +0
  }
  return out;
}

const LEAF = Buffer.from([0]);
const NODE = Buffer.from([1]);

/** RFC 6962 leaf hash: SHA-256(0x00 ‖ data). */
export function leafHash(data: Uint8Array): Buffer {
  return createHash('sha256').update(LEAF).update(data).digest();
}

/** RFC 6962 Merkle Tree Hash over precomputed leaf hashes. */
export function merkleRoot(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 0) return createHash('sha256').digest();
  const mth = (lo: number, hi: number): Buffer => {
    const n = hi - lo;
    if (n === 1) return leaves[lo]!;
    let k = 1;
    while (k * 2 < n) k *= 2;
    return createHash('sha256').update(NODE).update(mth(lo, lo + k)).update(mth(lo + k, hi)).digest();
  };
  return mth(0, leaves.length);
}

/** The content commitment of a table (its id column must be set: `ids.length === rows`). */
export function contentCommitment(table: Pick<Table, 'ids' | 'values' | 'rows' | 'columns'>): Hex {
  const w = table.columns.length;
  if (table.ids.length !== table.rows) throw new RangeError(`contentCommitment: ${table.ids.length} ids for ${table.rows} rows`);
  const leaves = new Array<Buffer>(table.rows);
  for (let r = 0; r < table.rows; r++) leaves[r] = leafHash(encodeRow(table.ids[r]!, table.values.subarray(r * w, (r + 1) * w)));
  return `0x${merkleRoot(leaves).toString('hex')}`;
}
