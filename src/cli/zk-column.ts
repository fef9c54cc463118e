/**
 * `tacit zk commit-column` and `tacit zk prove column-range`: range claims over a whole
 * column of a CSV, in chunks (src/zk/column-commitment.ts). The owner's secret is one 32-byte
 * seed file (the chunks' salts derive from it; created on first commit, mode 0600); the same
 * seed must be used to prove. Proving many chunks takes a while, so progress goes to stderr
 * (stdout stays free for --json). The proof file holds the chunk digests and proofs, the
 * column commitment and the verification key — nothing private (the digests are salted).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { readCsvTable } from '../data/csv.js';
import { ColumnCommitment, columnChain } from '../zk/column-commitment.js';
import { toField, toFixed } from '../zk/field.js';
import { WarmProver } from '../zk/warm-prover.js';
import type { Groth16Proof, VerificationKey } from '../zk/prover.js';
import { proveColumnRange } from '../sdk/actions/proveColumnRange.js';
import { ProgressBoard } from './progress.js';
import { emitResult, parseFlags, UsageError } from './usage.js';

export const COLUMN_USAGE = `  tacit zk commit-column --csv FILE --id COLUMN --column C --seed-file F [--chunk N] [--json]
      The chunked, salted commitment of one numeric column (chunks of N values, a power of two;
      default 32, use 256 where a 2^16 accumulator exists: ~8× less gas). Creates the seed file (32 random bytes, keep it secret) when missing.
  tacit zk prove column-range --csv FILE --id COLUMN --column C --lo L --hi H --seed-file F [--chunk N] [--out FILE] [--json]
      "Every value of column C lies in [L, H]", one proof per chunk (progress on stderr).
      A value outside the range is refused before proving, naming its row (not its value).`;

/**
 * Default chunk size: 32 values, a 2^13 circuit whose local setup takes minutes. A network
 * whose ceremony made a 2^16 accumulator should commit with --chunk 256: 8× fewer proofs and
 * ~8× less gas for the same proving time (docs/zk.md, figures).
 */
export const DEFAULT_CHUNK = 32;

function readSeed(path: string | undefined, create: boolean): Uint8Array {
  if (!path) throw new UsageError('--seed-file F is required (the secret the chunk salts derive from)', { hint: COLUMN_USAGE });
  const file = resolve(path);
  if (!existsSync(file)) {
    if (!create) throw new UsageError(`no seed file at ${file}`, { hint: 'use the seed file the column was committed with (`tacit zk commit-column` creates it)' });
    writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
    process.stderr.write(`created seed file ${file} (keep it secret; proofs need it)\n`);
  }
  const hex = readFileSync(file, 'utf8').trim();
  if (!/^[0-9a-f]{64}$/i.test(hex)) throw new UsageError(`${file} is not a column seed (64 hex digits)`);
  return Buffer.from(hex, 'hex');
}

function loadColumn(values: Record<string, string | boolean | undefined>, create: boolean): ColumnCommitment {
  const csv = values.csv as string | undefined;
  const id = values.id as string | undefined;
  const column = values.column as string | undefined;
  if (!csv || !id || !column) throw new UsageError('--csv FILE, --id COLUMN and --column C are required', { hint: COLUMN_USAGE });
  const chunk = Number(values.chunk ?? DEFAULT_CHUNK);
  if (!Number.isInteger(chunk) || chunk < 1 || (chunk & (chunk - 1)) !== 0) throw new UsageError(`--chunk must be a power of two, got "${String(values.chunk)}"`);
  const seed = readSeed(values['seed-file'] as string | undefined, create);
  return ColumnCommitment.fromTable(readCsvTable(resolve(csv), { idColumn: id, uniqueIds: true }), column, chunk, seed);
}

const FLAGS = {
  csv: { type: 'string' }, id: { type: 'string' }, column: { type: 'string' }, chunk: { type: 'string' }, 'seed-file': { type: 'string' },
  lo: { type: 'string' }, hi: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' },
} as const;

