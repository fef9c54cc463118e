/**
 * The chunked, salted commitment of one numeric column, for range claims over datasets of any
 * size (docs/zk.md, "Column range over a whole dataset"). The row commitment
 * (dataset-commitment.ts) needs a whole Merkle tree in the circuit to say something about
 * every row; here the column is cut into chunks of C values so that one small proof covers
 * one chunk and the contract checks that the chunks it saw are exactly the committed ones:
 *
 *   order      : rows sorted by idToField(id), ascending (the row commitment's order)
 *   values     : six-decimal fixed point, signed 64-bit (field.ts), v_i as a field element
 *   chunk j    : values jC … jC+C−1; the last chunk padded with PAD = 2^64, which no int64
 *                value equals, so a chunk's digest fixes how many real values it holds
 *   salt_j     : top 248 bits of SHA-256("tacit-zk-column-salt-v1" ‖ 0 ‖ seed ‖ column ‖ 0 ‖ j),
 *                from the owner's secret 32-byte seed (one secret to keep; revealing it to a
 *                buyer after sale lets the buyer recompute the commitment from the data)
 *   digest d_j : PoseidonVector(salt_j, v_jC, …, v_jC+C−1) — Poseidon because the circuit
 *                recomputes it (~41 constraints per value); hiding thanks to the salt
 *   commitment : H_n, H_0 = keccak256("tacit.zk.column.v1" ‖ uint256 C ‖ uint256 rowCount),
 *                H_{j+1} = keccak256(H_j ‖ uint256 d_j) — keccak because only the contract
 *                computes it (cheap there, ~150,000 constraints in a circuit), and a chain
 *                so the contract can check chunks in order across several transactions
 *
 * The commitment binds the chunk size and the row count; the chunk count n = ⌈rowCount / C⌉.
 */
import { createHash } from 'node:crypto';
import { keccak_256 } from '@noble/hashes/sha3.js';
import type { Table } from '../data/csv.js';
import { dec, type CircuitInput } from './circuits/circuit.js';
import { FIXED_LIMIT, idToField, toField, toFixed } from './field.js';
import { poseidonVector } from './poseidon.js';
import { ZkColumnError, ZkInputError, ZkWitnessError } from './errors.js';

/** The padding marker of the last chunk: above every signed 64-bit value. */
export const COLUMN_PAD = 1n << 64n;

const SALT_TAG = Buffer.from('tacit-zk-column-salt-v1\0', 'utf8');
const CHAIN_TAG = Buffer.from('tacit.zk.column.v1', 'utf8');

const word = (x: bigint): Buffer => Buffer.from(x.toString(16).padStart(64, '0'), 'hex');
const hex = (b: Uint8Array): `0x${string}` => `0x${Buffer.from(b).toString('hex')}`;

/** H_0 of the digest chain: binds the chunk size and the row count. */
export function columnChainStart(chunkSize: number, rowCount: number): `0x${string}` {
  return hex(keccak_256(Buffer.concat([CHAIN_TAG, word(BigInt(chunkSize)), word(BigInt(rowCount))])));
}

/** H_{j+1} = keccak256(H_j ‖ d_j), as ColumnRangeClaims computes it. */
export function columnChainStep(h: `0x${string}`, digest: bigint): `0x${string}` {
  return hex(keccak_256(Buffer.concat([Buffer.from(h.slice(2), 'hex'), word(digest)])));
}

/** The commitment of a list of digests (the contract's check, for tests and verifiers off-chain). */
export function columnChain(chunkSize: number, rowCount: number, digests: readonly bigint[]): `0x${string}` {
  return digests.reduce(columnChainStep, columnChainStart(chunkSize, rowCount));
}

/** The salt of chunk j of `column` under the owner's seed. */
export function chunkSalt(seed: Uint8Array, column: string, j: number): bigint {
  const d = createHash('sha256').update(SALT_TAG).update(seed).update(column, 'utf8').update('\0').update(String(j)).digest();
  return BigInt(`0x${d.subarray(0, 31).toString('hex')}`);
}

/** Number of values in chunk j of a column of rowCount values in chunks of C. */
export function chunkCountOf(rowCount: number, chunkSize: number, j: number): number {
  return Math.min(chunkSize, rowCount - j * chunkSize);
}

export interface ColumnValues {
  /** Canonical-order values, fixed point. */
  values: bigint[];
  /** The table row (0-based, file order) of each canonical position, for messages. */
  rowOf: Int32Array;
  /** The file line of each canonical position, when the table knows it. */
  lineOf?: Int32Array;
}

