/**
 * `npm start` / `tacit sandbox`: the credit-reporting scenario on one machine, for real.
 *
 * An embedded chain and four institution nodes (separate `tacit node start` processes on
 * loopback): a bank (labels and 13 features of the default-credit data, and a loan book),
 * a credit bureau (10 more features of the same people), a telco (a device-financing book)
 * and a fintech lender (a loan book). The nodes import and publish their data, a requester
 * buys data tokens and runs four on-chain tasks through the SDK — PSI, vertical logistic
 * regression, scoring a new applicant, a multi-lender debt query — and the sandbox prints
 * what was learnt (checked against plaintext computed here, where all the demo data is),
 * then a clearing cycle run by the four nodes as gridlocked banks (`sandbox-clearing.ts`),
 * then a custody key the four institutions' nodes hold 3-of-4 and reshare 2-of-3 (`sandbox-keys.ts`),
 * then zero-knowledge claims verified on-chain (`sandbox-zk.ts`: bureau → bank about its
 * committed loan book, bank → supervisor about its credit decision and the debt query's
 * committed result),
 * how long it took, the gas, and who was paid what. The nodes stay up to explore until
 * Ctrl-C; `--once` exits after the summary (`--json` prints it as JSON).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { erc20Abi, parseEventLogs, type Address, type Hash } from 'viem';
import { TaskMarketAbi } from '../chain/artifacts.js';
import { devAccount } from '../chain/dev-accounts.js';
import { readCsvTable } from '../data/csv.js';
import { joinVertical } from '../algorithms/lr/vertical-join.js';
import { aucKsPlaintext, DEFAULT_LR, scorePlaintext, trainPlaintextScaled } from '../algorithms/lr/plaintext.js';
import { DEFAULT_SGB } from '../algorithms/sgb/hyper.js';
import { binColumns } from '../algorithms/sgb/binning.js';
import { trainPlainSgb } from '../algorithms/sgb/plaintext.js';
import { binCounts, woeFromCounts } from '../algorithms/woe/woe.js';
import { startLocalNetwork, type LocalNetwork } from '../node/local/network.js';
import { buyDataTokens, createTacitClient, createTask, generateBoxKeyPair, getTaskResult, listDatasets, sendTaskInputs, waitForTask, type TacitClient } from '../sdk/index.js';
import { ProgressBoard } from './progress.js';
import { clearingSummaryLines, runClearingStep, type ClearingStepReport } from './sandbox-clearing.js';
import { keysSummaryLines, runKeysStep, type KeysStepReport } from './sandbox-keys.js';
import { consoleLinkLines } from './sandbox-console.js';
import { runZkStepReported, zkStepSkipped, zkSummaryLines, type ZkStepReport } from './sandbox-zk.js';
import { parseFlags } from './usage.js';

const USAGE = `usage: tacit sandbox [--once] [--json] [--dir DIR]
  Starts a local chain and four institution nodes, runs the credit scenario as on-chain
  tasks (PSI, lr-train, woe-iv, sgb-train, scoring an applicant, a debt query), then a clearing
  cycle run by the four nodes as gridlocked banks, settled on-chain, then a 3-of-4 custody key
  among the four nodes (a vault paying out on their threshold signatures, resharing to 2-of-3),
  and prints a summary.
  --once   exit after the summary (otherwise the nodes stay up until Ctrl-C)
  --json   print the summary as one JSON object on stdout
  --dir    where the sandbox keeps its chain, nodes and logs (default .tacit/sandbox)`;

const DATA = fileURLToPath(new URL('../../../data/', import.meta.url));
const TOKEN = 10n ** 18n;

/** Deterministic synthetic loan books over the demo ids (labelled as such in the summary). */
function writeLoanBooks(dir: string, ids: string[]): Record<string, string> {
  const books: Record<string, [number, number]> = { bureau: [0.3, 8000], telco: [0.2, 900], fintech: [0.15, 3000] };
  const out: Record<string, string> = {};
  for (const [name, [share, scale]] of Object.entries(books)) {
    const lines = ['id,balance'];
    for (const id of ids) {
      const h = createHash('sha256').update(`${name}:${id}`).digest();
      if (h.readUInt32BE(0) / 2 ** 32 < share) lines.push(`${id},${((h.readUInt32BE(4) / 2 ** 32) * scale + 50).toFixed(2)}`);
    }
    const file = join(dir, `loans-${name}.csv`);
    writeFileSync(file, lines.join('\n') + '\n');
    out[name] = file;
  }
  return out;
}

