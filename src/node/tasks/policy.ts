/**
 * Whether this node takes part in a task — decided before it consents, so that a bad request
 * is refused on-chain (full refund, nobody slashed) instead of failing mid-session where
 * someone would have to be blamed. In order:
 *
 *  1. the program: known here, and the chain's algorithmId, code hash and version are this
 *     node's program (a task naming `psi` on-chain cannot run `lr-predict` here);
 *  2. the operator's policy (node.json `policy`): programs, protocols, requesters, parties,
 *     this node's own share of the fee, time left before the deadline;
 *  3. the protocol: semi2k only with acceptable preprocessing (preprocessing.ts);
 *  4. the task's shape: every address the parameters name is a party of the task; this node
 *     brings at most one dataset, stored here, listed for this program, with the columns the
 *     parameters name;
 *  5. the program's own admission check with the node's guards (`program.admit`).
 *
 * A refusal carries a code and a short reason that go on-chain: they name programs,
 * parameters, columns and bounds — never a value, id or row of the data. `wait` means "not
 * yet": a receiver waits for its operator's private inputs before consenting.
 */
import type { Address, Hex } from 'viem';
import { algorithmId } from '../../chain/algorithm-id.js';
import { DataRegistryAbi } from '../../chain/artifacts.js';
import { RefusalCode } from '../../chain/commit-reveal.js';
import type { LocalLedger } from '../../chain/local-ledger.js';
import type { AdmissionRequest, KeptModelBinding, LocalDatasetInfo } from '../../algorithms/admission.js';
import { keptModelBinding } from '../runner/kept-model.js';
import { codeHashOf, type Program, type Role } from '../../algorithms/program.js';
import type { TaskParams } from '../../algorithms/task-params.js';
import type { NodeConfig } from '../config.js';
import type { NodeStore, TaskRecord } from '../store/index.js';
import type { ChainTask } from './chain-view.js';
import { lower } from './chain-view.js';
import { semi2kPreprocessing } from './preprocessing.js';

export type Verdict = { kind: 'accept' } | { kind: 'refuse'; code: number; reason: string } | { kind: 'wait' };

/** Programs whose receiver brings private inputs of its own. */
const RECEIVER_INPUTS: Record<string, string[]> = { 'debt-query': ['applicant'], 'lr-predict': ['applicants'], 'sgb-predict': ['applicants'] };
/** Default for policy.minSecondsToDeadline. */
export const DEFAULT_MIN_SECONDS_TO_DEADLINE = 20;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

export interface DecideInput {
  task: TaskRecord;
  chain: ChainTask;
  /** From the TaskCreated event. */
  algorithmId: Hex;
  codeHash: Hex;
  self: string;
  config: NodeConfig;
  store: NodeStore;
  ledger: LocalLedger;
  programs: ReadonlyMap<string, Program>;
  /** Unix seconds now. */
  now: number;
}

/** The contract takes at most 160 bytes of reason (TaskMarket.MAX_REASON_BYTES). */
export const MAX_REASON_BYTES = 160;

/** `s` cut to at most `max` UTF-8 bytes, never inside a character. */
export function truncateUtf8(s: string, max = MAX_REASON_BYTES): string {
  if (Buffer.byteLength(s) <= max) return s;
  let out = '';
  for (const ch of s) {
    if (Buffer.byteLength(out + ch) > max - 3) break;
    out += ch;
  }
  return `${out}...`;
}

const refuse = (code: number, reason: string): Verdict => ({ kind: 'refuse', code, reason: truncateUtf8(reason) });

