/**
 * The sessions this node runs for its tasks, as the manager starts them: prepare the plan,
 * program and this node's inputs (a node that cannot join reports that at once); run the
 * session (session.ts) under an abort that fires at the task's deadline or when the task
 * ends on-chain; then keep what it produced — kept model shares bound to the task, the
 * receiver's result (sealed to the requester's key, with its zero-knowledge commitment
 * recorded), and, as a compute party, the opening it commits to. A failed session is
 * reported through the outcomes (outcomes.ts) unless the task is already over.
 */
import { zeroAddress } from 'viem';
import { FailurePhase, FailureReason, freshSalt, type CommitOpening } from '../../chain/commit-reveal.js';
import type { Program, SessionPlan } from '../../algorithms/program.js';
import type { TaskParams } from '../../algorithms/task-params.js';
import type { Identity } from '../../net/index.js';
import { bindKept } from '../runner/kept-model.js';
import { checkPlan } from '../runner/run-party.js';
import type { NodeStore, TaskRecord } from '../store/index.js';
import { lower, type ChainTask } from './chain-view.js';
import { keyInputs, type NodeKeyStore } from './key-inputs.js';
import { localInputs } from './local-inputs.js';
import type { TaskManagerOptions } from './manager.js';
import type { TaskOutcomes } from './outcomes.js';
import { planOf } from './plan.js';
import { sealTaskResult } from './result-box.js';
import { commitResultField } from './result-commitment.js';
import { runTaskSession } from './session.js';

/** The manager's services, with the program registry resolved and the key store apart (it comes as its own argument). */
export type TaskSessionsOptions = Omit<TaskManagerOptions, 'programs' | 'pollMs' | 'keyStore'> & {
  programs: ReadonlyMap<string, Program>;
  /** This node's id (lowercase address). */
  self: string;
  out: TaskOutcomes;
  set(id: number, patch: Parameters<NodeStore['updateTask']>[1]): void;
};

export class TaskSessions {
  readonly #o: TaskSessionsOptions;
  /** Kept out of `#o` so that logging the options can never print the passphrase. */
  readonly #keys: NodeKeyStore | undefined;
  /** Sessions in flight, to abort when their task ends on-chain (expired, refused …). */
  readonly #inFlight = new Map<number, AbortController>();

  constructor(options: TaskSessionsOptions, keys: NodeKeyStore | undefined) {
    this.#o = options;
    this.#keys = keys;
  }

  /** Aborts the task's session in flight in this process, if there is one. */
  abort(id: number, reason: string): void {
    this.#inFlight.get(id)?.abort(new Error(reason));
  }

