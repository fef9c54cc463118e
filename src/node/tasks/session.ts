/**
 * One node's part of a task's session: connect the TLS mesh to the other parties (keys
 * pinned from the registry), run the program over a network whose transcript is recorded
 * (transcript.ts), and return either what this node learnt and — as a compute party — its
 * link digests to commit to, or the failure it saw with the report it should send on-chain
 * (blame.ts). The session never decides anything on-chain itself; the manager does.
 */
import type { GuardOverrides } from '../../algorithms/admission.js';
import type { Hex } from 'viem';
import type { Program, SessionPlan } from '../../algorithms/program.js';
import { connectTlsNetwork, type Identity, type SessionMux } from '../../net/index.js';
import { SESSION_IDLE_TIMEOUT_MS } from '../runner/run-party.js';
import { failureReport, type FailureReport } from './blame.js';
import { recordTranscript } from './transcript.js';

export interface SessionInput {
  plan: SessionPlan;
  program: Program;
  identity: Identity;
  mux: SessionMux;
  local: Record<string, unknown>;
  /** This node's id (lowercase address). */
  self: string;
  signal: AbortSignal;
  /** This node's guard overrides (node.json `policy.guards`), checked again by programs at run time. */
  guards?: GuardOverrides;
  connectTimeoutMs?: number;
  progress: (phase: string, done: number, total: number) => void;
}

export type SessionOutcome =
  | {
      ok: true;
      output?: Record<string, unknown>;
      keep?: Record<string, unknown>;
      /** Compute parties: one link digest per other compute party, in compute order. */
      claims?: Hex[];
      bytesSentTo: Map<string, number>;
    }
  | { ok: false; error: Error; report: FailureReport };

export async function runTaskSession(s: SessionInput): Promise<SessionOutcome> {
  const { plan, self } = s;
  const members = new Set(plan.parties.map((p) => p.id));
  let net: Awaited<ReturnType<typeof connectTlsNetwork>>;
  try {
    net = await connectTlsNetwork({
      sessionId: plan.sessionId,
      self: s.identity,
      listen: s.mux,
      peers: plan.parties.filter((p) => p.id !== self).map(({ id, host, port, fingerprint }) => ({ id, host, port, fingerprint })),
      connectTimeoutMs: s.connectTimeoutMs ?? 60_000,
      idleTimeoutMs: SESSION_IDLE_TIMEOUT_MS,
      signal: s.signal,
    });
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    return { ok: false, error, report: failureReport(error, true, members, self) };
  }
  const recorded = recordTranscript(net);
  try {
    const result = await s.program.run({ plan, self, net: recorded.net, local: s.local, signal: s.signal, progress: s.progress, ...(s.guards ? { guards: s.guards } : {}) });
    await net.close();
    const compute = plan.mpc?.computeParties ?? [];
    const claims = compute.includes(self) ? compute.filter((c) => c !== self).map((c) => recorded.linkDigest(c)) : undefined;
    return {
      ok: true,
      ...(result.output !== undefined ? { output: result.output } : {}),
      ...(result.keep !== undefined ? { keep: result.keep } : {}),
      ...(claims ? { claims } : {}),
      bytesSentTo: net.meter.sentTo,
    };
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    await net.abort(error).catch(() => {});
    return { ok: false, error, report: failureReport(error, false, members, self) };
  }
}
