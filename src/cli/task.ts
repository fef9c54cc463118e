/**
 * `tacit task` and `tacit market`: the requester's commands, on top of the SDK.
 *
 *   tacit market nodes|datasets --manifest FILE [--json]
 *   tacit market buy DATASET_ID --uses N [--max-cost UNITS] --manifest FILE [--json]
 *   tacit task create --manifest FILE --program NAME --dataset ID… --compute ADDR… --receiver ADDR
 *                     --fee UNITS [--protocol rep3|semi2k] [--params JSON|@FILE] [--deadline SECONDS]
 *                     [--inputs JSON|@FILE --receiver-api URL --receiver-token-file FILE]
 *                     [--result-key-out FILE] [--json | --field taskId]
 *   tacit task status ID --manifest FILE [--wait] [--node-api URL] [--json]
 *   tacit task result ID --manifest FILE --node-api URL --result-key FILE [--json]
 *
 * The signing key comes from TACIT_PRIVATE_KEY (never printed). `create` makes a fresh
 * result key pair; its private half is written (mode 0600) to --result-key-out, and the
 * receiver seals the result to its public half, so `result` can open it anywhere.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { formatUnits, getAddress, isAddress, type Address, type Hex } from 'viem';
import { loadManifest } from '../chain/manifest.js';
import { buyDataTokens, createTacitClient, createTask, generateBoxKeyPair, getTask, getTaskResult, listDatasets, nameParties, listNodes, sendTaskInputs, waitForTask } from '../sdk/index.js';
import { parseFlags, dispatch, emitResult, UsageError } from './usage.js';
import { describeParameters } from '../algorithms/parameters.js';
import { formatFields, formatTable } from './table.js';
import { getTaskOutcome } from '../sdk/actions/getTaskOutcome.js';

const USAGE = `usage:
  tacit market nodes --manifest FILE [--json]
  tacit market datasets --manifest FILE [--json]
  tacit market buy DATASET_ID --uses N [--max-cost UNITS] --manifest FILE [--json]
      (pays at most --max-cost, default the current price × N: a price raised meanwhile reverts)
  tacit task create --manifest FILE --program NAME --dataset ID [--dataset ID …] --compute ADDR (×N)
                    --receiver ADDR --fee UNITS [--protocol rep3|semi2k] [--params JSON|@FILE]
                    [--deadline SECONDS] [--inputs JSON|@FILE --receiver-api URL --receiver-token-file FILE]
                    [--result-key-out FILE] [--json | --field taskId]
  tacit task status ID --manifest FILE [--wait] [--node-api URL] [--json]
  tacit task result ID --manifest FILE --node-api URL --result-key FILE [--json]
The signing key is read from TACIT_PRIVATE_KEY. Addresses are accepted in any case.

Program parameters (--params JSON; checked, with the datasets' published columns, before
anything is sent; docs/algorithms.md has more):
${describeParameters()}`;

const json = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));

function readJsonArg(v: string | undefined, what: string): Record<string, unknown> | undefined {
  if (v === undefined) return undefined;
  const text = v.startsWith('@') ? readFileSync(resolve(v.slice(1)), 'utf8') : v;
  try {
    const o = JSON.parse(text) as unknown;
    if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new Error('not an object');
    return o as Record<string, unknown>;
  } catch (cause) {
    throw new UsageError(`${what} must be a JSON object (or @file)`, { cause });
  }
}

function clientFrom(manifestPath: string | undefined, needKey: boolean) {
  if (!manifestPath) throw new UsageError('--manifest FILE is required', { hint: USAGE });
  const manifest = loadManifest(resolve(manifestPath));
  const key = process.env.TACIT_PRIVATE_KEY;
  if (needKey && !key) throw new UsageError('set TACIT_PRIVATE_KEY to the requester’s private key (0x…)');
  if (key && !/^0x[0-9a-fA-F]{64}$/.test(key)) throw new UsageError('TACIT_PRIVATE_KEY must be 0x followed by 64 hex digits');
  return createTacitClient({ manifest, ...(key ? { account: key as Hex } : {}) });
}

function address(v: string, what: string): Address {
  if (!isAddress(v, { strict: false })) throw new UsageError(`${what} ${v} is not an address`);
  return getAddress(v);
}

function uint(v: string | undefined, what: string): bigint {
  if (v === undefined || !/^(0|[1-9][0-9]*)$/.test(v)) throw new UsageError(`${what} must be a whole number`);
  return BigInt(v);
}

export async function marketCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgsLoose(rest, { manifest: 'string', uses: 'string', 'max-cost': 'string', json: 'boolean' });
  const client = clientFrom(values.manifest as string | undefined, sub === 'buy');
  let out: unknown;
  if (sub === 'nodes') out = await listNodes(client);
  else if (sub === 'datasets') out = await listDatasets(client);
  else if (sub === 'buy') {
    const id = uint(positionals[0], 'DATASET_ID');
    out = { datasetId: id, uses: uint(values.uses as string, '--uses'), ...(await buyDataTokens(client, { datasetId: id, uses: uint(values.uses as string, '--uses'), ...(values['max-cost'] !== undefined ? { maxCost: uint(values['max-cost'] as string, '--max-cost') } : {}) })) };
  } else throw new UsageError(`unknown subcommand "market ${sub ?? ''}"`, { hint: USAGE });
  if (values.json) process.stdout.write(json(out) + '\n');
  else if (sub === 'nodes') {
    const nodes = out as Awaited<ReturnType<typeof listNodes>>;
    const roles = (r: { data: boolean; compute: boolean; receiver: boolean }) => Object.entries(r).filter(([, v]) => v).map(([k]) => k).join(',');
    process.stdout.write(formatTable(['NAME', 'ADDRESS', 'ROLES', 'STAKE', 'ENDPOINT'], nodes.map((n) => [n.name, n.address, roles(n.roles), `${formatUnits(n.stake, 18)}${n.exiting ? ' (exiting)' : ''}`, n.endpoint])));
  } else if (sub === 'datasets') {
    const ds = out as Awaited<ReturnType<typeof listDatasets>>;
    process.stdout.write(formatTable(['ID', 'OWNER', 'ROWS', 'PRICE/USE', 'SALE', 'STATUS', 'COLUMNS'], ds.map((d) => [String(d.id), d.owner, String(d.rowCount), formatUnits(d.price, 18), d.sale.open ? formatUnits(d.sale.pricePerUse, 18) : 'closed', d.status, d.schema ? [d.schema.idColumn, ...d.schema.columns].join(',') : '(not published)'])));
  } else process.stdout.write(formatFields(JSON.parse(json(out)) as Record<string, unknown>));
  return 0;
}

export function taskCommand(argv: string[]): Promise<number> {
  return dispatch('task', argv, { create: createCmd, status: statusCmd, result: resultCmd }, USAGE);
}

async function createCmd(args: string[]): Promise<number> {
  const { values: v } = parseFlags(
    args,
    {
      manifest: { type: 'string' },
      program: { type: 'string' },
      protocol: { type: 'string', default: 'rep3' },
      dataset: { type: 'string', multiple: true },
      compute: { type: 'string', multiple: true },
      receiver: { type: 'string' },
      fee: { type: 'string' },
      params: { type: 'string' },
      deadline: { type: 'string' },
      inputs: { type: 'string' },
      'receiver-api': { type: 'string' },
      'receiver-token-file': { type: 'string' },
      'result-key-out': { type: 'string' },
      json: { type: 'boolean', default: false },
      field: { type: 'string' },
    },
    USAGE,
  );
  const client = clientFrom(v.manifest, true);
  if (!v.program) throw new UsageError('--program is required', { hint: USAGE });
  if (v.protocol !== 'rep3' && v.protocol !== 'semi2k') throw new UsageError('--protocol must be rep3 or semi2k');
  if (!v.receiver) throw new UsageError('--receiver ADDR is required');
  const inputs = readJsonArg(v.inputs, '--inputs');
  if (inputs && (!v['receiver-api'] || !v['receiver-token-file'])) throw new UsageError('--inputs needs --receiver-api and --receiver-token-file');
  const keys = generateBoxKeyPair();
  const created = await createTask(client, {
    program: v.program,
    protocol: v.protocol,
    params: readJsonArg(v.params, '--params') ?? {},
    datasetIds: (v.dataset ?? []).map((d) => uint(d, '--dataset')),
    computeParties: (v.compute ?? []).map((c) => address(c, '--compute')),
    receiver: address(v.receiver, '--receiver'),
    fee: uint(v.fee, '--fee'),
    ...(v.deadline ? { deadlineSeconds: Number(uint(v.deadline, '--deadline')) } : {}),
    resultKey: keys.publicKey,
  });
  // The result key is written only once the task exists: no orphan key files for failed creates.
  if (v['result-key-out']) writeFileSync(resolve(v['result-key-out']), keys.privateKey + '\n', { mode: 0o600 });
  if (inputs) {
    const token = readFileSync(resolve(v['receiver-token-file']!), 'utf8').trim();
    await sendTaskInputs({ node: { url: v['receiver-api']!, token }, taskId: created.taskId, inputs });
  }
  const out = { taskId: created.taskId, txHash: created.txHash, paramsHash: created.paramsHash, gasUsed: created.gasUsed, resultKeyFile: v['result-key-out'] ?? null };
  emitResult(out, v, () => `task ${out.taskId} created (tx ${out.txHash}, ${out.gasUsed} gas)\n`);
  return 0;
}

async function statusCmd(args: string[]): Promise<number> {
  const { values: v, positionals } = parseArgsLoose(args, { manifest: 'string', wait: 'boolean', 'node-api': 'string', json: 'boolean' });
  const client = clientFrom(v.manifest as string | undefined, false);
  const taskId = uint(positionals[0], 'ID');
  if (v.wait) {
    // On a terminal one line redrawn in place; otherwise a line per change of status or phase.
    const tty = process.stderr.isTTY === true;
    let last = '';
    await waitForTask(client, {
      taskId,
      ...(v['node-api'] ? { progressFrom: { url: v['node-api'] as string } } : {}),
      onUpdate: (u) => {
        if (v.json) return;
        const line = `  ${u.status}${u.phase ? ` ${u.phase}` : ''}`;
        const pct = u.progress !== undefined ? ` ${Math.round(u.progress * 100)}%` : '';
        if (tty) process.stderr.write(`\x1b[2K${line}${pct}\r`);
        else if (line !== last) process.stderr.write(`${line}${pct}\n`);
        last = line;
      },
    });
    if (tty && !v.json) process.stderr.write('\n');
  }
  const t = await getTask(client, { taskId });
  const outcome = await getTaskOutcome(client, { taskId });
  const ended = ['Settled', 'Refused', 'Failed', 'Expired'].includes(t.status);
  if (v.json) process.stdout.write(json({ ...t, outcome: { ok: outcome.ok, reason: outcome.reason, refusals: outcome.refusals, failureReports: outcome.failureReports, slashed: outcome.slashed, ...(outcome.settlement ? { settlement: outcome.settlement } : {}) } }) + '\n');
  else process.stdout.write(`task ${taskId}: ${t.status} — ${outcome.reason}\n`);
  // A task that ended without a result is a failure of this command (scripts stop on it).
  return ended && !outcome.ok ? 1 : 0;
}

async function resultCmd(args: string[]): Promise<number> {
  const { values: v, positionals } = parseArgsLoose(args, { manifest: 'string', 'node-api': 'string', 'result-key': 'string', json: 'boolean' });
  if (!v['node-api'] || !v['result-key']) throw new UsageError('--node-api URL and --result-key FILE are required', { hint: USAGE });
  const client = clientFrom(v.manifest as string | undefined, false);
  const opened = await getTaskResult(client, {
    node: { url: v['node-api'] as string },
    taskId: uint(positionals[0], 'ID'),
    resultPrivateKey: readFileSync(resolve(v['result-key'] as string), 'utf8').trim(),
  });
  // Parties by the names their nodes registered (`bureau.income`), with `parties` for the addresses.
  const result = await nameParties(client, opened);
  process.stdout.write(v.json ? `${JSON.stringify(result)}\n` : `task ${positionals[0]} result:\n${formatFields(result as Record<string, unknown>, '  ')}`);
  return 0;
}

/** parseArgs allowing positionals (task and dataset ids), strict on flags. */
function parseArgsLoose(args: string[], spec: Record<string, 'string' | 'boolean'>) {
  const options = Object.fromEntries(Object.entries(spec).map(([k, type]) => [k, { type }])) as Record<string, { type: 'string' | 'boolean' }>;
  try {
    const r = parseArgs({ args, options, strict: true, allowPositionals: true });
    return { values: r.values as Record<string, string | boolean | undefined>, positionals: r.positionals };
  } catch (cause) {
    throw new UsageError((cause as Error).message, { hint: USAGE });
  }
}
