/**
 * The node database's schema, as an ordered list of migrations. A database records every
 * migration applied to it in `schema_version` (and the latest in `PRAGMA user_version`, for
 * a quick look with the sqlite3 shell); opening it applies the missing ones in order, each
 * in its own IMMEDIATE transaction, so an upgrade either completes a step or leaves the
 * database as it was. Before the first step on a database that already holds data, a
 * consistent copy is written next to it with `VACUUM INTO` (node.db.v<N>.bak), so a bad
 * upgrade can be undone by hand. A database from a newer Tacit (a version this code does not
 * know) is refused rather than guessed at.
 *
 * Rules for new migrations: append, never edit a released one; additive changes only when
 * possible (ADD COLUMN, new tables); data rewrites go in an `up` function.
 */
import { existsSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { StoreError, StoreVersionError } from '../errors.js';

export interface Migration {
  version: number;
  name: string;
  up: string | ((db: Database.Database) => void);
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'datasets, dataset rows, tasks, key/value',
    up: `
      CREATE TABLE datasets (
        id               INTEGER PRIMARY KEY,
        name             TEXT NOT NULL UNIQUE,
        id_column        TEXT NOT NULL,
        columns          TEXT NOT NULL,               -- JSON array: numeric columns, file order
        row_count        INTEGER NOT NULL,
        schema_hash      TEXT NOT NULL,               -- 0x bytes32 (src/data/commitment.ts)
        commitment       TEXT NOT NULL,               -- 0x bytes32, RFC 6962 root of the rows
        created_at       TEXT NOT NULL,
        status           TEXT NOT NULL DEFAULT 'local', -- local | publishing | Active | Paused | Retired
        chain_dataset_id TEXT,                        -- DataRegistry id (decimal), once listed
        token            TEXT,                        -- its DataToken
        price            TEXT,                        -- payment-token units per use (decimal)
        algorithms       TEXT,                        -- JSON array of allowed algorithms (names or ids)
        metadata_uri     TEXT,
        list_tx          TEXT,
        published_at     TEXT
      ) STRICT;

      CREATE TABLE dataset_rows (
        dataset   INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        row_index INTEGER NOT NULL,
        id        TEXT NOT NULL,
        features  BLOB NOT NULL,                      -- float64 little-endian, one per column
        PRIMARY KEY (dataset, row_index)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX dataset_rows_by_id ON dataset_rows (dataset, id);

      CREATE TABLE tasks (
        id             INTEGER PRIMARY KEY,           -- the on-chain task id
        status         TEXT NOT NULL,
        step           TEXT,
        program        TEXT,
        params         TEXT,                          -- JSON
        roles          TEXT NOT NULL DEFAULT '[]',    -- JSON array
        requester      TEXT,
        receiver       TEXT,
        deadline       INTEGER,                       -- unix seconds
        accept_tx      TEXT,
        commitment     TEXT,
        commit_tx      TEXT,
        result         TEXT,                          -- JSON, receiver only
        error          TEXT,
        progress       REAL,
        progress_phase TEXT,
        created_at     TEXT NOT NULL,
        updated_at     TEXT NOT NULL
      ) STRICT;
      CREATE INDEX tasks_by_status ON tasks (status);

      CREATE TABLE kv (
        key        TEXT PRIMARY KEY,
        value      TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT, WITHOUT ROWID;
    `,
  },
];

export interface MigrateResult {
  from: number;
  to: number;
  /** Path of the copy made before migrating, if one was made. */
  backup?: string;
}

/** Current schema version of `db` (0 for a new database). */
export function schemaVersion(db: Database.Database): number {
  const exists = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'`).get();
  if (!exists) return 0;
  const row = db.prepare<{ v: number | null }>('SELECT max(version) AS v FROM schema_version').get();
  return row?.v ?? 0;
}

/**
 * Brings `db` to the latest version of `migrations`. `backupPath(from)` names the copy to
 * make before touching a non-empty database (omit it, or return undefined, for none).
 */
export function migrate(
  db: Database.Database,
  options: { migrations?: readonly Migration[]; backupPath?: (from: number) => string | undefined } = {},
): MigrateResult {
  const migrations = [...(options.migrations ?? MIGRATIONS)].sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new StoreError(`migration list is broken: expected version ${i + 1}, found ${m.version}`);
  });
  const latest = migrations.length;
  db.exec(`CREATE TABLE IF NOT EXISTS schema_version (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
  ) STRICT`);
  const from = schemaVersion(db);
  if (from > latest) {
    throw new StoreVersionError(`the node database has schema version ${from}; this Tacit knows versions up to ${latest}`, {
      details: db.name,
      hint: 'it was written by a newer Tacit: upgrade Tacit, or restore the backup made before the upgrade',
    });
  }
  if (from === latest) return { from, to: from };
  let backup: string | undefined;
  if (from > 0 && options.backupPath) {
    backup = options.backupPath(from);
    if (backup !== undefined) {
      let path = backup;
      for (let i = 1; existsSync(path); i++) path = `${backup}.${i}`;
      db.prepare('VACUUM INTO ?').run(path);
      backup = path;
    }
  }
  for (const m of migrations.slice(from)) {
    const step = db.transaction(() => {
      if (typeof m.up === 'string') db.exec(m.up);
      else m.up(db);
      db.prepare('INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, new Date().toISOString());
      db.pragma(`user_version = ${m.version}`);
    });
    try {
      step.immediate();
    } catch (cause) {
      throw new StoreError(`migrating the node database to version ${m.version} (${m.name}) failed`, {
        details: `the database is left at version ${m.version - 1}`,
        hint: backup ? `the copy made before the upgrade is ${backup}` : undefined,
        cause,
      });
    }
  }
  return { from, to: latest, ...(backup ? { backup } : {}) };
}
