/**
 * The engine's per-operation meter: rounds, bytes this party sent and wall time of each
 * top-level operation, read from the session's `Comm` before and after it. Nested calls are
 * counted in their caller (a sigmoid's multiplications are part of the sigmoid), so the log
 * says what a program's own steps cost; tests and benchmarks assert on it.
 */
import type { Comm } from './comm.js';

export interface OpRecord {
  op: string;
  /** Elements of the main operand. */
  n: number;
  rounds: number;
  /** Payload bytes this party sent. */
  bytes: number;
  seconds: number;
}

export interface OpTotals {
  calls: number;
  rounds: number;
  bytes: number;
  seconds: number;
}

/** Records kept at most (oldest dropped first). */
const LOG_LIMIT = 10000;

export class OpMeter {
  /** Completed top-level operations, oldest first (bounded to the last 10,000). */
  readonly log: OpRecord[] = [];
  readonly #comm: Comm;
  #depth = 0;

  constructor(comm: Comm) {
    this.#comm = comm;
  }

  /** Runs `fn` as a metered operation (unmetered when called inside another one). */
  async measure<T>(op: string, n: number, fn: () => Promise<T>): Promise<T> {
    if (this.#depth > 0) return fn();
    this.#depth++;
    const rounds0 = this.#comm.rounds;
    const bytes0 = this.#comm.bytesSent();
    const t0 = process.hrtime.bigint();
    try {
      return await fn();
    } finally {
      this.#depth--;
      const rec: OpRecord = {
        op,
        n,
        rounds: this.#comm.rounds - rounds0,
        bytes: this.#comm.bytesSent() - bytes0,
        seconds: Number(process.hrtime.bigint() - t0) / 1e9,
      };
      this.log.push(rec);
      if (this.log.length > LOG_LIMIT) this.log.splice(0, this.log.length - LOG_LIMIT);
    }
  }

  /** Totals per operation name. */
  stats(): Map<string, OpTotals> {
    const m = new Map<string, OpTotals>();
    for (const r of this.log) {
      const s = m.get(r.op) ?? { calls: 0, rounds: 0, bytes: 0, seconds: 0 };
      s.calls++;
      s.rounds += r.rounds;
      s.bytes += r.bytes;
      s.seconds += r.seconds;
      m.set(r.op, s);
    }
    return m;
  }
}