export async function decide(d: DecideInput): Promise<Verdict> {
  const { task: t, chain, config, store, self } = d;
  if (!t.params) return refuse(RefusalCode.Parameters, t.error ?? 'the task has no readable parameters');
  const params = t.params as unknown as TaskParams & { datasetIds: string[]; dataOwners: string[] };
  const policy = config.policy;

  // 1. The program the chain names is the program this node would run.
  const program = d.programs.get(params.program);
  if (!program) return refuse(RefusalCode.Program, `unknown program ${params.program}`);
  if (d.algorithmId.toLowerCase() !== algorithmId(program.name)) return refuse(RefusalCode.Program, `the on-chain algorithmId is not that of ${program.name}`);
  if (params.version !== program.version) return refuse(RefusalCode.Program, `${program.name} version ${params.version} requested; this node runs ${program.version}`);
  if (d.codeHash.toLowerCase() !== codeHashOf(program).toLowerCase()) return refuse(RefusalCode.Program, `the on-chain code hash is not that of ${program.name} ${program.version} here`);

  // 2. The operator's policy.
  if (policy.allowedAlgorithms && !policy.allowedAlgorithms.includes(params.program)) return refuse(RefusalCode.Policy, `program ${params.program} is not allowed by this node's policy`);
  if (policy.protocols && !policy.protocols.includes(params.protocol)) return refuse(RefusalCode.Protocol, `protocol ${params.protocol} is not allowed by this node's policy`);
  if (policy.minParties !== undefined && chain.parties.length < policy.minParties) return refuse(RefusalCode.Policy, `the task has ${chain.parties.length} parties; this node requires at least ${policy.minParties}`);
  if (policy.allowedRequesters && !policy.allowedRequesters.some((a) => lower(a) === t.requester)) return refuse(RefusalCode.Policy, 'the requester is not on this node’s allow-list');
  const index = chain.parties.findIndex((p) => lower(p) === self);
  if (policy.minFeePerTask !== undefined) {
    const share = shareOf(chain, index);
    if (share < BigInt(policy.minFeePerTask)) return refuse(RefusalCode.Fee, `this node's share of the fee (${share}) is below its minimum of ${policy.minFeePerTask}`);
  }
  const secondsToDeadline = chain.deadline - d.now;
  const minSeconds = policy.minSecondsToDeadline ?? DEFAULT_MIN_SECONDS_TO_DEADLINE;
  if (secondsToDeadline < minSeconds) return refuse(RefusalCode.Deadline, `the deadline is ${Math.max(0, secondsToDeadline)} s away; this node needs at least ${minSeconds} s`);

  // 3. The protocol.
  const compute = chain.parties.slice(0, chain.nCompute).map(lower);
  if (params.protocol === 'semi2k') {
    const pre = semi2kPreprocessing(compute);
    if (!pre.ok) return refuse(RefusalCode.Protocol, pre.reason);
  } else if (compute.length !== 3) return refuse(RefusalCode.Parameters, `rep3 needs exactly 3 compute parties, the task has ${compute.length}`);

  // 4. The task's shape against this node's data.
  const parties = new Set(chain.parties.map(lower));
  const receiver = lower(chain.receiver);
  // A resharing names the previous epoch's members in its public state, including any that
  // left the group and take no part: only the rest of the parameters must name parties.
  const named = params.program === 'key-reshare' ? { ...params.params, previous: undefined } : params.params;
  for (const a of addressesIn(named)) {
    if (!parties.has(a)) return refuse(RefusalCode.Parameters, `the parameters name ${a}, which is not a party of the task`);
  }
  for (const key of ['receiver', 'receivers'] as const) {
    const v = params.params[key];
    const named = typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
    if (named.some((x) => lower(x) !== receiver)) return refuse(RefusalCode.Parameters, `parameter ${key} names a party other than the task's receiver`);
  }
  const mine = params.datasetIds.filter((_, i) => params.dataOwners[i] === self);
  if (mine.length > 1) return refuse(RefusalCode.Parameters, 'the task uses more than one dataset of this node (one per party)');
  let dataset: LocalDatasetInfo | undefined;
  if (mine.length === 1) {
    const rec = store.listDatasets().find((x) => String(x.datasetId ?? '') === mine[0]);
    if (!rec) return refuse(RefusalCode.Data, `dataset ${mine[0]} is not stored at this node`);
    if (rec.algorithms && !rec.algorithms.some((a) => a === program.name || a.toLowerCase() === algorithmId(program.name))) {
      return refuse(RefusalCode.Data, `dataset ${mine[0]} is not listed for ${program.name}`);
    }
    const terms = await d.ledger.pub.readContract({ address: d.ledger.manifest.contracts.DataRegistry, abi: DataRegistryAbi, functionName: 'useTerms', args: [BigInt(mine[0]!), algorithmId(program.name)] });
    if (!terms[4]) return refuse(RefusalCode.Data, `dataset ${mine[0]} does not allow ${program.name} on-chain`);
    dataset = datasetInfo(store, rec.name, mine[0]!);
    const missing = missingColumns(params.params, dataset, self);
    if (missing) return refuse(RefusalCode.Data, missing);
  }

  // 5. The program's own check, with this node's guards.
  const roles: Role[] = [];
  if (mine.length) roles.push('data');
  if (compute.includes(self)) roles.push('compute');
  if (receiver === self) roles.push('receiver');
  if (program.admit) {
    const request: AdmissionRequest = {
      program: program.name,
      version: params.version,
      protocol: params.protocol,
      params: params.params,
      self,
      roles,
      computeParties: compute,
      dataOwners: params.dataOwners,
      receiver,
      ...(dataset ? { dataset } : {}),
      secondsToDeadline,
      ...(t.requester ? { requester: lower(t.requester) } : {}),
      datasetRows: await datasetRowsOf(d.ledger, params.datasetIds),
      ...keptModelOf(store, params.params),
    };
    const verdict = program.admit(request, policy.guards ?? {});
    if (!verdict.ok) return refuse(RefusalCode.Guard, verdict.reason);
  }

  if (receiver === self) {
    const needs = RECEIVER_INPUTS[params.program] ?? [];
    if (needs.length && !store.getKv(`task-inputs:${t.id}`)) return { kind: 'wait' };
  }
  return { kind: 'accept' };
}

