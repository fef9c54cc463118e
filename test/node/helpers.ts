/**
 * Shared pieces of the node tests: throw-away directories, small CSV files, and a light
 * scrypt cost so key tests run in milliseconds instead of seconds (the format and code path
 * are the production ones; only N differs).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const LIGHT_SCRYPT = { n: 1024, r: 8, p: 1 } as const;
export const PASSPHRASE = 'correct horse battery staple';

export function tempDir(prefix = 'tacit-node-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes `text` to `dir/name` and returns the path. */
export function writeCsv(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** A good file: id, then three numeric columns, 5 rows (one id repeated: a lender may hold two loans). */
export const GOOD_CSV = [
  'id,income,debt,age',
  'c-001,52000,1200.5,34',
  'c-002,61000,0,45',
  '"c-003, jr",38000,-0,29',
  'c-004,1e5,250.25,51',
  'c-001,52000,300,34',
].join('\n') + '\n';

/** The same table written differently: CRLF, quotes, spaces, other number spellings. */
export const GOOD_CSV_RESPELLED = [
  'id,income,debt,age',
  '"c-001", 52000.0 ,1200.50,34',
  'c-002,6.1e4,0.0,45',
  '"c-003, jr",38000,0,29.0',
  'c-004,100000,250.25,51',
  '"c-001",52000,3e2,34',
].join('\r\n');

/** Three bad rows (lines 3, 5 and 6) among good ones. */
export const BAD_CSV = [
  'id,income,debt,age',
  'c-001,52000,1200.5,34',
  'c-002,sixty,0,45',
  'c-003,38000,0,29',
  'c-004,100000,,51',
  'c-005,1,2',
  'c-006,1,2,3',
].join('\n') + '\n';
