/**
 * A bank's payment queue for one clearing cycle: reading it (CSV), checking it, and putting
 * it in the order in which the queue-removal rule withdraws payments.
 *
 * All checks run at the bank itself, in plaintext, before anything is secret-shared: a bad
 * queue is refused with a typed error that names the line and the rule broken, never a
 * value. The limits are chosen so that no sum the MPC computes can wrap the ring Z_2^64:
 * amounts < 2^40 cents, a bank's queue total and balance < 2^48, at most 2^20 payment
 * slots in a cycle, so incoming sums stay < 2^60 and every difference compared is < 2^62
 * in absolute value (the sign test is exact below 2^63).
 *
 * Removal order (Bech & Soramäki 2001, "Gridlock resolution in interbank payment systems",
 * Bank of Finland Discussion Paper 9/2001): a bank whose position is negative withdraws
 * its lowest-priority payment first, and among equal priorities the latest one. A payment
 * with a deadline counts as more urgent than one without (and an earlier deadline as more
 * urgent than a later one), so it is withdrawn after them; "latest" is the later row of
 * the queue file.
 */
import { readFileSync } from 'node:fs';
import { TacitError } from '../../errors.js';
import { parseCsvRecords } from '../../data/csv.js';

/** Largest amount of one payment, in cents (2^40 − 1, about 11 billion in currency units). */
export const MAX_AMOUNT_CENTS = 2 ** 40 - 1;
/** Largest balance a bank may commit, and largest total of its queue, in cents (2^48 − 1). */
export const MAX_TOTAL_CENTS = 2 ** 48 - 1;
/** Most payment slots in one cycle (banks × slots per bank). */
export const MAX_CYCLE_SLOTS = 2 ** 20;
/** Payment ids: 1–16 printable ASCII characters without spaces or commas (two ring words). */
export const MAX_ID_BYTES = 16;
const ID_PATTERN = /^[\x21-\x2b\x2d-\x7e]{1,16}$/;

export interface Payment {
  /** Unique within the paying bank's queue. */
  id: string;
  /** The receiving bank's name. */
  to: string;
  /** Whole cents, 1 ≤ amount ≤ MAX_AMOUNT_CENTS. */
  amount: number;
  /** Higher is more important (withdrawn later); an integer ≥ 0. */
  priority: number;
  /** Optional deadline (Unix seconds); only orders withdrawal (see the header). */
  deadline?: number;
}

export interface BankQueue {
  bank: string;
  /** Cents committed (locked) for the cycle. */
  balance: number;
  /** In submission order (row order of the file). */
  payments: Payment[];
}

export class ClearingInputError extends TacitError {
  override name = 'ClearingInputError';
}

/** Reads a queue file: header `id,to,amount[,priority][,deadline]`, amounts in whole cents. */
export function readQueueCsv(path: string, bank: string): Payment[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new ClearingInputError(`${bank}: cannot read the queue file`, { details: path, hint: 'Check the path after --party NAME=FILE.csv.', cause });
  }
  return parseQueueCsv(text, bank);
}

export function parseQueueCsv(text: string, bank: string): Payment[] {
  const recs = parseCsvRecords(text);
  if (!Array.isArray(recs)) throw new ClearingInputError(`${bank}: the queue is not valid CSV (line ${recs.line}: ${recs.reason})`);
  if (recs.length === 0) throw new ClearingInputError(`${bank}: the queue file is empty`, { hint: 'The header is id,to,amount[,priority][,deadline].' });
  const header = recs[0]!.fields.map((f) => f.trim().toLowerCase());
  const col = (name: string) => header.indexOf(name);
  const [iId, iTo, iAmount, iPriority, iDeadline] = ['id', 'to', 'amount', 'priority', 'deadline'].map(col) as [number, number, number, number, number];
  if (iId < 0 || iTo < 0 || iAmount < 0) {
    throw new ClearingInputError(`${bank}: the queue needs columns id, to and amount`, { hint: 'The header is id,to,amount[,priority][,deadline]; amounts in whole cents.' });
  }
  const out: Payment[] = [];
  for (const { line, fields } of recs.slice(1)) {
    if (fields.length === 1 && fields[0]!.trim() === '') continue;
    const f = (i: number) => (i >= 0 ? (fields[i] ?? '').trim() : '');
    const num = (s: string, what: string) => {
      if (!/^-?\d+$/.test(s)) throw new ClearingInputError(`${bank}: line ${line}: ${what} must be a whole number`, { hint: 'Amounts are whole cents, without separators or decimals.' });
      return Number(s);
    };
    const p: Payment = { id: f(iId), to: f(iTo), amount: num(f(iAmount), 'amount'), priority: f(iPriority) === '' ? 0 : num(f(iPriority), 'priority') };
    if (f(iDeadline) !== '') p.deadline = num(f(iDeadline), 'deadline');
    out.push(p);
  }
  return out;
}

