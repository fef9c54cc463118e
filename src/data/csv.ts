/**
 * CSV tables as institutions export them: RFC 4180 (quoted fields, doubled quotes, CRLF
 * or LF), a header row, one id column kept as text and every other column numeric.
 *
 * Validation is all-or-nothing: every bad row is reported with its line number and the
 * reason, and no table is returned when any row is bad, so a caller can never store or
 * share half a file. Values never appear in error messages (they may be personal data);
 * only line numbers, column names and what was wrong.
 */
import { readFileSync } from 'node:fs';
import { TacitError } from '../errors.js';

export interface Table {
  /** Column names of the numeric columns, in file order. */
  columns: string[];
  /** The id column's name, if any. */
  idColumn?: string;
  /** Row ids (text), when an id column was named. */
  ids: string[];
  /** rows × columns values, row-major. */
  values: Float64Array;
  rows: number;
  /** The file line each row came from (the header is line 1), for messages to the file's owner. */
  lines?: Int32Array;
  /** Where the table was read from (a path or a name), for messages to the file's owner. */
  source?: string;
}

export interface CsvProblem {
  line: number;
  column?: string;
  reason: string;
}

export class CsvError extends TacitError {
  override name = 'CsvError';
  readonly problems: CsvProblem[];
  constructor(file: string, problems: CsvProblem[]) {
    const shown = problems.slice(0, 20).map((p) => `  line ${p.line}${p.column ? ` (${p.column})` : ''}: ${p.reason}`);
    if (problems.length > 20) shown.push(`  … and ${problems.length - 20} more`);
    super(`${file}: ${problems.length} bad row${problems.length === 1 ? '' : 's'}; nothing was read`, {
      details: '\n' + shown.join('\n'),
      hint: 'Fix the rows listed (each must have a value for every column, numeric except the id) and try again.',
    });
    this.problems = problems;
  }
}

export interface ReadCsvOptions {
  /** Name of the id column (kept as text); must exist when given. */
  idColumn?: string;
  /** Expected numeric columns (a schema); when given, the header must contain exactly these besides the id. */
  columns?: string[];
  /**
   * Reject duplicate ids (default false: a lender's book may hold several loans of one
   * person). Ids are compared after trimming surrounding spaces, as they are stored.
   */
  uniqueIds?: boolean;
  /** Name used in messages (default: the path). */
  name?: string;
}

/** Splits CSV text into records of fields, tracking the line each record starts on. */
export function parseCsvRecords(text: string): { line: number; fields: string[] }[] | CsvProblem {
  const out: { line: number; fields: string[] }[] = [];
  let i = 0;
  let line = 1;
  const n = text.length;
  if (text.charCodeAt(0) === 0xfeff) i = 1; // BOM
  while (i < n) {
    const start = line;
    const fields: string[] = [];
    for (;;) {
      let field = '';
      if (text[i] === '"') {
        i++;
        for (;;) {
          if (i >= n) return { line: start, reason: 'unterminated quoted field' };
          const c = text[i]!;
          if (c === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === '\n') line++;
          field += c;
          i++;
        }
        if (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') return { line, reason: 'text after a closing quote' };
      } else {
        const s = i;
        while (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') i++;
        field = text.slice(s, i);
        if (field.includes('"')) return { line, reason: 'a quote inside an unquoted field' };
      }
      fields.push(field);
      if (i < n && text[i] === ',') {
        i++;
        continue;
      }
      break;
    }
    if (text[i] === '\r') i++;
    if (text[i] === '\n') i++;
    line++;
    if (!(fields.length === 1 && fields[0] === '')) out.push({ line: start, fields });
  }
  return out;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export function parseCsvTable(text: string, options: ReadCsvOptions = {}): Table {
  const name = options.name ?? 'CSV';
  const records = parseCsvRecords(text);
  if (!Array.isArray(records)) throw new CsvError(name, [records]);
  if (records.length === 0) throw new CsvError(name, [{ line: 1, reason: 'the file is empty (a header row is required)' }]);
  const header = records[0]!.fields.map((h) => h.trim());
  const problems: CsvProblem[] = [];
  const seen = new Set<string>();
  header.forEach((h, j) => {
    if (h === '') problems.push({ line: 1, reason: `column ${j + 1} has no name` });
    else if (seen.has(h)) problems.push({ line: 1, column: h, reason: 'duplicate column name' });
    seen.add(h);
  });
  const idIdx = options.idColumn === undefined ? -1 : header.indexOf(options.idColumn);
  if (options.idColumn !== undefined && idIdx < 0) problems.push({ line: 1, reason: `no id column named "${options.idColumn}"` });
  const numIdx = header.map((_, j) => j).filter((j) => j !== idIdx);
  const columns = numIdx.map((j) => header[j]!);
  if (options.columns) {
    const want = options.columns;
    if (want.length !== columns.length || want.some((c, k) => c !== columns[k])) {
      problems.push({ line: 1, reason: `columns do not match the schema (expected ${want.join(', ')})` });
    }
  }
  if (problems.length) throw new CsvError(name, problems);
  const rows = records.length - 1;
  const values = new Float64Array(rows * columns.length);
  const ids: string[] = [];
  const lines = new Int32Array(rows);
  const idSeen = new Map<string, number>();
  for (let r = 0; r < rows; r++) {
    const { line, fields } = records[r + 1]!;
    lines[r] = line;
    if (fields.length !== header.length) {
      problems.push({ line, reason: `has ${fields.length} fields, the header has ${header.length}` });
      continue;
    }
    if (idIdx >= 0) {
      // Ids are text compared exactly, after trimming surrounding spaces (" 42" is "42").
      const id = fields[idIdx]!.trim();
      if (id === '') problems.push({ line, column: header[idIdx], reason: 'empty id' });
      else if (options.uniqueIds) {
        const first = idSeen.get(id);
        if (first !== undefined) {
          problems.push({ line, column: header[idIdx], reason: `duplicate id: the same id as line ${first} (ids are compared after trimming surrounding spaces)` });
        } else idSeen.set(id, line);
      }
      ids.push(id);
    }
    for (let k = 0; k < numIdx.length; k++) {
      const raw = fields[numIdx[k]!]!.trim();
      if (raw === '') {
        problems.push({ line, column: columns[k], reason: 'missing value' });
        continue;
      }
      if (!NUMBER.test(raw)) {
        problems.push({ line, column: columns[k], reason: 'not a number' });
        continue;
      }
      const v = Number(raw);
      if (!Number.isFinite(v)) {
        problems.push({ line, column: columns[k], reason: 'number out of range' });
        continue;
      }
      values[r * columns.length + k] = v;
    }
  }
  if (problems.length) throw new CsvError(name, problems);
  return { columns, idColumn: options.idColumn, ids, values, rows, lines, source: name };
}

export function readCsvTable(path: string, options: ReadCsvOptions = {}): Table {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new TacitError(`Cannot read ${path}`, { cause: err, hint: 'Check the path and permissions.' });
  }
  return parseCsvTable(text, { ...options, name: options.name ?? path });
}

/** The listed columns of a table, row-major. */
export function selectColumns(t: Table, names: string[]): Float64Array {
  const idx = names.map((c) => {
    const j = t.columns.indexOf(c);
    if (j < 0) throw new TacitError(`no column named "${c}"`, { hint: `Columns are: ${t.columns.join(', ')}` });
    return j;
  });
  const out = new Float64Array(t.rows * idx.length);
  const w = t.columns.length;
  for (let r = 0; r < t.rows; r++) for (let k = 0; k < idx.length; k++) out[r * idx.length + k] = t.values[r * w + idx[k]!]!;
  return out;
}
