/**
 * Runs one session with every party as its own OS process on loopback TLS, without a
 * chain: what `tacit run` and the benchmarks do. Each child makes its own key and port and
 * reports only the public half (fingerprint, port); this launcher assembles the plan,
 * hands each child the plan and its own private inputs, relays progress, and collects
 * results. If any party fails, the others abort through the network and every process
 * ends; nothing is left running.
 */
import { killWithParent } from '../../chain/orphan-guard.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { TacitError } from '../../errors.js';
import type { ProgramResult, Role, SessionPlan } from '../../algorithms/program.js';
import type { MpcConfig } from '../../mpc/engine.js';
import type { GuardOverrides } from '../../algorithms/admission.js';
import type { ChildMessage, StartMessage } from './messages.js';
import { SESSION_V8_FLAGS } from '../v8-flags.js';

export interface LocalParty {
  id: string;
  roles: Role[];
  local?: Record<string, unknown>;
  /** For a receiver: the file it writes its output to itself (its result then says `{ writtenTo }`). */
  outFile?: string;
}

export interface LocalSessionOptions {
  program: string;
  params: Record<string, unknown>;
  parties: LocalParty[];
  mpc?: MpcConfig;
  /** Absolute path of a compiled module exporting extra `programs` (benchmarks, tests). */
  programModule?: string;
  onProgress?: (party: string, phase: string, done: number, total: number) => void;
  /** Whole-session deadline (default 30 minutes). */
  timeoutMs?: number;
  /** Guard overrides every party applies before it takes part (see algorithms/admission.ts). */
  guards?: GuardOverrides;
  /** Extra arguments for node (e.g. --max-old-space-size). */
  nodeArgs?: string[];
}

export class LocalSessionError extends TacitError {
  override name = 'LocalSessionError';
}

const partyMain = fileURLToPath(new URL('./party-main.js', import.meta.url));

interface Child {
  id: string;
  proc: ChildProcess;
  ready: Promise<{ port: number; fingerprint: string }>;
  done: Promise<ProgramResult>;
}

function startChild(party: LocalParty, opts: LocalSessionOptions): Child {
  const proc = spawn(process.execPath, [...SESSION_V8_FLAGS, ...(opts.nodeArgs ?? []), partyMain, party.id, '127.0.0.1'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  killWithParent(proc.pid);
  let stderr = '';
  proc.stderr!.on('data', (b: Buffer) => {
    stderr = (stderr + b.toString()).slice(-4000);
  });
  let onReady!: (v: { port: number; fingerprint: string }) => void;
  let onDone!: (v: ProgramResult) => void;
  let onFail!: (e: Error) => void;
  const ready = new Promise<{ port: number; fingerprint: string }>((res) => (onReady = res));
  const done = new Promise<ProgramResult>((res, rej) => {
    onDone = res;
    onFail = rej;
  });
  let failure: Error | undefined;
  let result: ProgramResult | undefined;
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    let m: ChildMessage;
    try {
      m = JSON.parse(line) as ChildMessage;
    } catch {
      return; // not ours
    }
    if (m.type === 'ready') onReady({ port: m.port, fingerprint: m.fingerprint });
    else if (m.type === 'progress') opts.onProgress?.(party.id, m.phase, m.done, m.total);
    else if (m.type === 'result') result = m.result;
    else if (m.type === 'error') {
      // The party's own error, told once: its message, details and hint, and its name as the code.
      failure = new LocalSessionError(`party ${party.id} failed: ${m.message}`, {
        code: m.name,
        ...(m.details ? { details: m.details.trim() } : {}),
        ...(m.hint ? { hint: m.hint } : {}),
      });
    }
  });
  // 'close', not 'exit': 'exit' may fire while the child's stdout still holds unread lines
  // (a 50,000-id PSI result is a ~1 MB line), and the result would be reported missing.
  proc.on('close', (code, signal) => {
    if (result && code === 0) onDone(result);
    else onFail(failure ?? new LocalSessionError(`party ${party.id} exited (${signal ?? `code ${code}`}) without a result`, { details: stderr.trim() || undefined }));
  });
  // A child that dies before "ready" must not leave `ready` pending forever.
  done.catch(() => onReady({ port: -1, fingerprint: '' }));
  return { id: party.id, proc, ready, done };
}

/** Runs the session and returns each party's result; throws the first party failure. */
export async function runLocalSession(opts: LocalSessionOptions): Promise<Map<string, ProgramResult>> {
  const children = opts.parties.map((p) => startChild(p, opts));
  const killAll = () => children.forEach((c) => c.proc.exitCode === null && c.proc.kill('SIGKILL'));
  const timer = setTimeout(killAll, opts.timeoutMs ?? 30 * 60_000);
  try {
    const ready = await Promise.all(children.map((c) => c.ready));
    const dead = ready.findIndex((r) => r.port < 0);
    if (dead >= 0) await children[dead]!.done; // throws the child's error
    const plan: SessionPlan = {
      sessionId: 'local-' + randomBytes(8).toString('hex'),
      program: opts.program,
      params: opts.params,
      parties: opts.parties.map((p, i) => ({ id: p.id, host: '127.0.0.1', port: ready[i]!.port, fingerprint: ready[i]!.fingerprint, roles: p.roles })),
      mpc: opts.mpc,
    };
    children.forEach((c, i) => {
      const party = opts.parties[i]!;
      const start: StartMessage = { type: 'start', plan, local: party.local ?? {}, programModule: opts.programModule, guards: opts.guards, outFile: party.outFile };
      c.proc.stdin!.end(JSON.stringify(start) + '\n');
    });
    const settled = await Promise.allSettled(children.map((c) => c.done));
    const firstFailure = settled.find((s) => s.status === 'rejected') as PromiseRejectedResult | undefined;
    if (firstFailure) {
      // Prefer the root cause over the peers' "aborted by …" reports.
      const reasons = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected').map((s) => s.reason as Error);
      const root = reasons.find((e) => !/abort/i.test(e.message)) ?? reasons[0]!;
      throw root;
    }
    return new Map(children.map((c, i) => [c.id, (settled[i] as PromiseFulfilledResult<ProgramResult>).value]));
  } finally {
    clearTimeout(timer);
    killAll();
  }
}
