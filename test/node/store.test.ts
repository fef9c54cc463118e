/**
 * The node database on real SQLite files: CSV import (all-or-nothing, every bad line
 * reported, duplicates refused, commitments independent of the store and of how the CSV
 * is spelt), tables for programs, task records with atomic guarded updates, key/value, and
 * schema migrations (upgrade with a backup, a newer database refused).
 */
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { CsvError } from '../../src/data/csv.js';
import { contentCommitment, schemaHash } from '../../src/data/commitment.js';
import {
  DatasetNameError,
  DuplicateDatasetError,
  EmptyDatasetError,
  StoreVersionError,
  TaskConflictError,
  TaskNotFoundError,
} from '../../src/node/errors.js';
import { MIGRATIONS, NodeStore, type Migration } from '../../src/node/store/index.js';
import { BAD_CSV, GOOD_CSV, GOOD_CSV_RESPELLED, tempDir, writeCsv } from './helpers.js';

let tmp: ReturnType<typeof tempDir>;
before(() => {
  tmp = tempDir();
});
after(() => tmp.cleanup());

const open = (name: string) => NodeStore.open(join(tmp.dir, name, 'node.db'));

describe('CSV import', () => {
  it('stores a good file: metadata, rows, ids, values, and a 0600 WAL database', () => {
    const store = open('a');
    try {
      const path = writeCsv(tmp.dir, 'good.csv', GOOD_CSV);
      const d = store.importCsv('loans', path, { idColumn: 'id' });
      assert.equal(d.name, 'loans');
      assert.equal(d.rows, 5);
      assert.deepEqual(d.columns, ['income', 'debt', 'age']);
      assert.equal(d.idColumn, 'id');
      assert.equal(d.status, 'local');
      assert.equal(d.datasetId, null);
      assert.match(d.schemaHash, /^0x[0-9a-f]{64}$/);
      assert.match(d.commitment, /^0x[0-9a-f]{64}$/);
      assert.equal(d.schemaHash, schemaHash('id', ['income', 'debt', 'age']));

      const t = store.table('loans');
      assert.deepEqual(t.ids, ['c-001', 'c-002', 'c-003, jr', 'c-004', 'c-001']);
      assert.deepEqual([...t.values], [52000, 1200.5, 34, 61000, 0, 45, 38000, -0, 29, 100000, 250.25, 51, 52000, 300, 34]);
      assert.equal(t.rows, 5);
      assert.equal(t.idColumn, 'id');
      assert.equal(contentCommitment(t), d.commitment, 'the stored rows still match the commitment');

      assert.equal(String(store.db.pragma('journal_mode', { simple: true })), 'wal');
      if (process.platform !== 'win32') assert.equal(statSync(store.path).mode & 0o777, 0o600);
      assert.deepEqual(store.listDatasets().map((x) => x.name), ['loans']);
      assert.deepEqual(store.datasetRows(), { loans: 5 });
    } finally {
      store.close();
    }
  });

  it('gives the same commitment in another store, and for the same table spelt differently', () => {
    const a = open('b1');
    const b = open('b2');
    try {
      const one = a.importCsv('x', writeCsv(tmp.dir, 'x1.csv', GOOD_CSV), { idColumn: 'id' });
      const two = b.importCsv('y', writeCsv(tmp.dir, 'x2.csv', GOOD_CSV_RESPELLED), { idColumn: 'id' });
      assert.equal(two.commitment, one.commitment);
      assert.equal(two.schemaHash, one.schemaHash);
      const again = b.importCsv('x', writeCsv(tmp.dir, 'x3.csv', GOOD_CSV), { idColumn: 'id' });
      assert.equal(again.commitment, one.commitment);
      // …and any change to a value, an id or the order changes it
      const changed = b.importCsv('z', writeCsv(tmp.dir, 'x4.csv', GOOD_CSV.replace('250.25', '250.26')), { idColumn: 'id' });
      assert.notEqual(changed.commitment, one.commitment);
    } finally {
      a.close();
      b.close();
    }
  });

  it('stores nothing from a bad file and lists every bad line', () => {
    const store = open('c');
    try {
      const path = writeCsv(tmp.dir, 'bad.csv', BAD_CSV);
      let err: unknown;
      try {
        store.importCsv('bad', path, { idColumn: 'id' });
      } catch (e) {
        err = e;
      }
      assert.ok(err instanceof CsvError, `CsvError expected, got ${String(err)}`);
      assert.deepEqual(
        err.problems.map((p) => [p.line, p.column ?? null, p.reason]),
        [
          [3, 'income', 'not a number'],
          [5, 'debt', 'missing value'],
          [6, null, 'has 3 fields, the header has 4'],
        ],
      );
      assert.match(err.message, /line 3 \(income\): not a number/);
      assert.doesNotMatch(err.message, /sixty/, 'values never appear in messages');
      assert.equal(store.getDataset('bad'), undefined);
      assert.equal((store.db.prepare('SELECT count(*) AS n FROM dataset_rows').get() as { n: number }).n, 0);
      assert.equal((store.db.prepare('SELECT count(*) AS n FROM datasets').get() as { n: number }).n, 0);
    } finally {
      store.close();
    }
  });

  it('refuses a duplicate name, a bad name, an empty file and a schema mismatch', () => {
    const store = open('d');
    try {
      const path = writeCsv(tmp.dir, 'd.csv', GOOD_CSV);
      store.importCsv('loans', path, { idColumn: 'id' });
      assert.throws(() => store.importCsv('loans', path, { idColumn: 'id' }), DuplicateDatasetError);
      assert.throws(() => store.importCsv('../etc', path, { idColumn: 'id' }), DatasetNameError);
      assert.throws(() => store.importCsv('has space', path, { idColumn: 'id' }), DatasetNameError);
      assert.throws(() => store.importCsv('empty', writeCsv(tmp.dir, 'e.csv', 'id,a\n'), { idColumn: 'id' }), EmptyDatasetError);
      assert.throws(() => store.importCsv('schema', path, { idColumn: 'id', columns: ['income', 'age'] }), CsvError);
      assert.throws(() => store.importCsv('noid', path, { idColumn: 'customer' }), CsvError);
      assert.equal(store.listDatasets().length, 1);
    } finally {
      store.close();
    }
  });

  it('imports a 30,000-row file in one transaction, quickly', (t) => {
    const store = open('big');
    try {
      const lines = ['id,' + Array.from({ length: 13 }, (_, k) => `x${k}`).join(',')];
      for (let r = 0; r < 30_000; r++) lines.push(`${r},` + Array.from({ length: 13 }, (_, k) => ((r * 31 + k * 7) % 1000) / 37).join(','));
      const path = writeCsv(tmp.dir, 'big.csv', lines.join('\n'));
      const t0 = performance.now();
      const d = store.importCsv('big', path, { idColumn: 'id' });
      const ms = performance.now() - t0;
      assert.equal(d.rows, 30_000);
      const t1 = performance.now();
      const table = store.table('big');
      const loadMs = performance.now() - t1;
      assert.equal(table.values.length, 30_000 * 13);
      assert.equal(table.values[13 * 29_999 + 12], ((29_999 * 31 + 12 * 7) % 1000) / 37);
      t.diagnostic(`import 30,000 x 13: ${ms.toFixed(0)} ms; load as Table: ${loadMs.toFixed(0)} ms`);
    } finally {
      store.close();
    }
  });
});