  /** Runs this node's part of the task's session and keeps or reports what came of it. */
  async run(t: TaskRecord, chain: ChainTask): Promise<void> {
    const { store, logger, self } = this.#o;
    const t0 = performance.now();
    this.#o.set(t.id, { status: 'running', step: 'session', progress: 0, progressPhase: 'connecting' });
    const identity = { ...this.#o.identity, id: self } as Identity;
    Object.defineProperty(identity, 'keyPem', { value: this.#o.identity.keyPem, enumerable: false });
    let plan: SessionPlan;
    let program: Program | undefined;
    let local: Record<string, unknown>;
    try {
      plan = await planOf(this.#o.ledger, t, chain);
      checkPlan(plan, identity);
      program = this.#o.programs.get(plan.program);
      if (!program) throw new Error(`unknown program ${plan.program}`);
      local = { ...localInputs(this.#o.store, t, self), ...keyInputs(plan.program, this.#keys, this.#o.config.policy.guards) };
    } catch (err) {
      // E.g. the registry pins another TLS key for this node: it cannot take part.
      const why = `cannot join the session: ${(err as Error).message.split('\n')[0]}`;
      logger.warn({ task: t.id, err: why }, 'cannot join the session; reporting the failure');
      return this.#o.out.failSession(t.id, { phase: FailurePhase.Connect, reason: FailureReason.Local, blamed: zeroAddress }, why);
    }
    let lastWrite = 0;
    const controller = new AbortController();
    this.#inFlight.set(t.id, controller);
    // A session still running at the task's deadline is over: the task will be expired.
    const deadlineTimer = setTimeout(() => controller.abort(new Error('the task reached its deadline')), Math.max(0, chain.deadline * 1000 - Date.now()));
    deadlineTimer.unref();
    let outcome: Awaited<ReturnType<typeof runTaskSession>>;
    try {
      outcome = await runTaskSession({
        plan,
        program,
        identity,
        mux: this.#o.mux,
        local,
        self,
        signal: controller.signal,
        ...(this.#o.config.policy.guards ? { guards: this.#o.config.policy.guards } : {}),
        // Connect well before the deadline, so a peer that never shows up is reported in time.
        connectTimeoutMs: Math.min(this.#o.connectTimeoutMs ?? 60_000, Math.max(5_000, Math.floor((chain.deadline * 1000 - Date.now()) / 3))),
        progress: (phase, done, total) => {
          const now = Date.now();
          if (now - lastWrite > 250 || done === total) {
            lastWrite = now;
            this.#o.set(t.id, { progress: total ? done / total : 0, progressPhase: phase });
          }
        },
      });
    } finally {
      this.#inFlight.delete(t.id);
      clearTimeout(deadlineTimer);
    }
    const seconds = (performance.now() - t0) / 1000;
    if (!outcome.ok) {
      const why = `session failed: ${outcome.error.message.split('\n')[0]}`;
      this.#o.metrics?.taskDuration.observe({ program: plan.program, outcome: 'failure' }, seconds);
      if (controller.signal.aborted) {
        // Ended on-chain, or the deadline passed: nothing to report any more.
        this.#o.set(t.id, { step: 'aborted', error: why });
        return;
      }
      logger.warn({ task: t.id, err: why, blamed: outcome.report.blamed }, 'session failed; reporting it on-chain');
      return this.#o.out.failSession(t.id, outcome.report, why);
    }
    for (const [peer, bytes] of outcome.bytesSentTo) this.#o.metrics?.mpcBytesSent.inc({ peer }, bytes);
    // Kept shares are bound to this training task and its requester: lr-predict admits them
    // only for the same requester, receiver and data owners (runner/kept-model.ts).
    if (outcome.keep) store.setKv(`task-keep:${t.id}`, JSON.stringify(bindKept(outcome.keep, { task: String(t.id), requester: t.requester ?? '' })));
    const patch: Parameters<NodeStore['updateTask']>[1] = { progress: 1, progressPhase: 'done' };
    let zkCommitment: bigint | undefined;
    if (outcome.output !== undefined && self === lower(chain.receiver)) {
      const { resultKey: key, zkResult } = t.params as unknown as TaskParams;
      let output = outcome.output;
      if (zkResult) {
        try {
          ({ output, commitment: zkCommitment } = commitResultField(output, zkResult));
        } catch (err) {
          logger.warn({ task: t.id, err: (err as Error).message }, 'no result commitment for zero-knowledge claims');
        }
      }
      patch.result = output;
      const binding = { chainId: this.#o.ledger.manifest.chainId, taskMarket: this.#o.ledger.manifest.contracts.TaskMarket, taskId: chain.id };
      if (key) store.setKv(`task-sealed:${t.id}`, Buffer.from(sealTaskResult(output, key, binding)).toString('base64'));
    }
    this.#o.set(t.id, patch);
    // Recorded while the task runs (the chain accepts it until and after settlement); a failure costs only the claims.
    if (zkCommitment !== undefined) {
      await this.#o.ledger.commitResult(this.#o.account, chain.id, zkCommitment).catch((err: unknown) => logger.warn({ task: t.id, err: (err as Error).message }, 'recording the result commitment failed'));
    }
    this.#o.metrics?.taskDuration.observe({ program: plan.program, outcome: 'success' }, seconds);
    logger.info({ task: t.id, seconds }, 'session finished');
    if (!outcome.claims) {
      this.#o.set(t.id, { status: 'delivered', step: 'delivered' });
      return;
    }
    store.setKv(`task-opening:${t.id}`, JSON.stringify({ claims: outcome.claims, salt: freshSalt() } satisfies CommitOpening));
    this.#o.set(t.id, { status: 'running', step: 'committing' });
    // A failed commit is retried by the sweep (step "committing").
    await this.#o.out.commit(t.id);
  }
}
