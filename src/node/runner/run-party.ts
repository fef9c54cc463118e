/**
 * Runs this party's part of a session: checks the plan, opens the TLS mesh to the other
 * parties (keys pinned to the fingerprints in the plan), runs the program, and closes —
 * or aborts the whole session with a reason every peer sees if anything fails, so no
 * party is left waiting. Shared by the node daemon and `tacit run`'s party processes.
 */
import { TacitError } from '../../errors.js';
import { PROGRAMS } from '../../algorithms/programs/index.js';
import type { Program, ProgramResult, SessionPlan } from '../../algorithms/program.js';
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
    const result = await program.run({
      plan,
      self: identity.id,
      net,
      local: opts.local,
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
