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
 * Local statuses are listed in local-status.ts. The manager is the loop; its parts live
 * beside it: what events record (task-events.ts), running a session and keeping its output
 * (task-sessions.ts), and the on-chain outcomes (outcomes.ts).
 */
import { zeroAddress, type Account, parseEventLogs, type Hex } from 'viem';
import type { Logger } from 'pino';
import { TaskMarketAbi } from '../../chain/artifacts.js';
import { FailurePhase, FailureReason } from '../../chain/commit-reveal.js';
import { TaskOutcomes } from './outcomes.js';
import type { LocalLedger } from '../../chain/local-ledger.js';
import { revertName } from '../../chain/revert.js';
import { PROGRAMS } from '../../algorithms/programs/index.js';
import type { Program } from '../../algorithms/program.js';
import type { Identity, SessionMux } from '../../net/index.js';
import type { NodeConfig } from '../config.js';
import type { NodeMetrics } from '../metrics.js';
import type { NodeStore, TaskRecord } from '../store/index.js';
import { ChainWatcher } from './chain-watcher.js';
import { FINAL_STATUSES, hasAccepted, hasCommitted, hasReported, hasRevealed, lower, readTask, type ChainTask } from './chain-view.js';
import { sessionIdOf } from './plan.js';
import type { NodeKeyStore } from './key-inputs.js';
import { LOCAL_OF_FINAL, TERMINAL_STATUSES } from './local-status.js';
import { decide } from './policy.js';
import { applyTaskEvent, reopenAfterReorg, type TaskEventContext } from './task-events.js';
import { TaskSessions } from './task-sessions.js';

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
  readonly #sessions: TaskSessions;
  readonly #events: TaskEventContext;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #polling: Promise<void> | undefined;
  /** Tasks whose session or transactions are in flight in this process. */
  readonly #busy = new Set<number>();

  constructor(options: TaskManagerOptions) {
    // The key store is handed to the sessions alone, so that logging the options can never print the passphrase.
    const { keyStore, ...rest } = options;
    this.#o = rest;
    this.#self = lower(options.account.address);
    this.#programs = options.programs ?? PROGRAMS;
    const set = (id: number, patch: Parameters<NodeStore['updateTask']>[1]) => this.#set(id, patch);
    this.#out = new TaskOutcomes({ ...rest, set });
    this.#sessions = new TaskSessions({ ...rest, programs: this.#programs, self: this.#self, out: this.#out, set }, keyStore);
    this.#events = { ...rest, self: this.#self, set, abortSession: (id, reason) => this.#sessions.abort(id, reason) };
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
      for (const ev of parseEventLogs({ abi: TaskMarketAbi, logs })) await applyTaskEvent(this.#events, ev);
    });
    if (reorg) {
      this.#o.logger.warn({ reorgs: this.#watcher.reorgs }, 'chain reorganisation: re-reading from the last block that still holds');
      await reopenAfterReorg(this.#events);
    }
    await this.#sweep();
  }

  // ------------------------------------------------------------------ the per-task loop

  /** Moves every unfinished task one step forward. */
  async #sweep(): Promise<void> {
    for (const t of this.#o.store.listTasks({ limit: 1000 })) {
      if (TERMINAL_STATUSES.has(t.status) || this.#busy.has(t.id)) continue;
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
      this.#set(t.id, { status: LOCAL_OF_FINAL[chain.status]!, step: 'done' });
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
      if (t.status === 'accepted' || t.status === 'pending' || (t.status === 'running' && t.step === 'session-pending')) return this.#sessions.run(t, chain);
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

  // ------------------------------------------------------------------ helpers

  #set(id: number, patch: Parameters<NodeStore['updateTask']>[1]): void {
    this.#o.store.updateTask(id, patch);
  }

  /** Session id of a task (for tests and logs). */
  sessionId(id: number | bigint): string {
    return sessionIdOf(this.#o.ledger.manifest.chainId, BigInt(id));
  }
}