describe('tasks', () => {
  it('upserts, reads, lists and updates atomically with a status guard', () => {
    const store = open('t');
    try {
      const t = store.upsertTask({ id: 7n, status: 'pending', program: 'lr-train', params: { epochs: 5 }, roles: ['compute', 'receiver'], requester: '0xabc', deadline: 1_900_000_000 });
      assert.equal(t.id, 7);
      assert.equal(t.status, 'pending');
      assert.deepEqual(t.params, { epochs: 5 });
      assert.deepEqual(t.roles, ['compute', 'receiver']);
      assert.equal(t.result, null);
      assert.equal(t.deadline, 1_900_000_000);
      assert.ok(t.createdAt && t.updatedAt);

      const again = store.upsertTask({ id: 7, status: 'accepted', acceptTx: '0x01' });
      assert.equal(again.status, 'accepted');
      assert.equal(again.program, 'lr-train', 'fields not given are kept');
      assert.equal(again.createdAt, t.createdAt);

      const running = store.updateTask(7, { status: 'running', step: 'mpc', progress: 0.25, progressPhase: 'epoch 1/4' }, { expectStatus: 'accepted' });
      assert.equal(running.progress, 0.25);
      assert.equal(running.step, 'mpc');
      assert.throws(() => store.updateTask(7, { status: 'running' }, { expectStatus: ['accepted', 'pending'] }), TaskConflictError);
      assert.throws(() => store.updateTask(8, { status: 'x' }), TaskNotFoundError);

      const done = store.updateTask(7, { status: 'done', result: { auc: 0.72, weights: [0.1, -0.2] }, progress: 1 });
      assert.deepEqual(done.result, { auc: 0.72, weights: [0.1, -0.2] });

      store.upsertTask({ id: 9, status: 'pending' });
      store.upsertTask({ id: 8, status: 'failed', error: 'PeerTimeoutError: …' });
      assert.deepEqual(store.listTasks().map((x) => x.id), [9, 8, 7]);
      assert.deepEqual(store.listTasks({ status: 'pending' }).map((x) => x.id), [9]);
      assert.deepEqual(store.listTasks({ status: ['pending', 'done'], limit: 1 }).map((x) => x.id), [9]);
      assert.deepEqual(store.listTasks({ limit: 2, offset: 1 }).map((x) => x.id), [8, 7]);
      assert.deepEqual(store.countTasksByStatus(), { pending: 1, failed: 1, done: 1 });
      assert.equal(store.getTask(42), undefined);
      assert.throws(() => store.getTask(2n ** 60n), RangeError);
    } finally {
      store.close();
    }
  });

  it('two handles on one file: the guard lets exactly one writer through', () => {
    const a = open('t2');
    const b = open('t2');
    try {
      a.upsertTask({ id: 1, status: 'accepted' });
      a.updateTask(1, { status: 'running' }, { expectStatus: 'accepted' });
      assert.throws(() => b.updateTask(1, { status: 'running' }, { expectStatus: 'accepted' }), TaskConflictError);
      assert.equal(b.getTask(1)!.status, 'running');
    } finally {
      a.close();
      b.close();
    }
  });
});

