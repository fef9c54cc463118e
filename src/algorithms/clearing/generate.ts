/**
 * Demo payment queues for clearing cycles, from a seed: the same seed gives the same
 * queues on every machine (a SplitMix64 stream, Steele, Lea & Flood, OOPSLA 2014), so the
 * sandbox, the tests and the benchmark share instances without shipping data files.
 *
 * Amounts are heavy-tailed (log-uniform between 100.00 and 1,000,000.00 by default), as
 * interbank payments are; receivers are uniform over the other banks; a fifth of the
 * payments are urgent (priority 2) and a tenth carry a deadline. Each bank's balance is a
 * fraction `liquidity` of what it would owe if its whole queue settled net
 * (max(0, outgoing − incoming)): with `liquidity ≥ 1` everything settles under netting;
 * below 1 the queue-removal rule has to withdraw payments. `gridlock` makes the instance
 * jam a gross system outright: balances cover the net obligations exactly but are smaller
 * than the ring of urgent payments added at the head of every queue (one payment per bank,
 * each to the next bank), so no payment can settle gross while netting settles all.
 *
 * Command line (after `npm run build`):
 *   node dist/src/algorithms/clearing/generate.js --banks 5 --payments 60 --seed 7 [--gridlock] [--liquidity 0.5] --out DIR
 * writes DIR/<bank>.csv (id,to,amount,priority,deadline) and DIR/balances.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BankQueue, Payment } from './queue.js';

export interface GenerateOptions {
  banks: number;
  /** Payments in the cycle (spread evenly over the banks). */
  payments: number;
  seed: number;
  /** Balance as a fraction of each bank's net obligation (default 0.6). */
  liquidity?: number;
  gridlock?: boolean;
  /** Smallest and largest amount in cents (default 10,000 and 100,000,000). */
  minAmount?: number;
  maxAmount?: number;
  /** Bank names (default bank00, bank01 …). */
  names?: string[];
}

/** SplitMix64: a tiny, well-mixed 64-bit stream; uniform doubles in [0, 1). */
function splitmix(seed: number): () => number {
  let s = BigInt.asUintN(64, BigInt(seed) * 0x9e3779b97f4a7c15n + 0x632be59bd9b4e5f5n);
  return () => {
    s = BigInt.asUintN(64, s + 0x9e3779b97f4a7c15n);
    let z = s;
    z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
    z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
    z ^= z >> 31n;
    return Number(z >> 11n) / 2 ** 53;
  };
}

export function bankNames(n: number): string[] {
  const w = String(Math.max(1, n - 1)).length < 2 ? 2 : String(n - 1).length;
  return Array.from({ length: n }, (_, i) => `bank${String(i).padStart(w, '0')}`);
}

export function generateQueues(opts: GenerateOptions): BankQueue[] {
  const { banks: B, payments: P, seed } = opts;
  if (!Number.isInteger(B) || B < 2) throw new RangeError('banks must be an integer ≥ 2');
  if (!Number.isInteger(P) || P < B) throw new RangeError('payments must be an integer ≥ banks');
  const names = opts.names ?? bankNames(B);
  const rnd = splitmix(seed);
  const lo = Math.log(opts.minAmount ?? 10_000);
  const hi = Math.log(opts.maxAmount ?? 100_000_000);
  const queues: BankQueue[] = names.map((bank) => ({ bank, balance: 0, payments: [] }));
  for (let k = 0; k < P; k++) {
    const b = k % B;
    let r = Math.floor(rnd() * (B - 1));
    if (r >= b) r++;
    const q = queues[b]!;
    const p: Payment = {
      id: `b${b}-${String(q.payments.length + 1).padStart(6, "0")}`,
      to: names[r]!,
      amount: Math.max(1, Math.round(Math.exp(lo + (hi - lo) * rnd()))),
      priority: rnd() < 0.2 ? 2 : rnd() < 0.5 ? 1 : 0,
    };
    if (rnd() < 0.1) p.deadline = 1_800_000_000 + Math.floor(rnd() * 86_400);
    q.payments.push(p);
  }
  const owedBy = () => {
    const owed = queues.map(() => 0);
    queues.forEach((q, b) => q.payments.forEach((p) => ((owed[b]! += p.amount), (owed[names.indexOf(p.to)]! -= p.amount))));
    return owed.map((x) => Math.max(0, x));
  };
  const owed = owedBy();
  if (opts.gridlock) {
    // A ring of urgent payments larger than any balance, each bank to the next: it nets to
    // zero, but heads every bank's gross queue, so nothing can settle gross.
    const ring = Math.min(2 ** 40 - 1, Math.max(...owed) + 1);
    queues.forEach((q, b) => q.payments.push({ id: `b${b}-ring`, to: names[(b + 1) % B]!, amount: ring, priority: 9 }));
    queues.forEach((q, b) => (q.balance = owed[b]!));
  } else queues.forEach((q, b) => (q.balance = Math.floor(owed[b]! * (opts.liquidity ?? 0.6))));
  return queues;
}

export function queueCsv(q: BankQueue): string {
  const rows = q.payments.map((p) => `${p.id},${p.to},${p.amount},${p.priority},${p.deadline ?? ''}`);
  return ['id,to,amount,priority,deadline', ...rows].join('\n') + '\n';
}

/** Writes DIR/<bank>.csv and DIR/balances.json; returns the file paths by bank. */
export function writeQueues(dir: string, queues: readonly BankQueue[]): Record<string, string> {
  mkdirSync(dir, { recursive: true });
  const files: Record<string, string> = {};
  for (const q of queues) {
    files[q.bank] = join(dir, `${q.bank}.csv`);
    writeFileSync(files[q.bank]!, queueCsv(q));
  }
  writeFileSync(join(dir, 'balances.json'), JSON.stringify(Object.fromEntries(queues.map((q) => [q.bank, q.balance])), null, 2) + '\n');
  return files;
}

function main(argv: string[]): void {
  const get = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const out = get('out');
  if (!out) {
    process.stderr.write('usage: generate.js --banks N --payments N --seed N [--liquidity X] [--gridlock] --out DIR\n');
    process.exit(2);
  }
  const queues = generateQueues({
    banks: Number(get('banks') ?? 5),
    payments: Number(get('payments') ?? 50),
    seed: Number(get('seed') ?? 1),
    liquidity: get('liquidity') === undefined ? undefined : Number(get('liquidity')),
    gridlock: argv.includes('--gridlock'),
  });
  writeQueues(resolve(out), queues);
  const balances = queues.map((q) => `--balance ${q.bank}=${q.balance}`).join(' ');
  const parties = queues.map((q) => `--party ${q.bank}=${join(out, q.bank + '.csv')}`).join(' ');
  process.stdout.write(`wrote ${queues.length} queues to ${out}\ntacit run clearing ${parties} ${balances}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main(process.argv.slice(2));
