/**
 * `tacit run ALGORITHM --party NAME=FILE.csv ...`: runs one program with every party as its
 * own process on loopback TLS, without a chain — to try Tacit on your own CSV files.
 *
 * The launcher reads only the header line of each file (to learn the public schema);
 * each party process reads its own file. Parties that are needed by the protocol but hold
 * no data (a third compute party for rep3, the dealer for semi2k) are added automatically.
 */
import { readFileSync, writeFileSync, openSync, readSync, closeSync } from 'node:fs';
import { resolve } from 'node:path';
import { PROGRAMS } from '../algorithms/programs/index.js';
import type { Role } from '../algorithms/program.js';
import type { MpcConfig } from '../mpc/engine.js';
import { parseCsvRecords } from '../data/csv.js';
import { runLocalSession, type LocalParty } from '../node/local/cluster.js';
import { ProgressBoard } from './progress.js';
import { clearingReport, clearingSetup } from './run-clearing.js';
import { parseFlags, UsageError } from './usage.js';

const USAGE = `usage: tacit run ALGORITHM --party NAME[=FILE.csv] ... [options]

algorithms:
  psi          private set intersection of the parties' id columns
  lr-train     vertical logistic regression (PSI-aligned); model, AUC and KS to the receiver
  lr-predict   score applicants (--applicant ID ... and --model FILE at the receiver)
  debt-query   an applicant's total debt and lender count (--applicant ID, --balance COLUMN)
  clearing     multilateral netting of banks' payment queues (--party BANK=QUEUE.csv, --balance BANK=CENTS)

options:
  --party NAME=FILE.csv   a party and its data (repeat; a party without =FILE holds no data)
  --id COLUMN             the id column (default: id)
  --label COLUMN          the label column, for lr-train (default: y)
  --receiver NAME         who learns the result (repeat for psi; default: the label owner or first party)
  --protocol rep3|semi2k  MPC protocol (default: rep3; a helper compute party is added when
                          fewer than three parties hold data; semi2k adds a dealer process)
  --epochs N --learning-rate X --batch-size N --l2 X   lr-train hyperparameters
  --cardinality-only      psi: reveal only the size of the intersection
  --applicant ID          lr-predict/debt-query: the applicant(s) to look up (repeat)
  --model FILE            lr-predict: a model JSON (from lr-train --out)
  --balance COLUMN        debt-query: the balance column (default: balance)
  --balance BANK=CENTS    clearing: the liquidity BANK commits to the cycle (repeat; default 0)
  --slots N --iterations N --cycle-id N   clearing: payment slots per bank, rounds of the
                          queue-removal rule (default 32), the on-chain cycle id (see docs/clearing.md)
  --out FILE              write the receiver's output as JSON
  --json                  print one JSON object (outputs, seconds, bytes, rounds) on stdout`;

function headerOf(path: string): string[] {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (cause) {
    throw new UsageError(`cannot read ${path}`, { hint: 'Check the path after --party NAME=FILE.csv.', cause });
  }
  try {
    const buf = Buffer.alloc(65536);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const text = buf.subarray(0, n).toString('utf8');
    const firstLine = text.split(/\r?\n/)[0] ?? '';
    const rec = parseCsvRecords(firstLine + '\n');
    if (!Array.isArray(rec) || rec.length === 0) throw new UsageError(`${path}: cannot read a header line`);
    return rec[0]!.fields.map((f) => f.trim());
  } finally {
    closeSync(fd);
  }
}