interface TaskReport {
  task: string;
  id: string;
  status: string;
  seconds: number;
  gas: number;
  result: Record<string, unknown>;
  reference: Record<string, unknown>;
}

async function gasOfTask(net: LocalNetwork, taskId: bigint, from: bigint): Promise<number> {
  const logs = await net.ledger.pub.getLogs({ address: net.manifest.contracts.TaskMarket, fromBlock: from });
  const hashes = new Set<Hash>();
  for (const ev of parseEventLogs({ abi: TaskMarketAbi, logs })) {
    if ((ev.args as { taskId?: bigint }).taskId === taskId) hashes.add(ev.transactionHash!);
  }
  let gas = 0n;
  for (const h of hashes) gas += (await net.ledger.pub.getTransactionReceipt({ hash: h })).gasUsed;
  return Number(gas);
}

export async function sandboxCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, { once: { type: 'boolean', default: false }, json: { type: 'boolean', default: false }, dir: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } }, USAGE);
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const dir = resolve(values.dir ?? '.tacit/sandbox');
  const say = (m: string) => process.stderr.write(`${m}\n`);
  const t0 = performance.now();
  say('tacit sandbox: a local chain and four institutions (bank, bureau, telco, fintech)');

  const net = await startLocalNetwork({
    dir,
    nodes: [
      { name: 'bank', roles: ['data', 'compute', 'receiver'] },
      // Bureau and telco may also receive: a threshold signature comes back through a signer's node.
      { name: 'bureau', roles: ['data', 'compute', 'receiver'] },
      { name: 'telco', roles: ['data', 'compute', 'receiver'] },
      // Computes only in the custody-key ceremonies (as a member of the key).
      { name: 'fintech', roles: ['data', 'compute'] },
    ],
    persistentChain: true,
    onStep: (m) => say(`  ${m}`),
  });
  const stop = async () => {
    await net.stop();
  };
  try {
    const guestCsv = join(DATA, 'default_credit_hetero_guest.csv');
    const hostCsv = join(DATA, 'default_credit_hetero_host.csv');
    const guest = readCsvTable(guestCsv, { idColumn: 'id' });
    const host = readCsvTable(hostCsv, { idColumn: 'id' });
    const dataDir = join(dir, 'data');
    mkdirSync(dataDir, { recursive: true });
    const loans = writeLoanBooks(dataDir, guest.ids);

    say('  importing and publishing the institutions’ data (rows stay at each node)');
    const bank = net.node('bank'), bureau = net.node('bureau'), telco = net.node('telco'), fintech = net.node('fintech');
    const publish = async (node: typeof bank, name: string, path: string, algorithms: string[]) => {
      await node.api.importDataset({ name, path, idColumn: 'id' });
      await node.api.publishDataset(name, { price: String(2n * TOKEN), algorithms, mint: 0 });
      await node.api.request('POST', `/datasets/${name}/sale`, { pricePerUse: String(TOKEN), uses: 20 });
    };
    await publish(bank, 'credit', guestCsv, ['psi', 'lr-train', 'lr-predict', 'woe-iv', 'sgb-train']);
    await publish(bureau, 'credit', hostCsv, ['psi', 'lr-train', 'lr-predict', 'woe-iv', 'sgb-train']);
    await publish(bureau, 'loans', loans.bureau!, ['debt-query']);
    await publish(telco, 'loans', loans.telco!, ['debt-query']);
    await publish(fintech, 'loans', loans.fintech!, ['debt-query']);

    // The requester: the bank's credit-risk team, with its own account and result key.
    const account = devAccount(9);
    await net.ledger.mint(account.address, 1000n * TOKEN);
    const client: TacitClient = createTacitClient({ manifest: net.manifest, rpcUrl: net.rpcUrl, account });
    const datasets = await listDatasets(client);
    for (const d of datasets) await buyDataTokens(client, { datasetId: d.id, uses: 5n });
    const idOf = (owner: Address, rows: number) => datasets.find((d) => d.owner.toLowerCase() === owner.toLowerCase() && Number(d.rowCount) === rows)!.id;
    const bankCredit = idOf(bank.address, guest.rows);
    const bureauCredit = idOf(bureau.address, host.rows);
    const loanSet = (n: typeof bank) => datasets.find((d) => d.owner.toLowerCase() === n.address.toLowerCase() && d.id !== bankCredit && d.id !== bureauCredit)!.id;
    const compute = [bank.address, bureau.address, telco.address];
    const keys = generateBoxKeyPair();
    const who = [account.address, ...net.nodes.map((n) => n.address)];
    const balance = (a: Address) => net.ledger.pub.readContract({ address: net.manifest.contracts.PaymentToken, abi: erc20Abi, functionName: 'balanceOf', args: [a] });
    const before = await Promise.all(who.map(balance));
    const board = new ProgressBoard(!values.json || process.stderr.isTTY === true);
    const reports: TaskReport[] = [];

    const run = async (label: string, spec: Parameters<typeof createTask>[1], inputs?: Record<string, unknown>) => {
      const t = performance.now();
      const from = await net.ledger.pub.getBlockNumber();
      const { taskId } = await createTask(client, { ...spec, resultKey: keys.publicKey });
      if (inputs) await sendTaskInputs({ node: { url: bank.apiUrl, token: bank.token }, taskId, inputs });
      const final = await waitForTask(client, {
        taskId,
        progressFrom: { url: bank.apiUrl },
        onUpdate: (u) => board.update(label, u.phase ?? u.status.toLowerCase(), Math.round((u.progress ?? 0) * 1000), 1000),
      });
      board.update(label, final.status.toLowerCase(), 1, 1);
      board.done();
      const result = final.status === 'Settled' ? await getTaskResult(client, { node: { url: bank.apiUrl }, taskId, resultPrivateKey: keys.privateKey }) : {};
      return { taskId, status: final.status, seconds: (performance.now() - t) / 1000, gas: await gasOfTask(net, taskId, from), result };
    };

    // 1. How many customers do the bank and the bureau share? (size only)
    say('\n  task 1/4: private set intersection (bank × bureau), size only');
    const psi = await run('psi', { program: 'psi', protocol: 'rep3', params: { idColumn: 'id', cardinalityOnly: true }, datasetIds: [bankCredit, bureauCredit], computeParties: compute, receiver: bank.address, fee: 10n * TOKEN });
    const joined = joinVertical(guest, host, 'y');
    const common = joined.ids;
    reports.push({ task: 'psi', id: String(psi.taskId), status: psi.status, seconds: psi.seconds, gas: psi.gas, result: psi.result, reference: { size: common.length } });

    // 2. Train a default model on both institutions' features.
    say('  task 2/4: vertical logistic regression (bank features + labels, bureau features), rep3');
    const hyper = DEFAULT_LR;
    const lr = await run('lr-train', { program: 'lr-train', protocol: 'rep3', params: { idColumn: 'id', labelParty: bank.address.toLowerCase(), labelColumn: 'y', hyper, keepShared: true, revealModel: true, curvePoints: 20 }, datasetIds: [bankCredit, bureauCredit], computeParties: compute, receiver: bank.address, fee: 40n * TOKEN });
    const { X, y, d } = joined;
    const refModel = trainPlaintextScaled(X, y, common.length, d, hyper); // as lr-train: each column scaled by its owner
    const refMetrics = aucKsPlaintext(scorePlaintext(X, common.length, d, refModel), y);
    reports.push({ task: 'lr-train', id: String(lr.taskId), status: lr.status, seconds: lr.seconds, gas: lr.gas, result: { auc: lr.result['auc'], ks: lr.result['ks'], rows: lr.result['rows'] }, reference: { auc: refMetrics.auc, ks: refMetrics.ks } });

    // 2b. Screen the bureau's features (WOE/IV over encrypted label counts), then train
    // gradient-boosted trees (SecureBoost over Paillier) beside the logistic regression.
    say('  task 2b: WOE/IV of the bureau’s features for the bank (Paillier), 10 equal-frequency bins');
    const woe = await run('woe-iv', { program: 'woe-iv', protocol: 'rep3', params: { idColumn: 'id', labelParty: bank.address.toLowerCase(), labelColumn: 'y', bins: 10 }, datasetIds: [bankCredit, bureauCredit], computeParties: compute, receiver: bank.address, fee: 10n * TOKEN });
    const ivOf = (f: Record<string, { iv: number }> | undefined) => Object.fromEntries(Object.entries(f ?? {}).filter(([k]) => !k.startsWith(bank.address.toLowerCase())).map(([k, v]) => [k.slice(k.indexOf('.') + 1), v.iv]));
    const woeBins = binColumns(X, common.length, d, 10);
    const woeRef = binCounts(woeBins.bins, common.length, d, woeBins.cuts.map((c) => c.length + 1), y);
    const hostIv = Object.fromEntries(host.columns.map((c, j) => { const f = woeRef[d - host.columns.length + j]!; return [c, woeFromCounts(f.counts, f.positives).iv]; }));
    reports.push({ task: 'woe-iv', id: String(woe.taskId), status: woe.status, seconds: woe.seconds, gas: woe.gas, result: { iv: ivOf(woe.result['features'] as Record<string, { iv: number }>) }, reference: { iv: hostIv } });
    // A small forest keeps `npm start` within minutes (10 trees of depth 5 take ~5 min on two
    // cores; `npm run bench -- credit` runs those).
    const sandboxSgb = { ...DEFAULT_SGB, trees: 3, depth: 3 };
    say(`  task 2c: gradient-boosted trees (SecureBoost over Paillier), ${sandboxSgb.trees} trees of depth ${sandboxSgb.depth}`);
    const sgb = await run('sgb-train', { program: 'sgb-train', protocol: 'rep3', params: { idColumn: 'id', labelParty: bank.address.toLowerCase(), labelColumn: 'y', hyper: sandboxSgb }, datasetIds: [bankCredit, bureauCredit], computeParties: compute, receiver: bank.address, fee: 40n * TOKEN });
    const sgbBins = binColumns(X, common.length, d, sandboxSgb.bins);
    const sgbRef = aucKsPlaintext((await trainPlainSgb(sgbBins.bins, common.length, d, sgbBins.cuts.map((c) => c.length + 1), y, sandboxSgb)).scores, y);
    reports.push({ task: 'sgb-train', id: String(sgb.taskId), status: sgb.status, seconds: sgb.seconds, gas: sgb.gas, result: { auc: sgb.result['auc'], ks: sgb.result['ks'], rows: sgb.result['rows'], lrAuc: lr.result['auc'] }, reference: { auc: sgbRef.auc, ks: sgbRef.ks } });

    // 3. Score a new applicant whose features sit at the bank and the bureau, with the model
    //    task 2 left secret-shared (a node takes no model from the receiver).
    const inBooks = (id: string) => Object.values(loans).filter((f) => readCsvTable(f, { idColumn: 'id' }).ids.includes(id)).length;
    const applicant = common.slice(0, 400).find((id) => inBooks(id) >= 2) ?? common[0]!;
    say(`  task 3/4: scoring applicant ${applicant} across the bank and the bureau`);
    const sc = await run('lr-predict', { program: 'lr-predict', protocol: 'rep3', params: { idColumn: 'id', count: 1, modelTask: Number(lr.taskId), sharedModel: true }, datasetIds: [bankCredit, bureauCredit], computeParties: compute, receiver: bank.address, fee: 10n * TOKEN }, { applicants: [applicant] });
    const model = lr.result['model'] as { weights: number[]; intercept: number };
    const r = common.indexOf(applicant);
    const refScore = model ? scorePlaintext(X.subarray(r * d, (r + 1) * d), 1, d, model)[0] : undefined;
    reports.push({ task: 'lr-predict', id: String(sc.taskId), status: sc.status, seconds: sc.seconds, gas: sc.gas, result: sc.result, reference: { scores: [refScore] } });

    // 4. How much does the applicant owe across lenders, and to how many?
    say(`  task 4/4: debt query for applicant ${applicant} across three lenders (bureau, telco, fintech), for the bank`);
    const dq = await run('debt-query', { program: 'debt-query', protocol: 'rep3', params: { idColumn: 'id', balanceColumn: 'balance' }, datasetIds: [loanSet(bureau), loanSet(telco), loanSet(fintech)], computeParties: compute, receiver: bank.address, fee: 10n * TOKEN, zkResult: 'total' }, { applicant });
    let total = 0, lenders = 0;
    for (const f of Object.values(loans)) {
      const t = readCsvTable(f, { idColumn: 'id' });
      const sum = t.ids.reduce((s, id, i) => (id === applicant ? s + Math.round(t.values[i]! * 100) : s), 0);
      total += sum;
      if (sum > 0) lenders++;
    }
    // The result's zkResult opening holds the commitment's salt: the summary shows the values only.
    const { zkResult: _opening, ...dqShown } = dq.result;
    reports.push({ task: 'debt-query', id: String(dq.taskId), status: dq.status, seconds: dq.seconds, gas: dq.gas, result: dqShown, reference: { total: total / 100, lenders } });

    say('  zero-knowledge claims: the bureau proves facts about its committed dataset to the bank; the bank proves its decision to a supervisor');
    const zk: ZkStepReport = model && dq.status === 'Settled'
      ? await runZkStepReported({ net, dir: join(dir, 'zk'), say, bureauTable: readCsvTable(loans.bureau!, { idColumn: 'id' }), bureauDatasetId: loanSet(bureau), applicant, model, features: X.subarray(r * d, (r + 1) * d), debtTaskId: dq.taskId, debtResult: dq.result, requester: account })
      : zkStepSkipped('the lr-train or debt-query task did not settle');

    // Task payments first: the clearing cycle then moves the nodes' balances by their net positions.
    const after = await Promise.all(who.map(balance));
    const names = ['requester', ...net.nodes.map((n) => n.name)];
    const payments = Object.fromEntries(names.map((n, i) => [n, Number(after[i]! - before[i]!) / 1e18]));

    say('  clearing: the four nodes, as banks whose payment queues gridlock, net them under MPC and settle on-chain');
    const clearing = await runClearingStep(net, join(dir, 'clearing'), say);

    say('  custody key: the four institutions hold a threshold key no one of them holds alone');
    const custody = await runKeysStep(net, client, say);
    const summary = {
      seconds: Math.round((performance.now() - t0) / 10) / 100,
      chain: { rpcUrl: net.rpcUrl, chainId: net.manifest.chainId },
      tasks: reports,
      payments,
      gasTotal: reports.reduce((s, x) => s + x.gas, 0),
      clearing,
      keys: custody,
      zk,
      nodes: net.nodes.map((n) => ({ name: n.name, address: n.address, api: n.apiUrl, dir: n.dir })),
      note: 'default-credit data: FATE example data (UCI, CC BY 4.0); loan books are synthetic',
    };
    if (values.json) process.stdout.write(JSON.stringify(summary) + '\n');
    else printSummary(summary);
    if (values.once) return reports.every((x) => x.status === 'Settled') && clearing.ok && custody.ok && (zk.ok || zk.skipped !== undefined) ? 0 : 1;
    say('\nThe nodes keep running. Explore, e.g.:');
    for (const n of net.nodes) say(`  ${n.name.padEnd(8)} ${n.apiUrl}/tasks   (node dir ${n.dir})`);
    for (const line of await consoleLinkLines(net.nodes)) say(line);
    say(`  node bin/tacit.mjs data list --dir ${bank.dir}`);
    say('Ctrl-C stops everything.');
    await new Promise<void>((res) => {
      process.once('SIGINT', () => res());
      process.once('SIGTERM', () => res());
    });
    return 0;
  } finally {
    await stop();
  }
}

