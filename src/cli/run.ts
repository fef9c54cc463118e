/**
 * `tacit run ALGORITHM --party NAME=FILE.csv ...`: runs one program with every party as its
 * own process on loopback TLS, without a chain — to try Tacit on your own CSV files.
 *
 * The launcher reads only the header line of each file (to learn the public schema);
 * each party process reads its own file. Parties that are needed by the protocol but hold
 * no data (a third compute party for rep3; a dealer for semi2k only with --preprocessing ttp)
 * are added automatically.
 */
import { readFileSync, writeFileSync, openSync, readSync, closeSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolve } from 'node:path';
import { PROGRAMS } from '../algorithms/programs/index.js';
import type { Role } from '../algorithms/program.js';
import type { MpcConfig } from '../mpc/engine.js';
import { defaultSemi2kPreprocessing } from '../mpc/semi2k/preprocessing.js';
import { defaultPsiProtocol, PSI_PROTOCOLS } from '../psi/select.js';
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
  sgb-train    vertical gradient-boosted trees (SecureBoost over Paillier, PSI-aligned); model,
               AUC and KS to the label owner; each other party's split thresholds are written
               beside --out as OUT.PARTY.json (they never leave that party in a real network)
  sgb-predict  score applicants with an sgb-train model (--applicant ID ..., --model FILE; the
               parties' OUT.PARTY.json files are read from beside it)
  woe-iv       WOE per bin and IV of every party's features for the label owner (--bins N or
               --cuts FILE with { "column": [cut, ...] } per party's own columns)
  clearing     multilateral netting of banks' payment queues (--party BANK=QUEUE.csv, --balance BANK=CENTS)

options:
  --party NAME=FILE.csv   a party and its data (repeat; a party without =FILE holds no data)
  --id COLUMN             the id column (default: id)
  --label COLUMN          the label column, for lr-train (default: y)
  --receiver NAME         who learns the result (repeat for psi; default: the label owner or first party)
  --protocol oprf|ecdh    psi: OT-based OPRF (default for two parties) or ECDH (default for
                          three or more, and for --cardinality-only)
  --protocol rep3|semi2k  MPC protocol (default: rep3; a helper compute party is added when
                          fewer than three parties hold data; semi2k runs between the data
                          parties alone)
  --preprocessing ot|ttp  semi2k: correlations from OT between the parties (default), or
                          from a dealer process (ttp)
  --epochs N --learning-rate X --batch-size N --l2 X   lr-train hyperparameters
  --trees N --depth N --bins N --learning-rate X --l2 X --min-child-weight X --subsample X
  --key-bits 2048|3072    sgb-train hyperparameters and Paillier key size (woe-iv: --bins, --key-bits)
  --cardinality-only      psi: reveal only the size of the intersection
  --applicant ID          lr-predict/debt-query: the applicant(s) to look up (repeat; each is answered)
  --model FILE            lr-predict: a model JSON (from lr-train --out); here, where every file
                          is your own, the receiver's model is allowed (a node refuses it)
  --balance COLUMN        debt-query: the balance column (default: balance)
  --balance BANK=CENTS    clearing: the liquidity BANK commits to the cycle (repeat; default 0)
  --slots N --iterations N --cycle-id N   clearing: payment slots per bank, rounds of the
                          queue-removal rule (default 32), the on-chain cycle id (see docs/clearing.md)
  --guard NAME=VALUE      override a program guard, as a node's policy.guards would (repeat), e.g.
                          --guard minRows=50, --guard minLenders=2, --guard minSetSize=1
  --out FILE              the receiver writes its output there as JSON (several receivers:
                          one object keyed by receiver)
  --json                  print one JSON object on stdout, the same shape for any number of
                          receivers: {algorithm, protocol, receivers, …first receiver's
                          output, outputs: {RECEIVER: output}, seconds, bytes, rounds}

Ids are text, compared after trimming surrounding spaces; a repeated id is refused (with
its lines) except in debt-query, where a lender's rows for one id are summed.`;

/** Programs that run without the MPC engine (no compute parties are added). */
const NO_MPC = new Set(['psi', 'sgb-train', 'sgb-predict', 'woe-iv']);

/** Where `tacit run` puts what `party` keeps from a run whose output went to `out`. */
function keptPath(out: string, party: string): string {
  return out.replace(/(\.json)?$/, `.${party}.json`);
}

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
      protocol: { type: 'string' },
      preprocessing: { type: 'string', default: 'ot' },
      epochs: { type: 'string' },
      'learning-rate': { type: 'string' },
      'batch-size': { type: 'string' },
      l2: { type: 'string' },
      trees: { type: 'string' },
      depth: { type: 'string' },
      bins: { type: 'string' },
      'min-child-weight': { type: 'string' },
      subsample: { type: 'string' },
      'key-bits': { type: 'string' },
      cuts: { type: 'string' },
      'cardinality-only': { type: 'boolean', default: false },
      applicant: { type: 'string', multiple: true },
      model: { type: 'string' },
      balance: { type: 'string', multiple: true },
      guard: { type: 'string', multiple: true },
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
  // psi: --protocol names the PSI protocol (oprf|ecdh, default by speed); otherwise the MPC one.
  const protocol = algorithm === 'psi' ? v.protocol ?? defaultPsiProtocol(parties.filter((p) => p.file).length, v['cardinality-only'] === true) : v.protocol ?? 'rep3';
  if (algorithm === 'psi' ? !(PSI_PROTOCOLS as readonly string[]).includes(protocol) : protocol !== 'rep3' && protocol !== 'semi2k') {
    throw new UsageError(algorithm === 'psi' ? '--protocol for psi must be oprf or ecdh' : '--protocol must be rep3 or semi2k');
  }
  if (v.preprocessing !== 'ot' && v.preprocessing !== 'ttp') throw new UsageError('--preprocessing must be ot or ttp');
  const idColumn = v.id!;
  const dataParties = parties.filter((p) => p.file);
  const headers = new Map(dataParties.map((p) => [p.name, headerOf(p.file!)]));
  for (const [name, h] of headers) if (!h.includes(idColumn)) throw new UsageError(`${name}'s file has no "${idColumn}" column`, { hint: 'Name the id column with --id.' });

  // Guard values typed as node.json would give them: numbers and booleans, else text.
  const guards: Record<string, string | number | boolean> = {};
  for (const g of v.guard ?? []) {
    const eq = g.indexOf('=');
    if (eq <= 0) throw new UsageError(`--guard ${g}: expected NAME=VALUE`, { hint: USAGE });
    const raw = g.slice(eq + 1);
    guards[g.slice(0, eq)] = raw === 'true' ? true : raw === 'false' ? false : raw.trim() !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
  }
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
      Object.assign(params, { idColumn, receivers, cardinalityOnly: v['cardinality-only'], psiProtocol: protocol });
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
    case 'sgb-train':
    case 'woe-iv': {
      const label = v.label!;
      const owners = [...headers].filter(([, h]) => h.includes(label)).map(([n]) => n);
      if (owners.length !== 1) throw new UsageError(`exactly one party's file must have the label column "${label}" (found ${owners.length})`);
      const schema = Object.fromEntries([...headers].map(([n, h]) => [n, h.filter((c) => c !== idColumn && c !== label)]));
      const hyper = Object.fromEntries(
        Object.entries({
          trees: num(v.trees, '--trees'), depth: num(v.depth, '--depth'), bins: num(v.bins, '--bins'), learningRate: num(v['learning-rate'], '--learning-rate'),
          l2: num(v.l2, '--l2'), minChildWeight: num(v['min-child-weight'], '--min-child-weight'), subsample: num(v.subsample, '--subsample'),
        }).filter(([, x]) => x !== undefined),
      );
      const keyBits = num(v['key-bits'], '--key-bits');
      Object.assign(params, { idColumn, labelParty: owners[0], labelColumn: label, schema, ...(keyBits ? { keyBits } : {}) });
      if (algorithm === 'sgb-train') params['hyper'] = hyper;
      else {
        if (hyper['bins'] !== undefined) params['bins'] = hyper['bins'];
        if (v.cuts) {
          const cuts = JSON.parse(readFileSync(resolve(v.cuts), 'utf8')) as Record<string, number[]>;
          for (const [name] of headers) {
            const mine = Object.fromEntries(Object.entries(cuts).filter(([c]) => schema[name]!.includes(c)));
            local.set(name, { ...(local.get(name) ?? {}), cuts: mine });
          }
        }
      }
      receivers = [owners[0]!];
      break;
    }
    case 'sgb-predict': {
      const applicants = v.applicant ?? [];
      if (applicants.length === 0) throw new UsageError('sgb-predict needs at least one --applicant ID');
      if (!v.model) throw new UsageError('sgb-predict needs --model FILE (from sgb-train --out)');
      const modelPath = resolve(v.model);
      const saved = JSON.parse(readFileSync(modelPath, 'utf8')) as { model?: { labelParty?: string } };
      const model = saved.model ?? (saved as { labelParty?: string });
      const receiver = receivers[0] ?? model.labelParty ?? parties[0]!.name;
      Object.assign(params, { idColumn, receiver, count: applicants.length });
      local.set(receiver, { ...(local.get(receiver) ?? {}), applicants, model });
      for (const p of dataParties) {
        if (p.name === receiver) continue;
        const kept = keptPath(modelPath, p.name);
        let sgb: unknown;
        try {
          sgb = (JSON.parse(readFileSync(kept, 'utf8')) as { sgb?: unknown }).sgb;
        } catch (cause) {
          throw new UsageError(`cannot read ${p.name}'s split thresholds at ${kept}`, { hint: 'sgb-train --out FILE writes them beside FILE', cause });
        }
        local.set(p.name, { ...(local.get(p.name) ?? {}), sgb });
      }
      receivers = [receiver];
      break;
    }
    case 'lr-predict': {
      const receiver = receivers[0] ?? parties[0]!.name;
      const applicants = v.applicant ?? [];
      if (applicants.length === 0) throw new UsageError('lr-predict needs at least one --applicant ID');
      if (!v.model) throw new UsageError('lr-predict needs --model FILE (the receiver holds the model)');
      let model: { model?: unknown };
      try {
        model = JSON.parse(readFileSync(resolve(v.model), 'utf8')) as { model?: unknown };
      } catch (cause) {
        throw new UsageError(`cannot read the model ${v.model}`, { hint: 'Give the JSON lr-train wrote with --out.', cause });
      }
      if (new Set(applicants.map((a) => a.trim())).size !== applicants.length) throw new UsageError('an --applicant is given twice');
      // Every file here is the user's own: the receiver's plaintext model is allowed.
      if (!('allowReceiverModel' in guards)) guards['allowReceiverModel'] = true;
      Object.assign(params, { idColumn, receiver, count: applicants.length });
      local.set(receiver, { ...(local.get(receiver) ?? {}), applicants, model: model.model ?? model });
      receivers = [receiver];
      break;
    }
    case 'debt-query': {
      const receiver = receivers[0] ?? parties.find((p) => !p.file)?.name;
      if (!receiver) throw new UsageError('debt-query needs a --receiver (or a party without a file)');
      const applicants = v.applicant ?? [];
      if (applicants.length === 0) throw new UsageError('debt-query needs --applicant ID (repeat for several)');
      if (new Set(applicants.map((a) => a.trim())).size !== applicants.length) throw new UsageError('an --applicant is given twice');
      const balanceColumn = v.balance?.[0] ?? 'balance';
      for (const [name, h] of headers) if (!h.includes(balanceColumn)) throw new UsageError(`${name}'s file has no "${balanceColumn}" column`);
      Object.assign(params, { idColumn, balanceColumn, receiver, count: applicants.length });
      local.set(receiver, { ...(local.get(receiver) ?? {}), applicants });
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

  // Compute parties: rep3 takes three (adding helpers), semi2k all data parties (plus a dealer with ttp).
  const ids = parties.map((p) => p.name);
  let compute: string[];
  const extra: LocalParty[] = [];
  let mpc: MpcConfig | undefined;
  if (!NO_MPC.has(algorithm)) {
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
      if (v.preprocessing === 'ttp') {
        extra.push({ id: 'dealer', roles: ['dealer'] });
        mpc = { protocol: 'semi2k', computeParties: compute, preprocessing: { kind: 'ttp', dealer: 'dealer' } };
      } else mpc = { protocol: 'semi2k', computeParties: compute, preprocessing: defaultSemi2kPreprocessing() };
    }
  } else compute = [];
  // With --out, each receiver writes its own output (a large result never crosses a pipe).
  const outDir = v.out && receivers.length > 1 ? mkdtempSync(join(tmpdir(), 'tacit-out-')) : undefined;
  const outFileOf = (r: string) => (!v.out ? undefined : outDir ? join(outDir, `${r}.json`) : resolve(v.out));
  const members: LocalParty[] = [
    ...parties.map((p) => {
      const roles: Role[] = [];
      if (p.file) roles.push('data');
      if (compute.includes(p.name)) roles.push('compute');
      if (receivers.includes(p.name)) roles.push('receiver');
      return { id: p.name, roles, local: local.get(p.name), ...(receivers.includes(p.name) ? { outFile: outFileOf(p.name) } : {}) };
    }),
    ...extra,
  ];

  const board = new ProgressBoard(!v.json || process.stderr.isTTY === true);
  const t0 = performance.now();
  let results: Awaited<ReturnType<typeof runLocalSession>>;
  try {
    results = await runLocalSession({
      program: algorithm,
      params,
      parties: members,
      mpc,
      guards,
      onProgress: (party, phase, done, total) => board.update(party, phase, done, total),
    });
  } catch (err) {
    if (outDir) rmSync(outDir, { recursive: true, force: true });
    throw err;
  }
  const seconds = (performance.now() - t0) / 1000;
  board.done();
  // An output a receiver wrote to its file is read back from there.
  const outputOf = (r: string) => {
    const o = results.get(r)?.output;
    const at = o?.['writtenTo'];
    return typeof at === 'string' ? (JSON.parse(readFileSync(at, 'utf8')) as Record<string, unknown>) : o;
  };
  const outputs = Object.fromEntries(receivers.map((r) => [r, outputOf(r)]));
  const main = outputs[receivers[0]!] ?? {};
  const bytes = [...results.values()].reduce((s, r) => s + r.stats.bytesSent, 0);
  const rounds = Math.max(...[...results.values()].map((r) => r.stats.rounds));
  if (outDir) {
    writeFileSync(resolve(v.out!), JSON.stringify(outputs, null, 2) + '\n');
    rmSync(outDir, { recursive: true, force: true });
  }
  // What other parties keep (sgb-train's split thresholds), each in its own file.
  if (v.out) for (const [party, r] of results) if (r.keep && !receivers.includes(party)) writeFileSync(keptPath(resolve(v.out), party), JSON.stringify(r.keep, null, 2) + '\n', { mode: 0o600 });
  const notFound = (main as { notFound?: string[] }).notFound;
  if (algorithm === 'lr-predict' && notFound?.length) {
    process.stderr.write(`tacit: not held by every party, so not scored: ${notFound.join(', ')}\n`);
  }
  if (algorithm === 'clearing') {
    const report = clearingReport(results, receivers, { seconds: Math.round(seconds * 1000) / 1000, bytes, rounds });
    if (v.out) writeFileSync(resolve(v.out), JSON.stringify(report, null, 2) + '\n');
    process.stdout.write(v.json ? JSON.stringify({ algorithm, protocol, ...report }) + '\n' : `${JSON.stringify(report, null, 2)}\n`);
    return 0;
  }
  if (v.json) {
    // One shape whatever the number of receivers: the first receiver's output at the top
    // level (what a one-receiver script reads), and every receiver's under `outputs`.
    process.stdout.write(JSON.stringify({ algorithm, protocol, receivers, ...main, outputs, seconds: Math.round(seconds * 1000) / 1000, bytes, rounds }) + '\n');
  } else {
    process.stdout.write(`${algorithm} finished in ${seconds.toFixed(2)} s (${(bytes / 1e6).toFixed(1)} MB sent in all, ${rounds} rounds)\n`);
    for (const r of receivers) {
      const o = outputs[r] as Record<string, unknown> | undefined;
      // With --out the (possibly large) output is in the file; say what and where.
      if (v.out) process.stdout.write(`${r} learnt${typeof o?.['size'] === 'number' ? ` an intersection of ${o['size']} ids` : ' its result'}: written to ${resolve(v.out)}\n`);
      else process.stdout.write(`${r} learnt: ${JSON.stringify(o, null, 2)}\n`);
    }
  }
  return 0;
}