export async function runCommand(argv: string[]): Promise<number> {
  const [algorithm, ...rest] = argv;
  if (!algorithm || algorithm === '--help' || algorithm === '-h' || algorithm === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return algorithm ? 0 : 2;
  }
  const program = PROGRAMS.get(algorithm);
  if (!program) throw new UsageError(`unknown algorithm "${algorithm}"`, { hint: USAGE });
  const { values: v } = parseFlags(
    rest,
    {
      party: { type: 'string', multiple: true },
      id: { type: 'string', default: 'id' },
      label: { type: 'string', default: 'y' },
      receiver: { type: 'string', multiple: true },
      protocol: { type: 'string', default: 'rep3' },
      epochs: { type: 'string' },
      'learning-rate': { type: 'string' },
      'batch-size': { type: 'string' },
      l2: { type: 'string' },
      'cardinality-only': { type: 'boolean', default: false },
      applicant: { type: 'string', multiple: true },
      model: { type: 'string' },
      balance: { type: 'string', multiple: true },
      slots: { type: 'string' },
      iterations: { type: 'string' },
      'cycle-id': { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    USAGE,
  );
  const parties = (v.party ?? []).map((spec) => {
    const eq = spec.indexOf('=');
    const name = eq < 0 ? spec : spec.slice(0, eq);
    const file = eq < 0 ? undefined : resolve(spec.slice(eq + 1));
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name)) throw new UsageError(`invalid party name "${name}" (letters, digits, . _ -)`);
    return { name, file };
  });
  if (parties.length < 2 && algorithm !== 'debt-query') throw new UsageError('give at least two --party', { hint: USAGE });
  if (new Set(parties.map((p) => p.name)).size !== parties.length) throw new UsageError('party names must be distinct');
  const protocol = v.protocol;
  if (protocol !== 'rep3' && protocol !== 'semi2k') throw new UsageError('--protocol must be rep3 or semi2k');
  const idColumn = v.id!;
  const dataParties = parties.filter((p) => p.file);
  const headers = new Map(dataParties.map((p) => [p.name, headerOf(p.file!)]));
  for (const [name, h] of headers) if (!h.includes(idColumn)) throw new UsageError(`${name}'s file has no "${idColumn}" column`, { hint: 'Name the id column with --id.' });

  const params: Record<string, unknown> = {};
  const local = new Map<string, Record<string, unknown>>(parties.map((p) => [p.name, p.file ? { csv: p.file } : {}]));
  let receivers = v.receiver ?? [];
  const num = (s: string | undefined, what: string) => {
    if (s === undefined) return undefined;
    const x = Number(s);
    if (!Number.isFinite(x)) throw new UsageError(`${what} must be a number`);
    return x;
  };
  switch (algorithm) {
    case 'psi':
      if (receivers.length === 0) receivers = dataParties.map((p) => p.name);
      Object.assign(params, { idColumn, receivers, cardinalityOnly: v['cardinality-only'] });
      break;
    case 'lr-train': {
      const label = v.label!;
      const owners = [...headers].filter(([, h]) => h.includes(label)).map(([n]) => n);
      if (owners.length !== 1) throw new UsageError(`exactly one party's file must have the label column "${label}" (found ${owners.length})`);
      const schema = Object.fromEntries([...headers].map(([n, h]) => [n, h.filter((c) => c !== idColumn && c !== label)]));
      const hyper = Object.fromEntries(
        Object.entries({ epochs: num(v.epochs, '--epochs'), learningRate: num(v['learning-rate'], '--learning-rate'), batchSize: num(v['batch-size'], '--batch-size'), l2: num(v.l2, '--l2') }).filter(([, x]) => x !== undefined),
      );
      Object.assign(params, { idColumn, labelParty: owners[0], labelColumn: label, schema, receiver: receivers[0] ?? owners[0], hyper });
      receivers = [String(params['receiver'])];
      break;
    }
    case 'lr-predict': {
      const receiver = receivers[0] ?? parties[0]!.name;
      const applicants = v.applicant ?? [];
      if (applicants.length === 0) throw new UsageError('lr-predict needs at least one --applicant ID');
      if (!v.model) throw new UsageError('lr-predict needs --model FILE (the receiver holds the model)');
      const model = JSON.parse(readFileSync(resolve(v.model), 'utf8')) as { model?: unknown };
      Object.assign(params, { idColumn, receiver, count: applicants.length });
      local.set(receiver, { ...(local.get(receiver) ?? {}), applicants, model: model.model ?? model });
      receivers = [receiver];
      break;
    }
    case 'debt-query': {
      const receiver = receivers[0] ?? parties.find((p) => !p.file)?.name;
      if (!receiver) throw new UsageError('debt-query needs a --receiver (or a party without a file)');
      const applicant = (v.applicant ?? [])[0];
      if (!applicant) throw new UsageError('debt-query needs --applicant ID');
      const balanceColumn = v.balance?.[0] ?? 'balance';
      for (const [name, h] of headers) if (!h.includes(balanceColumn)) throw new UsageError(`${name}'s file has no "${balanceColumn}" column`);
      Object.assign(params, { idColumn, balanceColumn, receiver });
      local.set(receiver, { ...(local.get(receiver) ?? {}), applicant });
      receivers = [receiver];
      break;
    }
    case 'clearing': {
      const c = clearingSetup(parties, v);
      Object.assign(params, c.params);
      for (const [name, l] of c.local) local.set(name, l);
      receivers = c.receivers;
      break;
    }
  }
  for (const r of receivers) if (!parties.some((p) => p.name === r)) throw new UsageError(`receiver ${r} is not a party`);

  // Compute parties: rep3 takes three (adding helpers), semi2k all data parties plus a dealer.
  const ids = parties.map((p) => p.name);
  let compute: string[];
  const extra: LocalParty[] = [];
  let mpc: MpcConfig | undefined;
  if (algorithm !== 'psi') {
    const candidates = dataParties.length && algorithm !== 'clearing' ? dataParties.map((p) => p.name) : ids;
    if (protocol === 'rep3') {
      compute = candidates.slice(0, 3);
      for (let i = 1; compute.length < 3; i++) {
        const name = `helper${i}`;
        if (ids.includes(name)) continue;
        compute.push(name);
        extra.push({ id: name, roles: ['compute'] });
      }
      mpc = { protocol: 'rep3', computeParties: compute };
    } else {
      compute = candidates.length >= 2 ? candidates : ids;
      extra.push({ id: 'dealer', roles: ['dealer'] });
      mpc = { protocol: 'semi2k', computeParties: compute, preprocessing: { kind: 'ttp', dealer: 'dealer' } };
    }
  } else compute = [];
  const members: LocalParty[] = [
    ...parties.map((p) => {
      const roles: Role[] = [];
      if (p.file) roles.push('data');
      if (compute.includes(p.name)) roles.push('compute');
      if (receivers.includes(p.name)) roles.push('receiver');
      return { id: p.name, roles, local: local.get(p.name) };
    }),
    ...extra,
  ];

  const board = new ProgressBoard(!v.json || process.stderr.isTTY === true);
  const t0 = performance.now();
  const results = await runLocalSession({
    program: algorithm,
    params,
    parties: members,
    mpc,
    onProgress: (party, phase, done, total) => board.update(party, phase, done, total),
  });
  const seconds = (performance.now() - t0) / 1000;
  board.done();
  const outputs = Object.fromEntries(receivers.map((r) => [r, results.get(r)?.output]));
  const main = outputs[receivers[0]!] ?? {};
  const bytes = [...results.values()].reduce((s, r) => s + r.stats.bytesSent, 0);
  const rounds = Math.max(...[...results.values()].map((r) => r.stats.rounds));
  if (v.out) writeFileSync(resolve(v.out), JSON.stringify(receivers.length > 1 ? outputs : main, null, 2) + '\n');
  if (algorithm === 'clearing') {
    const report = clearingReport(results, receivers, { seconds: Math.round(seconds * 1000) / 1000, bytes, rounds });
    if (v.out) writeFileSync(resolve(v.out), JSON.stringify(report, null, 2) + '\n');
    process.stdout.write(v.json ? JSON.stringify({ algorithm, protocol, ...report }) + '\n' : `${JSON.stringify(report, null, 2)}\n`);
    return 0;
  }
  if (v.json) {
    process.stdout.write(JSON.stringify({ algorithm, protocol, ...(receivers.length > 1 ? { outputs } : main), seconds: Math.round(seconds * 1000) / 1000, bytes, rounds }) + '\n');
  } else {
    process.stdout.write(`${algorithm} finished in ${seconds.toFixed(2)} s (${(bytes / 1e6).toFixed(1)} MB sent in all, ${rounds} rounds)\n`);
    for (const r of receivers) process.stdout.write(`${r} learnt: ${JSON.stringify(outputs[r], null, 2)}\n`);
  }
  return 0;
}