export async function commitColumn(args: string[]): Promise<number> {
  const { values } = parseFlags(args, FLAGS, `usage:\n${COLUMN_USAGE}`);
  const c = loadColumn(values, true);
  const out = { column: c.column, commitment: c.commitment, rows: c.rowCount, chunkSize: c.chunkSize, chunks: c.chunkCount };
  emitResult(out, values, () => `column ${c.column}: commitment ${c.commitment}\n${c.rowCount} rows in ${c.chunkCount} chunk(s) of ${c.chunkSize}\n`);
  return 0;
}

const bound = (s: string | undefined, title: string): bigint => {
  if (s === undefined) throw new UsageError(`--${title} is required`, { hint: COLUMN_USAGE });
  const v = Number(s);
  if (!Number.isFinite(v)) throw new UsageError(`--${title} must be a number, got "${s}"`);
  return toFixed(v, title);
};

export async function proveColumnRangeCli(args: string[]): Promise<number> {
  const { values } = parseFlags(args, FLAGS, `usage:\n${COLUMN_USAGE}`);
  const lo = bound(values.lo, 'lo');
  const hi = bound(values.hi, 'hi');
  const c = loadColumn(values, false);
  const board = new ProgressBoard();
  const p = await proveColumnRange({ column: c, lo, hi, onChunk: (done, total) => board.update(c.column, 'proving chunks', done, total) });
  const file = {
    kind: 'column-range', circuit: p.circuit, circuitId: p.circuitId, column: c.column, commitment: p.commitment, rowCount: p.rowCount, chunkSize: p.chunkSize,
    lo: lo.toString(), hi: hi.toString(), chunks: p.chunks.map((k) => ({ digest: k.digest.toString(), proof: k.proof, publicSignals: k.publicSignals })), vk: p.vk,
  };
  if (values.out) writeFileSync(resolve(values.out), `${JSON.stringify(file, null, 2)}\n`);
  const out = { circuit: p.circuit, circuitId: p.circuitId, commitment: p.commitment, rows: p.rowCount, chunks: p.chunks.length, proveSeconds: Number(p.proveSeconds.toFixed(3)), ...(values.out ? { out: resolve(values.out) } : {}) };
  emitResult(out, values, () => `proved ${p.circuit} for ${p.chunks.length} chunk(s) in ${out.proveSeconds} s\ncolumn commitment ${p.commitment}\n${values.out ? `written to ${resolve(values.out)}\n` : ''}`);
  return 0;
}

export interface ColumnRangeFile {
  kind: 'column-range';
  circuit: string;
  commitment: `0x${string}`;
  rowCount: number;
  chunkSize: number;
  lo: string;
  hi: string;
  chunks: { digest: string; proof: Groth16Proof; publicSignals: string[] }[];
  vk: VerificationKey;
}

/** Off-chain, the contract's checks: each chunk's proof with (digest, count, lo, hi), and the digests chaining to the commitment. */
export async function verifyColumnRangeFile(f: ColumnRangeFile): Promise<{ valid: boolean; problems: string[] }> {
  const problems: string[] = [];
  const n = Math.ceil(f.rowCount / f.chunkSize);
  if (f.chunks.length !== n) problems.push(`${f.chunks.length} chunk(s) for ${f.rowCount} rows in chunks of ${f.chunkSize} (expected ${n})`);
  const digests = f.chunks.map((c) => BigInt(c.digest));
  if (columnChain(f.chunkSize, f.rowCount, digests) !== f.commitment) problems.push('the chunk digests do not chain to the column commitment');
  const prover = new WarmProver();
  try {
    for (let j = 0; j < f.chunks.length; j++) {
      const count = Math.min(f.chunkSize, f.rowCount - j * f.chunkSize);
      const signals = [f.chunks[j]!.digest, String(count), toField(BigInt(f.lo)).toString(), toField(BigInt(f.hi)).toString()];
      if (!(await prover.verify(f.vk, f.chunks[j]!.proof, signals))) problems.push(`chunk ${j}: the proof does not verify for its digest, count and the bounds`);
    }
  } finally {
    prover.close();
  }
  return { valid: problems.length === 0, problems };
}
