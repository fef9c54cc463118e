/**
 * A small key/value table for the daemon's bookkeeping that fits no other table: the chain
 * cursor (last block scanned), the registration transaction, and the like. Values are
 * strings; callers encode (bigints as decimal, objects as JSON).
 */
import type Database from 'better-sqlite3';

export function getKv(db: Database.Database, key: string): string | undefined {
  return db.prepare<{ value: string }>('SELECT value FROM kv WHERE key = ?').get(key)?.value;
}

export function setKv(db: Database.Database, key: string, value: string): void {
  db.prepare(
    'INSERT INTO kv (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
  ).run(key, value, new Date().toISOString());
}

export function deleteKv(db: Database.Database, key: string): boolean {
  return db.prepare('DELETE FROM kv WHERE key = ?').run(key).changes === 1;
}
