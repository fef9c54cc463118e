/**
 * The node database, `<dataDir>/node.db`: SQLite through better-sqlite3, in WAL mode (readers
 * such as `tacit node info` or a backup never block the daemon's writes) with
 * `synchronous = FULL` (a committed task transition survives a power cut; the node writes
 * little, so the extra fsync costs nothing that matters), foreign keys on, and a busy
 * timeout for the rare writer from another process. The file is created with mode 0600
 * before SQLite opens it — it holds raw rows — and SQLite gives its -wal and -shm files the
 * same mode. Opening it migrates it (./migrations.ts).
 *
 * `NodeStore` is the one handle the daemon, the API and the CLI use; its methods are the
 * typed accessors of ./datasets.ts, ./tasks.ts and ./kv.ts.
 */
import { closeSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Address } from 'viem';
import type { Table } from '../../data/csv.js';
import { StoreError, StoreVersionError } from '../errors.js';
import { ensurePrivateDir } from '../secret-file.js';
import * as datasets from './datasets.js';
import * as kv from './kv.js';
import { MIGRATIONS, migrate, schemaVersion, type MigrateResult, type Migration } from './migrations.js';
import * as tasks from './tasks.js';

export type { DatasetRecord, DatasetStatus, ImportCsvOptions, PublishingFields } from './datasets.js';
export type { ListTasksOptions, TaskFields, TaskInsert, TaskPatch, TaskRecord } from './tasks.js';
export { assertDatasetName } from './datasets.js';
export { MIGRATIONS, type Migration } from './migrations.js';

export interface OpenStoreOptions {
  /** Open an existing database read-only (no migration; refused if it needs one). */
  readonly?: boolean;
  /** The schema (tests pass their own list to exercise upgrades). */
  migrations?: readonly Migration[];
}

export class NodeStore {
  /** What opening did to the schema (from → to, and the backup made, if any). */
  readonly migration: MigrateResult;

  private constructor(
    readonly db: Database.Database,
    readonly path: string,
    migration: MigrateResult,
  ) {
    this.migration = migration;
  }

  /** Opens (creating and migrating as needed) the database at `path`. */
  static open(path: string, options: OpenStoreOptions = {}): NodeStore {
    let db: Database.Database;
    try {
      if (!options.readonly) {
        ensurePrivateDir(dirname(path));
        closeSync(openSync(path, 'a', 0o600));
      }
      db = new Database(path, { readonly: options.readonly === true, fileMustExist: options.readonly === true, timeout: 5000 });
    } catch (cause) {
      throw new StoreError(`cannot open the node database ${path}`, { hint: 'check that the data directory exists and is writable by this user', cause });
    }
    try {
      if (options.readonly) {
        const v = schemaVersion(db);
        const latest = (options.migrations ?? MIGRATIONS).length;
        if (v !== latest) {
          throw new StoreVersionError(`the node database has schema version ${v}, this Tacit uses ${latest}`, {
            hint: v < latest ? 'start the node (or run any command that writes) once to upgrade it' : 'upgrade Tacit',
          });
        }
        return new NodeStore(db, path, { from: v, to: v });
      }
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      const migration = migrate(db, { migrations: options.migrations, backupPath: (from) => `${path}.v${from}.bak` });
      return new NodeStore(db, path, migration);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  /** Schema version of the open database. */
  schemaVersion(): number {
    return schemaVersion(this.db);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  // ---------------------------------------------------------------- datasets

  /** Validates the CSV in full, then stores it in one transaction (CsvError lists every bad line). */
  importCsv(name: string, path: string, options: datasets.ImportCsvOptions): datasets.DatasetRecord {
    return datasets.importCsv(this.db, name, path, options);
  }

  /** Stores an already parsed table (with an id column). */
  importTable(name: string, table: Table): datasets.DatasetRecord {
    return datasets.importTable(this.db, name, table);
  }

  getDataset(name: string): datasets.DatasetRecord | undefined {
    return datasets.getDataset(this.db, name);
  }

  /** The dataset, or DatasetNotFoundError. */
  requireDataset(name: string): datasets.DatasetRecord {
    return datasets.requireDataset(this.db, name);
  }

  listDatasets(): datasets.DatasetRecord[] {
    return datasets.listDatasets(this.db);
  }

  /** The dataset's rows as a Table, for programs running in this node. */
  table(name: string): Table {
    return datasets.loadTable(this.db, name);
  }

  markPublishing(name: string, fields: datasets.PublishingFields): void {
    datasets.markPublishing(this.db, name, fields);
  }

  clearPublishing(name: string): void {
    datasets.clearPublishing(this.db, name);
  }

  recordPublication(name: string, fields: { datasetId: string; token: Address; publishedAt?: string }): datasets.DatasetRecord {
    return datasets.recordPublication(this.db, name, fields);
  }

  setDatasetStatus(name: string, status: 'Active' | 'Paused' | 'Retired'): void {
    datasets.setDatasetStatus(this.db, name, status);
  }

  /** Total rows over all datasets, per dataset name (for metrics). */
  datasetRows(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.db.prepare<{ name: string; row_count: number }>('SELECT name, row_count FROM datasets').all()) out[r.name] = r.row_count;
    return out;
  }

  // ---------------------------------------------------------------- tasks

  upsertTask(input: tasks.TaskInsert): tasks.TaskRecord {
    return tasks.upsertTask(this.db, input);
  }

  getTask(id: number | bigint): tasks.TaskRecord | undefined {
    return tasks.getTask(this.db, id);
  }

  listTasks(options?: tasks.ListTasksOptions): tasks.TaskRecord[] {
    return tasks.listTasks(this.db, options);
  }

  /** Atomic read-check-write; `expectStatus` guards state transitions (TaskConflictError). */
  updateTask(id: number | bigint, patch: tasks.TaskPatch, options?: { expectStatus?: string | string[] }): tasks.TaskRecord {
    return tasks.updateTask(this.db, id, patch, options);
  }

  countTasksByStatus(): Record<string, number> {
    return tasks.countTasksByStatus(this.db);
  }

  // ---------------------------------------------------------------- key/value

  getKv(key: string): string | undefined {
    return kv.getKv(this.db, key);
  }

  setKv(key: string, value: string): void {
    kv.setKv(this.db, key, value);
  }

  deleteKv(key: string): boolean {
    return kv.deleteKv(this.db, key);
  }
}