/** What the task pays party `index` if it settles: its data payout, plus a compute share. */
export function shareOf(chain: ChainTask, index: number): bigint {
  if (index < 0) return 0n;
  const payouts = chain.dataPayouts.reduce((a, b) => a + b, 0n);
  const computeShare = index < chain.nCompute ? (chain.fee - payouts) / BigInt(chain.nCompute) : 0n;
  return (chain.dataPayouts[index] ?? 0n) + computeShare;
}

/** Every 0x-address string anywhere in the parameters (lowercase). */
function addressesIn(v: unknown, out = new Set<string>()): Set<string> {
  if (typeof v === 'string' && ADDRESS.test(v)) out.add(v.toLowerCase());
  else if (Array.isArray(v)) for (const x of v) addressesIn(x, out);
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) {
    if (ADDRESS.test(k)) out.add(k.toLowerCase());
    addressesIn(x, out);
  }
  return out as Set<Address>;
}

/** The columns the parameters ask of this node that its dataset lacks, as a refusal reason. */
function missingColumns(p: Record<string, unknown>, ds: LocalDatasetInfo, self: string): string | undefined {
  const has = (c: string) => ds.columns.includes(c);
  if (typeof p['idColumn'] === 'string' && p['idColumn'] !== ds.idColumn) return `id column "${p['idColumn']}" is not the id column of dataset ${ds.datasetId}`;
  for (const key of ['balanceColumn', 'valueColumn', 'amountColumn']) {
    const c = p[key];
    if (typeof c === 'string' && !has(c)) return `column "${c}" (${key}) is not in dataset ${ds.datasetId}`;
  }
  if (typeof p['labelColumn'] === 'string' && typeof p['labelParty'] === 'string' && lower(p['labelParty']) === self && !has(p['labelColumn'])) {
    return `label column "${p['labelColumn']}" is not in dataset ${ds.datasetId}`;
  }
  const schema = p['schema'];
  if (schema && typeof schema === 'object') {
    const mine = Object.entries(schema as Record<string, unknown>).find(([k]) => lower(k) === self)?.[1];
    if (Array.isArray(mine)) for (const c of mine) if (typeof c !== 'string' || !has(c)) return `feature column "${String(c)}" is not in dataset ${ds.datasetId}`;
  }
  return undefined;
}

const infoCache = new Map<string, LocalDatasetInfo>();

/** The on-chain row counts of the task's datasets (guards compare them with their minimums). */
async function datasetRowsOf(ledger: LocalLedger, ids: readonly string[]): Promise<number[]> {
  const listings = await Promise.all(ids.map((id) => ledger.pub.readContract({ address: ledger.manifest.contracts.DataRegistry, abi: DataRegistryAbi, functionName: 'getDataset', args: [BigInt(id)] })));
  return listings.map((l) => Number(l.rowCount));
}

/** For a task that scores with a kept model: that model's binding (never its shares). */
function keptModelOf(store: NodeStore, params: Record<string, unknown>): { keptModel?: KeptModelBinding } {
  const modelTask = params['modelTask'];
  if (modelTask === undefined || params['sharedModel'] !== true) return {};
  const raw = store.getKv(`task-keep:${Number(modelTask)}`);
  const binding = raw ? keptModelBinding(JSON.parse(raw) as unknown) : undefined;
  return binding ? { keptModel: binding } : {};
}

/** Columns, rows and per-column ranges of a stored dataset (computed once per dataset). */
export function datasetInfo(store: NodeStore, name: string, datasetId: string): LocalDatasetInfo {
  const rec = store.listDatasets().find((x) => x.name === name)!;
  const key = `${name}\n${rec.commitment}`;
  const cached = infoCache.get(key);
  if (cached) return { ...cached, datasetId };
  const table = store.table(name);
  const ranges: Record<string, { min: number; max: number }> = {};
  const nc = table.columns.length;
  for (let c = 0; c < nc; c++) {
    let min = Infinity;
    let max = -Infinity;
    for (let r = 0, i = c; r < table.rows; r++, i += nc) {
      const v = table.values[i]!;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    ranges[table.columns[c]!] = { min, max };
  }
  const info: LocalDatasetInfo = { datasetId, idColumn: rec.idColumn, columns: [...rec.columns], rows: rec.rows, ranges };
  infoCache.set(key, info);
  return info;
}