describe('key/value', () => {
  it('sets, overwrites, reads and deletes', () => {
    const store = open('kv');
    try {
      assert.equal(store.getKv('chain.cursor'), undefined);
      store.setKv('chain.cursor', '100');
      store.setKv('chain.cursor', '101');
      assert.equal(store.getKv('chain.cursor'), '101');
      assert.equal(store.deleteKv('chain.cursor'), true);
      assert.equal(store.deleteKv('chain.cursor'), false);
    } finally {
      store.close();
    }
  });
});

describe('migrations', () => {
  it('a new database is at the latest version; a reopened one is left alone', () => {
    const s = open('m0');
    assert.deepEqual(s.migration, { from: 0, to: MIGRATIONS.length });
    assert.equal(s.schemaVersion(), MIGRATIONS.length);
    assert.equal(Number(s.db.pragma('user_version', { simple: true })), MIGRATIONS.length);
    s.close();
    const r = open('m0');
    assert.deepEqual(r.migration, { from: MIGRATIONS.length, to: MIGRATIONS.length });
    r.close();
  });

  it('upgrades an existing database in order, keeping its data, after a backup copy', () => {
    const path = join(tmp.dir, 'm1', 'node.db');
    const v1 = NodeStore.open(path);
    v1.importCsv('loans', writeCsv(tmp.dir, 'm1.csv', GOOD_CSV), { idColumn: 'id' });
    v1.close();
    const v2: Migration = { version: MIGRATIONS.length + 1, name: 'task notes', up: 'ALTER TABLE tasks ADD COLUMN note TEXT' };
    const s = NodeStore.open(path, { migrations: [...MIGRATIONS, v2] });
    try {
      assert.equal(s.migration.from, MIGRATIONS.length);
      assert.equal(s.migration.to, MIGRATIONS.length + 1);
      assert.ok(s.migration.backup && existsSync(s.migration.backup), 'a backup was written');
      assert.equal(s.table('loans').rows, 5);
      const names = (s.db.prepare(`SELECT name FROM pragma_table_info('tasks')`).all() as { name: string }[]).map((c) => c.name);
      assert.ok(names.includes('note'));
      const backup = new Database(s.migration.backup!, { readonly: true });
      assert.equal((backup.prepare('SELECT max(version) AS v FROM schema_version').get() as { v: number }).v, MIGRATIONS.length);
      backup.close();
    } finally {
      s.close();
    }
    // this Tacit (without v2) refuses the upgraded database instead of guessing
    assert.throws(() => NodeStore.open(path), StoreVersionError);
    assert.throws(() => NodeStore.open(path, { readonly: true }), StoreVersionError);
  });

  it('a failing migration leaves the database at the previous version', () => {
    const path = join(tmp.dir, 'm2', 'node.db');
    NodeStore.open(path).close();
    const broken: Migration = { version: MIGRATIONS.length + 1, name: 'broken', up: 'CREATE TABLE z (a INTEGER); ALTER TABLE nope ADD COLUMN b TEXT' };
    assert.throws(() => NodeStore.open(path, { migrations: [...MIGRATIONS, broken] }), /migrating the node database to version/);
    const s = NodeStore.open(path);
    try {
      assert.equal(s.schemaVersion(), MIGRATIONS.length);
      assert.equal(s.db.prepare(`SELECT 1 FROM sqlite_master WHERE name = 'z'`).get(), undefined, 'the half-done step was rolled back');
    } finally {
      s.close();
    }
  });
});