/**
 * Checks a bank's queue against the cycle's public bank list and limits; throws the first
 * problem found. `slots` is the cycle's public number of payment slots per bank.
 */
export function validateQueue(q: BankQueue, banks: readonly string[], slots: number): void {
  const where = q.bank;
  if (!banks.includes(q.bank)) throw new ClearingInputError(`bank ${where} is not a member of the cycle`);
  if (!Number.isSafeInteger(q.balance) || q.balance < 0) {
    throw new ClearingInputError(`${where}: the balance must be a whole, non-negative number of cents`);
  }
  if (q.balance > MAX_TOTAL_CENTS) throw new ClearingInputError(`${where}: the balance is over the limit of ${MAX_TOTAL_CENTS} cents`);
  if (q.payments.length > slots) {
    throw new ClearingInputError(`${where}: ${q.payments.length} payments, but the cycle has ${slots} slots per bank`, { hint: 'Raise the cycle\'s slots per bank, or split the queue over two cycles.' });
  }
  const seen = new Set<string>();
  let total = 0;
  q.payments.forEach((p, i) => {
    const at = `${where}: payment ${i + 1}`;
    if (typeof p.id !== 'string' || !ID_PATTERN.test(p.id)) {
      throw new ClearingInputError(`${at}: the id must be 1–${MAX_ID_BYTES} printable ASCII characters (no space or comma)`);
    }
    if (seen.has(p.id)) throw new ClearingInputError(`${at}: duplicate payment id`, { hint: 'Each payment id may appear once in a bank\'s queue.' });
    seen.add(p.id);
    if (!banks.includes(p.to)) throw new ClearingInputError(`${at}: unknown receiving bank`, { hint: `The cycle's banks are: ${banks.join(', ')}.` });
    if (p.to === q.bank) throw new ClearingInputError(`${at}: a bank cannot pay itself`);
    if (!Number.isSafeInteger(p.amount)) throw new ClearingInputError(`${at}: the amount must be a whole number of cents`);
    if (p.amount <= 0) throw new ClearingInputError(`${at}: the amount must be positive`);
    if (p.amount > MAX_AMOUNT_CENTS) throw new ClearingInputError(`${at}: the amount is over the limit of ${MAX_AMOUNT_CENTS} cents`);
    if (!Number.isSafeInteger(p.priority) || p.priority < 0 || p.priority > 1_000_000) {
      throw new ClearingInputError(`${at}: the priority must be a whole number in [0, 1000000]`);
    }
    if (p.deadline !== undefined && (!Number.isSafeInteger(p.deadline) || p.deadline < 0)) {
      throw new ClearingInputError(`${at}: the deadline must be Unix seconds`);
    }
    total += p.amount;
  });
  if (total > MAX_TOTAL_CENTS) throw new ClearingInputError(`${where}: the queue's total is over the limit of ${MAX_TOTAL_CENTS} cents`);
}

/** Indices of `payments` in removal order: the first is withdrawn first. */
export function removalOrder(payments: readonly Payment[]): number[] {
  const idx = payments.map((_, i) => i);
  const dl = (p: Payment) => (p.deadline === undefined ? Infinity : p.deadline);
  return idx.sort((a, b) => {
    const pa = payments[a]!;
    const pb = payments[b]!;
    if (pa.priority !== pb.priority) return pa.priority - pb.priority; // lowest priority first
    if (dl(pa) !== dl(pb)) return dl(pb) - dl(pa); // no deadline, then later deadline, first
    return b - a; // latest first
  });
}

/**
 * For each payment, the total of the payments that stay queued with it when it is the
 * next to be withdrawn: itself and every payment withdrawn after it. A bank whose
 * available liquidity is L keeps exactly the payments with suffix ≤ L (amounts are
 * positive, so the suffix falls strictly along the removal order).
 */
export function suffixTotals(payments: readonly Payment[]): bigint[] {
  const order = removalOrder(payments);
  const out = new Array<bigint>(payments.length);
  let acc = 0n;
  for (let j = order.length - 1; j >= 0; j--) {
    acc += BigInt(payments[order[j]!]!.amount);
    out[order[j]!] = acc;
  }
  return out;
}

/** A payment id as two ring words (ASCII, big-endian, zero-padded). */
export function encodeId(id: string): [bigint, bigint] {
  const b = Buffer.alloc(MAX_ID_BYTES);
  b.write(id, 'latin1');
  return [b.readBigUInt64BE(0), b.readBigUInt64BE(8)];
}

export function decodeId(w0: bigint, w1: bigint): string {
  const b = Buffer.alloc(MAX_ID_BYTES);
  b.writeBigUInt64BE(w0, 0);
  b.writeBigUInt64BE(w1, 8);
  const end = b.indexOf(0);
  return b.subarray(0, end < 0 ? MAX_ID_BYTES : end).toString('latin1');
}
