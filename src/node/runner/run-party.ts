/**
 * Runs this party's part of a session: checks the plan, opens the TLS mesh to the other
 * parties (keys pinned to the fingerprints in the plan), runs the program, and closes —
 * or aborts the whole session with a reason every peer sees if anything fails, so no
 * party is left waiting. Shared by the node daemon and `tacit run`'s party processes.
 */
import { basename } from 'node:path';
import { TacitError } from '../../errors.js';
import { PROGRAMS } from '../../algorithms/programs/index.js';
import { partiesWith, type Program, type ProgramResult, type SessionPlan } from '../../algorithms/program.js';
import { AdmissionError, type AdmissionRequest, type GuardOverrides, type LocalDatasetInfo } from '../../algorithms/admission.js';
import { readCsvTable, type Table } from '../../data/csv.js';
import { keptModelBinding } from './kept-model.js';
import { connectTlsNetwork, type Identity, type SessionMux, type TlsEndpoint } from '../../net/index.js';

export interface RunPartyOptions {
  plan: SessionPlan;
  identity: Identity;
  /** Where peers reach this party: an endpoint for this session only, or the node's shared SessionMux. */
  endpoint: TlsEndpoint | SessionMux;
  local: Record<string, unknown>;
  onProgress?: (phase: string, done: number, total: number) => void;
  /** Programs by name (defaults to the registry); tests and benchmarks add their own. */
  programs?: ReadonlyMap<string, Program>;
  connectTimeoutMs?: number;
  idleTimeoutMs?: number;
  signal?: AbortSignal;
  /**
   * Guard overrides. The party judges the session with the program's `admit` (as a node
   * does before consenting) and refuses to take part — aborting the session with the
   * reason — when it fails; absent means the program's defaults.
   */
  guards?: GuardOverrides;
  /** Seconds the session may take (a local session has no deadline: unbounded). */
  secondsToDeadline?: number;
}

/** How long a session waits for a silent but connected peer (default). */
export const SESSION_IDLE_TIMEOUT_MS = 15 * 60_000;

export class PlanError extends TacitError {
  override name = 'PlanError';
}

export function checkPlan(plan: SessionPlan, identity: Identity): void {
  const me = plan.parties.find((p) => p.id === identity.id);
  if (!me) throw new PlanError(`party ${identity.id} is not in the session plan`);
  if (me.fingerprint.toLowerCase() !== identity.fingerprint.toLowerCase()) {
    throw new PlanError(`the plan pins another key for ${identity.id}`, { hint: 'The plan and this node disagree about its TLS key; re-register the node.' });
  }
  const ids = new Set<string>();
  for (const p of plan.parties) {
    if (ids.has(p.id)) throw new PlanError(`party ${p.id} appears twice in the plan`);
    ids.add(p.id);
  }
  for (const c of plan.mpc?.computeParties ?? []) if (!ids.has(c)) throw new PlanError(`compute party ${c} is not in the plan`);
}

export async function runParty(opts: RunPartyOptions): Promise<ProgramResult> {
  const { plan, identity } = opts;
  checkPlan(plan, identity);
  const program = (opts.programs ?? PROGRAMS).get(plan.program);
  if (!program) {
    throw new PlanError(`unknown program "${plan.program}"`, { hint: `Known programs: ${[...(opts.programs ?? PROGRAMS).keys()].join(', ')}` });
  }
  const net = await connectTlsNetwork({
    sessionId: plan.sessionId,
    self: identity,
    listen: opts.endpoint,
    peers: plan.parties.filter((p) => p.id !== identity.id).map(({ id, host, port, fingerprint }) => ({ id, host, port, fingerprint })),
    connectTimeoutMs: opts.connectTimeoutMs,
    // A party may legitimately wait minutes for a peer's long local step (masking 2^20 PSI
    // ids takes ~70 s); a peer that vanishes is still caught at once by its socket closing.
    idleTimeoutMs: opts.idleTimeoutMs ?? SESSION_IDLE_TIMEOUT_MS,
    signal: opts.signal,
  });
  try {
    // A CSV named in `local` is read once here (with its lines, for messages to its owner),
    // judged, and handed to the program as its table. Inside the session, so that a refusal
    // or a bad file aborts every peer at once instead of leaving them waiting.
    const local = { ...opts.local };
    if (typeof local['csv'] === 'string' && typeof plan.params['idColumn'] === 'string') {
      local['table'] = readCsvTable(local['csv'], { idColumn: plan.params['idColumn'], uniqueIds: program.name !== 'debt-query' });
    }
    const verdict = program.admit?.(admissionRequestOf(plan, identity.id, local, opts.secondsToDeadline ?? Infinity), opts.guards ?? {});
    if (verdict && !verdict.ok) {
      // A refusal by a guard can be loosened by the party's operator; a bad parameter or
      // dataset cannot: the hint says which it is.
      const hint = /guard/.test(verdict.reason)
        ? 'A guard can be adjusted with --guard NAME=VALUE (tacit run) or policy.guards in node.json.'
        : `Fix what the reason names (see \`tacit run ${plan.program} --help\` and docs/algorithms.md) and try again.`;
      throw new AdmissionError(`${identity.id} refuses the ${plan.program} task: ${verdict.reason}`, { hint });
    }
    const result = await program.run({
      plan,
      self: identity.id,
      net,
      local,
      guards: opts.guards,
      progress: opts.onProgress ?? (() => {}),
      signal: opts.signal,
    });
    await net.close();
    return result;
  } catch (err) {
    await net.abort(err instanceof Error ? err : new Error(String(err)));
    throw err;
  }
}

/** The admission request a party of a local session builds from the plan and its own inputs. */
export function admissionRequestOf(plan: SessionPlan, self: string, local: Record<string, unknown>, secondsToDeadline: number): AdmissionRequest {
  const me = plan.parties.find((p) => p.id === self)!;
  const params = plan.params;
  const receiver =
    typeof params['receiver'] === 'string'
      ? params['receiver']
      : Array.isArray(params['receivers']) && typeof params['receivers'][0] === 'string'
        ? params['receivers'][0]
        : (partiesWith(plan, 'receiver')[0] ?? '');
  const table = local['table'] as Table | undefined;
  const kept = local['modelShares'] ?? local['modelBinding'];
  return {
    program: plan.program,
    version: '',
    protocol: plan.mpc?.protocol === 'semi2k' ? 'semi2k' : 'rep3',
    params,
    self,
    roles: me.roles,
    computeParties: [...(plan.mpc?.computeParties ?? [])],
    dataOwners: partiesWith(plan, 'data'),
    receiver,
    ...(table ? { dataset: datasetInfoOf(table, typeof local['csv'] === 'string' ? basename(local['csv']) : 'local') } : {}),
    secondsToDeadline,
    ...(kept ? { keptModel: keptModelBinding({ modelShares: kept }) } : {}),
  };
}

/** What admission may know of a table: its schema, size and each column's range (never rows). */
export function datasetInfoOf(table: Table, datasetId: string): LocalDatasetInfo {
  const w = table.columns.length;
  const ranges: Record<string, { min: number; max: number }> = {};
  table.columns.forEach((c, j) => {
    let min = Infinity;
    let max = -Infinity;
    for (let r = 0; r < table.rows; r++) {
      const v = table.values[r * w + j]!;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    ranges[c] = { min, max };
  });
  return { datasetId, idColumn: table.idColumn ?? '', columns: table.columns, rows: table.rows, ranges };
}