function printSummary(s: { seconds: number; tasks: TaskReport[]; payments: Record<string, number>; gasTotal: number; note: string; clearing: ClearingStepReport; keys: KeysStepReport; zk: ZkStepReport }): void {
  const out: string[] = ['', 'Summary'];
  for (const t of s.tasks) {
    out.push(`  ${t.task.padEnd(11)} task #${t.id.padEnd(3)} ${t.status.padEnd(8)} ${t.seconds.toFixed(1).padStart(6)} s  ${String(t.gas).padStart(9)} gas`);
    out.push(`      learnt by the bank: ${JSON.stringify(t.result, (_k, v) => (typeof v === 'number' ? Math.round(v * 1e4) / 1e4 : v)).slice(0, 160)}`);
    out.push(`      plaintext check:    ${JSON.stringify(t.reference, (_k, v) => (typeof v === 'number' ? Math.round(v * 1e4) / 1e4 : v))}`);
  }
  out.push(...clearingSummaryLines(s.clearing));
  out.push(...zkSummaryLines(s.zk));
  out.push(...keysSummaryLines(s.keys));
  out.push('  payments (payment-token units, + received / − paid):');
  for (const [who, v] of Object.entries(s.payments)) out.push(`      ${who.padEnd(10)} ${v >= 0 ? '+' : ''}${v.toFixed(2)}`);
  out.push(`  gas, all tasks: ${s.gasTotal}`);
  out.push(`  total time: ${s.seconds} s`);
  out.push(`  (${s.note})`);
  process.stdout.write(out.join('\n') + '\n');
}
