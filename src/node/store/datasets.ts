/**
 * Datasets in the node database: one row of metadata per dataset (name, schema, row count,
 * schema hash and content commitment, and the on-chain listing once published) and one row
 * per data row in `dataset_rows` (its id as text and its values as a BLOB of little-endian
 * float64s, one per column).
 *
 * An import is all-or-nothing twice over: the CSV is validated in full before anything is
 * written (src/data/csv.ts reports every bad row with its line number), and the metadata
 * and all rows are written in one transaction. Datasets are never replaced in place — their
 * commitment may already be on-chain — so a second import under the same name is refused.
 * Raw rows leave this module only as a `Table` for programs running in this node.
 */
import { endianness } from 'node:os';
import type Database from 'better-sqlite3';
import type { Address, Hex } from 'viem';
import { readCsvTable, type Table } from '../../data/csv.js';
import { contentCommitment, schemaHash } from '../../data/commitment.js';
import { DatasetNameError, DatasetNotFoundError, DuplicateDatasetError, EmptyDatasetError, StoreError } from '../errors.js';

/** local: only here · publishing: listing transaction sent · then the DataRegistry status. */
export type DatasetStatus = 'local' | 'publishing' | 'Active' | 'Paused' | 'Retired';

export interface DatasetRecord {
  name: string;
  idColumn: string;
  /** Numeric columns, in file order. */
  columns: string[];
  rows: number;
  schemaHash: Hex;
  commitment: Hex;
  createdAt: string;
  status: DatasetStatus;
  /** DataRegistry dataset id (decimal string), once listed. */
  datasetId: string | null;
  token: Address | null;
  /** Price per use in payment-token base units (decimal string). */
  price: string | null;
  /** Allowed algorithms as given at publication (program names, or 0x ids). */
  algorithms: string[] | null;
  metadataUri: string | null;
  listTx: Hex | null;
  publishedAt: string | null;
}

export interface ImportCsvOptions {
  /** Name of the id column (kept as text). */
  idColumn: string;
  /** Expected numeric columns, in order; the header must match exactly. */
  columns?: string[];
  /**
   * Refuse duplicate ids, with their lines (ids compare after trimming surrounding spaces).
   * Default false here: a lender's book may hold several loans of one person; `tacit data
   * import` asks for it unless --allow-duplicate-ids.
   */
  uniqueIds?: boolean;
}

const DATASET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Dataset names appear in URLs and on the command line: short, no spaces or slashes. */
export function assertDatasetName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !DATASET_NAME.test(name)) {
    throw new DatasetNameError('a dataset name must be 1-64 characters of [A-Za-z0-9._-] starting with a letter or digit', {
      details: `got ${JSON.stringify(String(name)).slice(0, 80)}`,
    });
  }
}

interface DatasetRow {
  id: number;
  name: string;
  id_column: string;
  columns: string;
  row_count: number;
  schema_hash: string;
  commitment: string;
  created_at: string;
  status: string;
  chain_dataset_id: string | null;
  token: string | null;
  price: string | null;
  algorithms: string | null;
  metadata_uri: string | null;
  list_tx: string | null;
  published_at: string | null;
}

function toRecord(r: DatasetRow): DatasetRecord {
  return {
    name: r.name,
    idColumn: r.id_column,
    columns: JSON.parse(r.columns) as string[],
    rows: r.row_count,
    schemaHash: r.schema_hash as Hex,
    commitment: r.commitment as Hex,
    createdAt: r.created_at,
    status: r.status as DatasetStatus,
    datasetId: r.chain_dataset_id,
    token: r.token as Address | null,
    price: r.price,
    algorithms: r.algorithms === null ? null : (JSON.parse(r.algorithms) as string[]),
    metadataUri: r.metadata_uri,
    listTx: r.list_tx as Hex | null,
    publishedAt: r.published_at,
  };
}

const LITTLE_ENDIAN = endianness() === 'LE';

/** The BLOB of one row: float64 little-endian. */
function rowBlob(values: Float64Array, start: number, width: number): Buffer {
  if (LITTLE_ENDIAN) return Buffer.from(values.buffer, values.byteOffset + start * 8, width * 8);
  const out = Buffer.allocUnsafe(width * 8);
  for (let k = 0; k < width; k++) out.writeDoubleLE(values[start + k]!, k * 8);
  return out;
}

export function getDataset(db: Database.Database, name: string): DatasetRecord | undefined {
  const r = db.prepare<DatasetRow>('SELECT * FROM datasets WHERE name = ?').get(name);
  return r ? toRecord(r) : undefined;
}

export function requireDataset(db: Database.Database, name: string): DatasetRecord {
  const d = getDataset(db, name);
  if (!d) throw new DatasetNotFoundError(name);
  return d;
}

export function listDatasets(db: Database.Database): DatasetRecord[] {
  return db.prepare<DatasetRow>('SELECT * FROM datasets ORDER BY id').all().map(toRecord);
}

/** Validates the CSV in full, then stores it in one transaction. Throws CsvError with every bad line. */
export function importCsv(db: Database.Database, name: string, path: string, options: ImportCsvOptions): DatasetRecord {
  assertDatasetName(name);
  if (getDataset(db, name)) throw new DuplicateDatasetError(name); // before reading a large file for nothing
  const table = readCsvTable(path, { idColumn: options.idColumn, columns: options.columns, uniqueIds: options.uniqueIds });
  return importTable(db, name, table);
}

