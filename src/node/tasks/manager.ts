/**
 * The node's task lifecycle: it watches TaskMarket on confirmed blocks (chain-watcher.ts),
 * vets each task it is part of and consents or refuses with a reason (policy.ts), runs its
 * part of the session when every party — the receiver included — has consented, and then,
 * as a compute party, commits to its own link digests and reveals them once all have
 * committed; if the session fails it reports the failure on-chain, naming the peer it saw
 * fail (blame.ts). It follows the task to its end: settles, fails, is resolved (a Disputed
 * task's openings are submitted by the node) or expires at its deadline.
 *
 * Idempotence comes from the chain, not from local memory. Decisions to act are taken on the
 * confirmed view of a task; whether this node has already acted (accepted, committed,
 * revealed, reported) is read from the latest state, so a transaction lost to a
 * reorganisation or a transient RPC failure is simply sent again by the next sweep (steps
 * `committing`, `revealing`, `reporting` persist until the chain shows them done). A session
 * cannot be resumed after a crash (the peers have moved on), so a node restarted mid-session
 * reports a local failure blaming nobody. No path leaves funds locked: every task that has
 * not ended by its deadline is expired by the node.
 *
 * Local statuses: pending → accepted | refused → running → committed → revealed → settled;
 * delivered (a party that does not commit, after its session); reported (after a failure
 * report); disputed; and the terminal settled, refused, failed, expired, failed-final.
 */
import { bindKept } from '../runner/kept-model.js';
import { parseEventLogs, zeroAddress, type Account, type Address, type Hex } from 'viem';
import type { Logger } from 'pino';
import { TaskMarketAbi } from '../../chain/artifacts.js';
import { FailurePhase, FailureReason, freshSalt, type CommitOpening } from '../../chain/commit-reveal.js';
import { TaskOutcomes } from './outcomes.js';
import type { LocalLedger } from '../../chain/local-ledger.js';
import { revertName } from '../../chain/revert.js';
import { PROGRAMS } from '../../algorithms/programs/index.js';
import type { Program, SessionPlan } from '../../algorithms/program.js';
import type { TaskParams } from '../../algorithms/task-params.js';
import type { Identity, SessionMux } from '../../net/index.js';
import type { NodeConfig } from '../config.js';
import type { NodeMetrics } from '../metrics.js';
import type { NodeStore, TaskRecord } from '../store/index.js';
import { ChainWatcher } from './chain-watcher.js';
import { datasetOwner, FINAL_STATUSES, hasAccepted, hasCommitted, hasReported, hasRevealed, lower, readCreation, readTask, type ChainTask } from './chain-view.js';
import { planOf, sessionIdOf } from './plan.js';
import { localInputs } from './local-inputs.js';
import { keyInputs, type NodeKeyStore } from './key-inputs.js';
import { decide } from './policy.js';
import { sealTaskResult } from './result-box.js';
import { commitResultField } from './result-commitment.js';
import { runTaskSession } from './session.js';
import { checkPlan } from '../runner/run-party.js';

const TERMINAL = new Set(['settled', 'refused', 'failed', 'expired', 'failed-final']);
const LOCAL_OF_CHAIN: Record<string, string> = { Settled: 'settled', Refused: 'refused', Failed: 'failed', Expired: 'expired' };

export interface TaskManagerOptions {
  config: NodeConfig;
  store: NodeStore;
  ledger: LocalLedger;
  account: Account;
  identity: Identity;
  mux: SessionMux;
  logger: Logger;
  metrics?: NodeMetrics;
  programs?: ReadonlyMap<string, Program>;
  /** Poll interval for chain events (default 250 ms). */
  pollMs?: number;
  /** Session connect timeout (default 60 s). */
  connectTimeoutMs?: number;
  /** The node's share store for the key programs (key-inputs.ts); without it they cannot run here. */
  keyStore?: NodeKeyStore;
}

export class TaskManager {
  readonly #o: TaskManagerOptions;
  readonly #self: string;
  readonly #watcher: ChainWatcher;
  readonly #programs: ReadonlyMap<string, Program>;
  readonly #out: TaskOutcomes;
  /** Kept out of `#o` so that logging the options can never print the passphrase. */
  readonly #keys: NodeKeyStore | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #polling: Promise<void> | undefined;
  /** Tasks whose session or transactions are in flight in this process. */
  readonly #busy = new Set<number>();
  /** Sessions in flight, to abort when their task ends on-chain (expired, refused …). */
  readonly #sessions = new Map<number, AbortController>();