/** One column of a table in canonical order as fixed-point integers; ZkColumnError naming rows that are not finite numbers. */
export function columnValues(table: Table, column: string): ColumnValues {
  if (table.ids.length !== table.rows) throw new ZkInputError('the dataset has no id column', { hint: 'import it with an id column: rows are committed in id order' });
  const k = table.columns.indexOf(column);
  if (k < 0) throw new ZkInputError(`no numeric column "${column}" in the dataset`, { details: `columns: ${table.columns.join(', ')}` });
  const width = table.columns.length;
  const order = table.ids.map((id, i) => ({ f: idToField(id), i }));
  order.sort((a, b) => (a.f < b.f ? -1 : a.f > b.f ? 1 : 0));
  const values: bigint[] = new Array(order.length);
  const rowOf = new Int32Array(order.length);
  const bad: number[] = [];
  order.forEach(({ i }, pos) => {
    rowOf[pos] = i;
    const v = table.values[i * width + k]!;
    if (!Number.isFinite(v) || Math.abs(v) * 1e6 >= Number(FIXED_LIMIT)) {
      bad.push(i);
      values[pos] = 0n;
    } else values[pos] = toFixed(v, column);
  });
  if (bad.length > 0) {
    bad.sort((a, b) => a - b);
    const where = bad.slice(0, 10).map((i) => (table.lines ? `line ${table.lines[i]}` : `row ${i + 1}`));
    throw new ZkColumnError(`column "${column}" has ${bad.length} value(s) that are not finite numbers below 2^62 / 10^6 (${where.join(', ')}${bad.length > 10 ? ', …' : ''})`, {
      hint: 'a range claim commits every value of the column; fix or drop those rows first',
    });
  }
  const lineOf = table.lines ? Int32Array.from(rowOf, (i) => table.lines![i]!) : undefined;
  return { values, rowOf, ...(lineOf ? { lineOf } : {}) };
}

/** A committed column, kept by its owner to prove range claims chunk by chunk. */
export class ColumnCommitment {
  readonly rowCount: number;
  readonly chunkCount: number;
  readonly salts: bigint[];
  readonly digests: bigint[];
  readonly commitment: `0x${string}`;

  constructor(
    readonly column: string,
    readonly data: ColumnValues,
    readonly chunkSize: number,
    seed: Uint8Array,
  ) {
    if (!Number.isInteger(chunkSize) || chunkSize < 1 || (chunkSize & (chunkSize - 1)) !== 0) throw new ZkInputError(`the chunk size must be a power of two, got ${chunkSize}`);
    if (seed.length !== 32) throw new ZkInputError('the column seed must be 32 bytes');
    this.rowCount = data.values.length;
    if (this.rowCount === 0) throw new ZkInputError('the column has no values', { hint: 'a range claim over no rows says nothing' });
    this.chunkCount = Math.ceil(this.rowCount / chunkSize);
    this.salts = Array.from({ length: this.chunkCount }, (_, j) => chunkSalt(seed, column, j));
    this.digests = this.salts.map((salt, j) => poseidonVector([salt, ...this.chunkFields(j)]));
    this.commitment = columnChain(chunkSize, this.rowCount, this.digests);
  }

  static fromTable(table: Table, column: string, chunkSize: number, seed: Uint8Array): ColumnCommitment {
    return new ColumnCommitment(column, columnValues(table, column), chunkSize, seed);
  }

  /** The C field elements of chunk j (padded with COLUMN_PAD). */
  chunkFields(j: number): bigint[] {
    const out: bigint[] = [];
    for (let i = 0; i < this.chunkSize; i++) {
      const v = this.data.values[j * this.chunkSize + i];
      out.push(v === undefined ? COLUMN_PAD : toField(v));
    }
    return out;
  }

  /** Throws ZkWitnessError naming the first row (file line) outside [lo, hi] — never its value. */
  checkRange(lo: bigint, hi: bigint): void {
    if (lo > hi) throw new ZkInputError('lo must not exceed hi');
    const vs = this.data.values;
    for (let p = 0; p < vs.length; p++) {
      const v = vs[p]!;
      if (v < lo || v > hi) {
        const row = this.data.rowOf[p]! + 1;
        const line = this.data.lineOf ? ` (file line ${this.data.lineOf[p]})` : '';
        throw new ZkWitnessError(`row ${row}${line} of column "${this.column}" lies outside the claimed range; no proof exists for a false claim`, {
          hint: 'widen the range or fix the row; the value itself is not shown',
        });
      }
    }
  }

  /** The prover input of chunk j for [lo, hi] (fixed point). */
  chunkInput(j: number, lo: bigint, hi: bigint): CircuitInput {
    if (!Number.isInteger(j) || j < 0 || j >= this.chunkCount) throw new ZkInputError(`the column has no chunk ${j}`);
    const fields = this.chunkFields(j);
    return {
      digest: dec(this.digests[j]!),
      count: String(chunkCountOf(this.rowCount, this.chunkSize, j)),
      lo: dec(toField(lo)),
      hi: dec(toField(hi)),
      salt: dec(this.salts[j]!),
      values: fields.map(dec),
      pad: fields.map((f) => (f === COLUMN_PAD ? '1' : '0')),
    };
  }
}