/** Stores an already validated table (it must have an id column) in one transaction. */
export function importTable(db: Database.Database, name: string, table: Table): DatasetRecord {
  assertDatasetName(name);
  if (table.idColumn === undefined || table.ids.length !== table.rows) {
    throw new StoreError('a dataset needs an id column', { hint: 'name the id column of the CSV (--id COLUMN)' });
  }
  if (table.rows === 0) throw new EmptyDatasetError(`dataset "${name}" has no rows`, { hint: 'the CSV holds only a header' });
  const idColumn = table.idColumn;
  const w = table.columns.length;
  const record = {
    name,
    id_column: idColumn,
    columns: JSON.stringify(table.columns),
    row_count: table.rows,
    schema_hash: schemaHash(idColumn, table.columns),
    commitment: contentCommitment(table),
    created_at: new Date().toISOString(),
  };
  const insertDataset = db.prepare(
    `INSERT INTO datasets (name, id_column, columns, row_count, schema_hash, commitment, created_at)
     VALUES (@name, @id_column, @columns, @row_count, @schema_hash, @commitment, @created_at)`,
  );
  const insertRow = db.prepare('INSERT INTO dataset_rows (dataset, row_index, id, features) VALUES (?, ?, ?, ?)');
  const store = db.transaction(() => {
    const { lastInsertRowid } = insertDataset.run(record);
    for (let r = 0; r < table.rows; r++) insertRow.run(lastInsertRowid, r, table.ids[r]!, rowBlob(table.values, r * w, w));
  });
  try {
    store.immediate();
  } catch (err) {
    if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new DuplicateDatasetError(name, { cause: err });
    throw new StoreError(`storing dataset "${name}" failed; nothing was stored`, { cause: err });
  }
  return requireDataset(db, name);
}

/** The stored rows of a dataset as a Table (ids and row-major values), for programs in this node. */
export function loadTable(db: Database.Database, name: string): Table {
  const row = db.prepare<DatasetRow>('SELECT * FROM datasets WHERE name = ?').get(name);
  if (!row) throw new DatasetNotFoundError(name);
  const columns = JSON.parse(row.columns) as string[];
  const w = columns.length;
  const values = new Float64Array(row.row_count * w);
  const bytes = new Uint8Array(values.buffer);
  const ids = new Array<string>(row.row_count);
  let n = 0;
  const it = db
    .prepare<{ row_index: number; id: string; features: Buffer }>('SELECT row_index, id, features FROM dataset_rows WHERE dataset = ? ORDER BY row_index')
    .iterate(row.id);
  for (const r of it) {
    if (r.row_index !== n || r.features.length !== w * 8) {
      throw new StoreError(`dataset "${name}" is damaged in the database (row ${n})`, { hint: 'restore node.db from a backup, or import the dataset again under a new name' });
    }
    ids[n] = r.id;
    if (LITTLE_ENDIAN) bytes.set(r.features, n * w * 8);
    else for (let k = 0; k < w; k++) values[n * w + k] = r.features.readDoubleLE(k * 8);
    n++;
  }
  if (n !== row.row_count) throw new StoreError(`dataset "${name}" is damaged in the database (${n} of ${row.row_count} rows)`);
  return { columns, idColumn: row.id_column, ids, values, rows: n };
}

export interface PublishingFields {
  listTx: Hex;
  price: string;
  algorithms: string[];
  metadataUri: string | null;
}

/** Records that a listing transaction was sent (before waiting for it), so a crash can resume. */
export function markPublishing(db: Database.Database, name: string, f: PublishingFields): void {
  const { changes } = db
    .prepare(`UPDATE datasets SET status = 'publishing', list_tx = ?, price = ?, algorithms = ?, metadata_uri = ? WHERE name = ? AND status IN ('local', 'publishing')`)
    .run(f.listTx, f.price, JSON.stringify(f.algorithms), f.metadataUri, name);
  if (changes !== 1) throw new StoreError(`dataset "${name}" is not waiting to be published`);
}

/** Forgets a listing transaction that failed: the dataset is local again. */
export function clearPublishing(db: Database.Database, name: string): void {
  db.prepare(`UPDATE datasets SET status = 'local', list_tx = NULL WHERE name = ? AND status = 'publishing'`).run(name);
}

/** Records the on-chain listing: DataRegistry id and token. */
export function recordPublication(db: Database.Database, name: string, f: { datasetId: string; token: Address; publishedAt?: string }): DatasetRecord {
  const { changes } = db
    .prepare(`UPDATE datasets SET status = 'Active', chain_dataset_id = ?, token = ?, published_at = ? WHERE name = ? AND status = 'publishing'`)
    .run(f.datasetId, f.token, f.publishedAt ?? new Date().toISOString(), name);
  if (changes !== 1) throw new StoreError(`dataset "${name}" has no listing transaction to confirm`);
  return requireDataset(db, name);
}

/** Mirrors a DataRegistry status change (pause, unpause, retire) seen on-chain. */
export function setDatasetStatus(db: Database.Database, name: string, status: 'Active' | 'Paused' | 'Retired'): void {
  const { changes } = db.prepare(`UPDATE datasets SET status = ? WHERE name = ? AND chain_dataset_id IS NOT NULL`).run(status, name);
  if (changes !== 1) throw new DatasetNotFoundError(name, { details: 'or it is not listed on-chain' });
}