  constructor(options: TaskManagerOptions) {
    const { keyStore, ...rest } = options;
    this.#o = rest;
    this.#keys = keyStore;
    this.#self = lower(options.account.address);
    this.#programs = options.programs ?? PROGRAMS;
    this.#out = new TaskOutcomes({ ...rest, set: (id, patch) => this.#set(id, patch) });
    const { ledger, store, config } = options;
    this.#watcher = new ChainWatcher(ledger.pub, ledger.manifest.contracts.TaskMarket, BigInt(ledger.manifest.block), config.chain.confirmations ?? 0, store);
  }

  get self(): string {
    return this.#self;
  }

  /**
   * Polls the chain until stopped. Unfinished tasks need no separate recovery: the sweep
   * moves each from what the chain says (a task found mid-session is reported as failed).
   */
  async start(): Promise<void> {
    const tick = async () => {
      if (this.#stopped) return;
      this.#polling = this.#poll().catch((err) => this.#o.logger.warn({ err: (err as Error).message }, 'chain poll failed; retrying'));
      await this.#polling;
      if (!this.#stopped) this.#timer = setTimeout(tick, this.#o.pollMs ?? 250);
    };
    await tick();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#polling;
  }

  // ------------------------------------------------------------------ chain events

  async #poll(): Promise<void> {
    const { reorg } = await this.#watcher.poll(async (logs) => {
      for (const ev of parseEventLogs({ abi: TaskMarketAbi, logs })) await this.#onEvent(ev);
    });
    if (reorg) {
      this.#o.logger.warn({ reorgs: this.#watcher.reorgs }, 'chain reorganisation: re-reading from the last block that still holds');
      await this.#recheckAfterReorg();
    }
    await this.#sweep();
  }

  async #onEvent(ev: ReturnType<typeof parseEventLogs<typeof TaskMarketAbi>>[number]): Promise<void> {
    const { store } = this.#o;
    const id = Number((ev.args as { taskId?: bigint }).taskId ?? 0n);
    if (ev.eventName === 'TaskCreated') {
      const known = store.getTask(id);
      const tx = ev.transactionHash!.toLowerCase();
      const knownTx = store.getKv(`task-created-tx:${id}`);
      if (known && knownTx === tx) return;
      const involved = ev.args.parties.some((p) => lower(p) === this.#self);
      if (known && knownTx !== tx) {
        // A reorganisation replaced the task this id stood for.
        this.#sessions.get(id)?.abort(new Error('the task was replaced in a chain reorganisation'));
        if (!involved) this.#set(id, { status: 'failed-final', step: 'done', error: 'the task this node knew was dropped in a chain reorganisation' });
      }
      if (!involved) return;
      await this.#register(BigInt(id), ev.transactionHash!, ev.args.requester, ev.args.spec.receiver, Number(ev.args.spec.deadline));
      store.setKv(`task-created-tx:${id}`, tx);
      return;
    }
    const t = store.getTask(id);
    if (!t) return;
    if (['TaskRefused', 'TaskExpired', 'TaskFailed', 'TaskSettled'].includes(ev.eventName)) {
      this.#sessions.get(id)?.abort(new Error(`the task ended on-chain (${ev.eventName.slice(4).toLowerCase()})`));
    }
    if (ev.eventName === 'TaskStarted' && (t.status === 'accepted' || t.status === 'pending')) this.#set(id, { status: 'running', step: 'session-pending' });
    if (ev.eventName === 'TaskRefused' && lower(ev.args.node) !== this.#self && !TERMINAL.has(t.status)) {
      this.#set(id, { error: `refused by ${lower(ev.args.node)}: ${ev.args.reason}` });
    }
  }

  /** Records a new task that involves this node, with its parameters and this node's roles. */
  async #register(id: bigint, txHash: Hex, requester: Address, receiver: Address, deadline: number): Promise<void> {
    const { ledger, store } = this.#o;
    const creation = await readCreation(ledger, txHash, id);
    const task = await readTask(ledger, id);
    const roles: string[] = [];
    const owners = await Promise.all(creation.datasetIds.map((d) => datasetOwner(ledger, d)));
    if (owners.some((o) => lower(o) === this.#self)) roles.push('data');
    if (task.parties.slice(0, task.nCompute).some((p) => lower(p) === this.#self)) roles.push('compute');
    if (lower(receiver) === this.#self) roles.push('receiver');
    store.upsertTask({
      id,
      status: 'pending',
      step: 'seen',
      program: creation.params?.program ?? null,
      params: creation.params ? ({ ...creation.params, datasetIds: creation.datasetIds.map(String), dataOwners: owners.map(lower), algorithmId: creation.algorithmId, codeHash: creation.codeHash } as unknown as Record<string, unknown>) : null,
      roles,
      requester: lower(requester),
      receiver: lower(receiver),
      deadline,
      commitment: null,
      result: null,
      progress: null,
      error: creation.paramsError ?? null,
    });
    this.#o.logger.info({ task: Number(id), roles, program: creation.params?.program }, 'task seen');
  }

  // ------------------------------------------------------------------ the per-task loop

  /** Moves every unfinished task one step forward. */
  async #sweep(): Promise<void> {
    for (const t of this.#o.store.listTasks({ limit: 1000 })) {
      if (TERMINAL.has(t.status) || this.#busy.has(t.id)) continue;
      this.#busy.add(t.id);
      this.#advance(t)
        .catch((err) => {
          const name = revertName(err);
          this.#o.logger.warn({ task: t.id, err: (err as Error).message.split('\n')[0], revert: name }, 'task step failed; will retry');
          this.#set(t.id, { error: `${(err as Error).message.split('\n')[0]}${name ? ` (${name})` : ''}` });
        })
        .finally(() => this.#busy.delete(t.id));
    }
  }

  /** The task as of the newest confirmed block, and as of the latest block. */
  async #views(id: bigint): Promise<{ confirmed: ChainTask | undefined; latest: ChainTask | undefined }> {
    const { ledger, config } = this.#o;
    const read = (block?: bigint) => readTask(ledger, id, block).catch((err: unknown) => {
      if (revertName(err) === 'TaskMarketUnknownTask') return undefined;
      throw err;
    });
    const latest = await read();
    if (!config.chain.confirmations) return { confirmed: latest, latest };
    const safe = await this.#watcher.safeBlock();
    return { confirmed: safe < 0n ? undefined : await read(safe), latest };
  }

  async #advance(t: TaskRecord): Promise<void> {
    const { ledger } = this.#o;
    const id = BigInt(t.id);
    const { confirmed: chain, latest } = await this.#views(id);
    if (!latest) {
      this.#set(t.id, { status: 'failed-final', step: 'done', error: 'the task is no longer on the chain (reorganisation)' });
      return;
    }
    if (!chain) return; // not confirmed yet (again)
    const index = chain.parties.findIndex((p) => lower(p) === this.#self);
    const computeIndex = index >= 0 && index < chain.nCompute ? index : -1;
    // The chain mines only on transactions, so its last timestamp can lag: use the clock too.
    const now = Math.max(Number((await ledger.pub.getBlock()).timestamp), Math.floor(Date.now() / 1000));

    if (FINAL_STATUSES.has(chain.status)) {
      this.#set(t.id, { status: LOCAL_OF_CHAIN[chain.status]!, step: 'done' });
      return;
    }
    if (now > chain.deadline) {
      await this.#expire(t, chain);
      return;
    }
    if (index < 0) return;

    if (chain.status === 'Pending') {
      if (hasAccepted(latest, index)) {
        if (t.status === 'pending') this.#set(t.id, { status: 'accepted', step: 'accepted' });
        return;
      }
      if (t.step === 'accepting' && t.acceptTx) {
        // Sent before: if it is still mined it only awaits confirmation; if a reorganisation
        // dropped it, send it again.
        const receipt = await ledger.pub.getTransactionReceipt({ hash: t.acceptTx as Hex }).catch(() => undefined);
        if (receipt) return;
      }
      await this.#decideAndConsent(t, chain, now);
      return;
    }

    if (chain.status === 'Running') {
      if (hasReported(latest, index) || hasCommitted(latest, index)) {
        if (t.step === 'committing') this.#set(t.id, { status: 'committed', step: 'committed' });
        if (t.step === 'reporting') this.#set(t.id, { status: 'reported', step: 'reported' });
        return;
      }
      if (t.step === 'committing' && computeIndex >= 0) return this.#out.commit(t.id);
      if (t.step === 'reporting') return this.#out.report(t.id);
      if (t.status === 'running' && t.step === 'session') {
        // Found mid-session after a restart: the session cannot be resumed.
        return this.#out.failSession(t.id, { phase: FailurePhase.Compute, reason: FailureReason.Local, blamed: zeroAddress }, 'the node restarted during the computation');
      }
      if (t.status === 'accepted' || t.status === 'pending' || (t.status === 'running' && t.step === 'session-pending')) return this.#runSession(t, chain);
      return;
    }

    if (chain.status === 'Revealing' && computeIndex >= 0 && !hasRevealed(latest, computeIndex)) return this.#out.reveal(t.id);
    if (chain.status === 'Revealing' && computeIndex >= 0 && t.status === 'committed') this.#set(t.id, { status: 'revealed', step: 'revealed' });
    if (chain.status === 'Disputed') return this.#out.resolve(t.id, chain);
  }

  async #decideAndConsent(t: TaskRecord, chain: ChainTask, now: number): Promise<void> {
    const { ledger, account, logger, metrics } = this.#o;
    const p = t.params as { algorithmId?: Hex; codeHash?: Hex } | null;
    const verdict = await decide({
      task: t,
      chain,
      algorithmId: p?.algorithmId ?? '0x',
      codeHash: p?.codeHash ?? '0x',
      self: this.#self,
      config: this.#o.config,
      store: this.#o.store,
      ledger,
      programs: this.#programs,
      now,
    });
    if (verdict.kind === 'wait') return;
    if (verdict.kind === 'refuse') {
      this.#set(t.id, { step: 'refusing', error: verdict.reason });
      await ledger.refuse(account, BigInt(t.id), verdict.code, verdict.reason);
      metrics?.chainTransactions.inc({ method: 'refuse', outcome: 'success' });
      this.#set(t.id, { status: 'refused', step: 'done' });
      logger.info({ task: t.id, code: verdict.code, reason: verdict.reason }, 'task refused');
      return;
    }
    this.#set(t.id, { step: 'accepting' });
    const r = await ledger.accept(account, BigInt(t.id));
    metrics?.chainTransactions.inc({ method: 'accept', outcome: 'success' });
    this.#set(t.id, { status: 'accepted', step: 'accepted', acceptTx: r.transactionHash });
    logger.info({ task: t.id }, 'task accepted');
  }

  async #expire(t: TaskRecord, chain: ChainTask): Promise<void> {
    try {
      await this.#o.ledger.expire(this.#o.account, chain.id);
      this.#o.metrics?.chainTransactions.inc({ method: 'expire', outcome: 'success' });
      this.#o.logger.info({ task: t.id }, 'task expired (requester refunded)');
    } catch (err) {
      // Another node may have expired it first.
      const again = await readTask(this.#o.ledger, chain.id);
      if (again.status !== 'Expired') throw err;
    }
    this.#set(t.id, { status: 'expired', step: 'done', error: t.error ?? 'expired at its deadline; the requester was refunded' });
  }

  // ------------------------------------------------------------------ the session

  async #runSession(t: TaskRecord, chain: ChainTask): Promise<void> {
    const { store, logger } = this.#o;
    const t0 = performance.now();
    this.#set(t.id, { status: 'running', step: 'session', progress: 0, progressPhase: 'connecting' });
    const identity = { ...this.#o.identity, id: this.#self } as Identity;
    Object.defineProperty(identity, 'keyPem', { value: this.#o.identity.keyPem, enumerable: false });
    let plan: SessionPlan;
    let program: Program | undefined;
    let local: Record<string, unknown>;
    try {
      plan = await planOf(this.#o.ledger, t, chain);
      checkPlan(plan, identity);
      program = this.#programs.get(plan.program);
      if (!program) throw new Error(`unknown program ${plan.program}`);
      local = { ...localInputs(this.#o.store, t, this.#self), ...keyInputs(plan.program, this.#keys, this.#o.config.policy.guards) };
    } catch (err) {
      // E.g. the registry pins another TLS key for this node: it cannot take part.
      const why = `cannot join the session: ${(err as Error).message.split('\n')[0]}`;
      logger.warn({ task: t.id, err: why }, 'cannot join the session; reporting the failure');
      return this.#out.failSession(t.id, { phase: FailurePhase.Connect, reason: FailureReason.Local, blamed: zeroAddress }, why);
    }
    let lastWrite = 0;
    const controller = new AbortController();
    this.#sessions.set(t.id, controller);
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
        self: this.#self,
        signal: controller.signal,
        ...(this.#o.config.policy.guards ? { guards: this.#o.config.policy.guards } : {}),
        // Connect well before the deadline, so a peer that never shows up is reported in time.
        connectTimeoutMs: Math.min(this.#o.connectTimeoutMs ?? 60_000, Math.max(5_000, Math.floor((chain.deadline * 1000 - Date.now()) / 3))),
        progress: (phase, done, total) => {
          const now = Date.now();
          if (now - lastWrite > 250 || done === total) {
            lastWrite = now;
            this.#set(t.id, { progress: total ? done / total : 0, progressPhase: phase });
          }
        },
      });
    } finally {
      this.#sessions.delete(t.id);
      clearTimeout(deadlineTimer);
    }
    const seconds = (performance.now() - t0) / 1000;
    if (!outcome.ok) {
      const why = `session failed: ${outcome.error.message.split('\n')[0]}`;
      this.#o.metrics?.taskDuration.observe({ program: plan.program, outcome: 'failure' }, seconds);
      if (controller.signal.aborted) {
        // Ended on-chain, or the deadline passed: nothing to report any more.
        this.#set(t.id, { step: 'aborted', error: why });
        return;
      }
      logger.warn({ task: t.id, err: why, blamed: outcome.report.blamed }, 'session failed; reporting it on-chain');
      return this.#out.failSession(t.id, outcome.report, why);
    }
    for (const [peer, bytes] of outcome.bytesSentTo) this.#o.metrics?.mpcBytesSent.inc({ peer }, bytes);
    // Kept shares are bound to this training task and its requester: lr-predict admits them
    // only for the same requester, receiver and data owners (runner/kept-model.ts).
    if (outcome.keep) store.setKv(`task-keep:${t.id}`, JSON.stringify(bindKept(outcome.keep, { task: String(t.id), requester: t.requester ?? '' })));
    const patch: Parameters<NodeStore['updateTask']>[1] = { progress: 1, progressPhase: 'done' };
    let zkCommitment: bigint | undefined;
    if (outcome.output !== undefined && this.#self === lower(chain.receiver)) {
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
    this.#set(t.id, patch);
    // Recorded while the task runs (the chain accepts it until and after settlement); a failure costs only the claims.
    if (zkCommitment !== undefined) {
      await this.#o.ledger.commitResult(this.#o.account, chain.id, zkCommitment).catch((err: unknown) => logger.warn({ task: t.id, err: (err as Error).message }, 'recording the result commitment failed'));
    }
    this.#o.metrics?.taskDuration.observe({ program: plan.program, outcome: 'success' }, seconds);
    logger.info({ task: t.id, seconds }, 'session finished');
    if (!outcome.claims) {
      this.#set(t.id, { status: 'delivered', step: 'delivered' });
      return;
    }
    store.setKv(`task-opening:${t.id}`, JSON.stringify({ claims: outcome.claims, salt: freshSalt() } satisfies CommitOpening));
    this.#set(t.id, { status: 'running', step: 'committing' });
    // A failed commit is retried by the sweep (step "committing").
    await this.#out.commit(t.id);
  }

  // ------------------------------------------------------------------ recovery and helpers

  /** After a reorganisation, a task this node thought ended may be alive again: re-read them. */
  async #recheckAfterReorg(): Promise<void> {
    const now = Math.floor(Date.now() / 1000);
    for (const t of this.#o.store.listTasks({ limit: 1000 })) {
      if (!TERMINAL.has(t.status) || t.deadline === null || t.deadline < now - 3600) continue;
      const latest = await readTask(this.#o.ledger, BigInt(t.id)).catch(() => undefined);
      if (!latest || FINAL_STATUSES.has(latest.status)) continue;
      const index = latest.parties.findIndex((p) => lower(p) === this.#self);
      const status = latest.status === 'Pending' ? (index >= 0 && hasAccepted(latest, index) ? 'accepted' : 'pending') : latest.status === 'Disputed' ? 'disputed' : 'reported';
      this.#set(t.id, { status, step: latest.status === 'Pending' ? 'seen' : 'reorged', error: 'reopened after a chain reorganisation' });
    }
  }

  #set(id: number, patch: Parameters<NodeStore['updateTask']>[1]): void {
    this.#o.store.updateTask(id, patch);
  }

  /** Session id of a task (for tests and logs). */
  sessionId(id: number | bigint): string {
    return sessionIdOf(this.#o.ledger.manifest.chainId, BigInt(id));
  }
}
