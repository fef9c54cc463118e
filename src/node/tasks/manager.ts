/**
 * The node's task lifecycle: it watches TaskMarket, decides (policy), consents on-chain,
 * runs its part of the session when every party has consented, commits the result digest,
 * and follows the task to settlement — persisting every step, so that a node killed at any
 * point and restarted neither acts twice nor loses track.
 *
 * Idempotence comes from the chain, not from local memory: before sending `accept` or
 * `commit` the manager reads the task's accepted/committed bitmaps, and a step recorded as
 * "sending" is reconciled against them on restart. A session cannot be resumed after a crash
 * (the peers have moved on), so a task found mid-session is marked failed with that reason;
 * every accepted task that has not settled by its deadline is expired by the node, which
 * refunds the requester on-chain (TaskMarket.expire) — no path leaves funds locked.
 *
 * Statuses: pending → accepted | refused → running → committed | delivered → settled;
 * or failed / expired / disputed. Steps refine them for recovery.
 */
import { keccak256, parseEventLogs, stringToHex, type Address, type Hex } from 'viem';
import type { Logger } from 'pino';
import { TaskMarketAbi } from '../../chain/artifacts.js';
import type { LocalLedger } from '../../chain/local-ledger.js';
import { PROGRAMS } from '../../algorithms/programs/index.js';
import type { Program, SessionPlan } from '../../algorithms/program.js';
import type { TaskParams } from '../../algorithms/task-params.js';
import { seal } from '../../crypto/sealed-box.js';
import { connectTlsNetwork, type Identity, type SessionMux } from '../../net/index.js';
import type { Account } from 'viem';
import type { NodeConfig } from '../config.js';
import type { NodeMetrics } from '../metrics.js';
import type { NodeStore, TaskRecord } from '../store/index.js';
import { datasetOwner, hasAccepted, hasCommitted, lower, readCreation, readParty, readTask, type ChainTask } from './chain-view.js';
import { buildPlan, sessionIdOf } from './plan.js';
import { decide } from './policy.js';
import { checkPlan, SESSION_IDLE_TIMEOUT_MS } from '../runner/run-party.js';

const TERMINAL = new Set(['settled', 'refused', 'failed-final', 'expired', 'disputed']);
const CURSOR_KEY = 'chain.cursor';

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
}

export class TaskManager {
  readonly #o: TaskManagerOptions;
  readonly #self: string;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #polling: Promise<void> | undefined;
  /** Tasks whose session or transactions are in flight in this process. */
  readonly #busy = new Set<number>();
  /** Sessions in flight, to abort when their task ends on-chain (expired, refused …). */
  readonly #sessions = new Map<number, AbortController>();

  constructor(options: TaskManagerOptions) {
    this.#o = options;
    this.#self = lower(options.account.address);
  }

  get self(): string {
    return this.#self;
  }

  /** Recovers unfinished tasks, then polls the chain until stopped. */
  async start(): Promise<void> {
    await this.#recover();
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
    const { ledger, store } = this.#o;
    const head = await ledger.pub.getBlockNumber();
    const from = BigInt(store.getKv(CURSOR_KEY) ?? String(ledger.manifest.block));
    if (from <= head) {
      const to = head - from > 2000n ? from + 2000n : head;
      const logs = await ledger.pub.getLogs({ address: ledger.manifest.contracts.TaskMarket, fromBlock: from, toBlock: to });
      for (const ev of parseEventLogs({ abi: TaskMarketAbi, logs })) await this.#onEvent(ev);
      store.setKv(CURSOR_KEY, String(to + 1n));
    }
    await this.#sweep();
  }

  async #onEvent(ev: ReturnType<typeof parseEventLogs<typeof TaskMarketAbi>>[number]): Promise<void> {
    const { store } = this.#o;
    const id = Number((ev.args as { taskId?: bigint }).taskId ?? 0n);
    if (ev.eventName === 'TaskCreated') {
      const involved = ev.args.parties.some((p) => lower(p) === this.#self) || lower(ev.args.spec.receiver) === this.#self;
      if (!involved || store.getTask(id)) return;
      await this.#register(BigInt(id), ev.transactionHash!, ev.args.requester, ev.args.spec.receiver, Number(ev.args.spec.deadline));
      return;
    }
    const t = store.getTask(id);
    if (!t) return;
    if (['TaskRefused', 'TaskExpired', 'TaskFailed', 'TaskSettled'].includes(ev.eventName)) {
      this.#sessions.get(id)?.abort(new Error(`the task ended on-chain (${ev.eventName.slice(4).toLowerCase()})`));
    }
    switch (ev.eventName) {
      case 'TaskStarted':
        if (t.status === 'accepted' || t.status === 'pending') this.#set(id, { status: 'running', step: 'session-pending' });
        break;
      case 'TaskRefused':
        if (!TERMINAL.has(t.status)) this.#set(id, { status: 'refused', step: 'done', error: `refused by ${lower(ev.args.node)}` });
        break;
      case 'TaskSettled':
        this.#set(id, { status: 'settled', step: 'done', progress: 1 });
        break;
      case 'TaskFailed':
        this.#set(id, { status: 'disputed', step: 'done', error: 'the compute parties committed different results' });
        break;
      case 'TaskExpired':
        this.#set(id, { status: 'expired', step: 'done', error: t.error ?? 'expired before settlement; the requester was refunded' });
        break;
      default:
        break;
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
      params: creation.params ? ({ ...creation.params, datasetIds: creation.datasetIds.map(String), dataOwners: owners.map(lower) } as unknown as Record<string, unknown>) : null,
      roles,
      requester: lower(requester),
      receiver: lower(receiver),
      deadline,
      error: creation.paramsError ?? null,
    });
    this.#o.logger.info({ task: Number(id), roles, program: creation.params?.program }, 'task seen');
  }

  // ------------------------------------------------------------------ the per-task loop

  /** Moves every unfinished task one step forward. */
  async #sweep(): Promise<void> {
    const { store } = this.#o;
    for (const t of store.listTasks()) {
      if (TERMINAL.has(t.status) || this.#busy.has(t.id)) continue;
      this.#busy.add(t.id);
      this.#advance(t)
        .catch((err) => {
          this.#o.logger.warn({ task: t.id, err: (err as Error).message }, 'task step failed');
          this.#set(t.id, { error: (err as Error).message });
        })
        .finally(() => this.#busy.delete(t.id));
    }
  }

  async #advance(t: TaskRecord): Promise<void> {
    const { ledger } = this.#o;
    const chain = await readTask(ledger, BigInt(t.id));
    const index = chain.parties.findIndex((p) => lower(p) === this.#self);
    // The chain mines only on transactions, so its last timestamp can lag: use the clock too.
    const now = Math.max(Number((await ledger.pub.getBlock()).timestamp), Math.floor(Date.now() / 1000));

    // Past the deadline and not finished on-chain: expire it (refunds the requester).
    if ((chain.status === 'Pending' || chain.status === 'Running') && now > chain.deadline) {
      await this.#expire(t, chain);
      return;
    }
    if (chain.status !== 'Pending' && chain.status !== 'Running') {
      const status = { Settled: 'settled', Refused: 'refused', Failed: 'disputed', Expired: 'expired', Disputed: 'disputed', Revealing: 'running', None: 'failed-final' }[chain.status] ?? 'failed-final';
      this.#set(t.id, { status, step: 'done' });
      return;
    }

    if (t.status === 'pending') {
      if (index < 0) return; // a receiver that is not a party only waits for the session
      if (hasAccepted(chain, index)) {
        this.#set(t.id, { status: 'accepted', step: 'accepted' });
        return;
      }
      const verdict = decide(t, this.#o.config, this.#o.store, chain, this.#self);
      if (verdict.kind === 'wait') return;
      if (verdict.kind === 'refuse') {
        this.#set(t.id, { step: 'refusing', error: verdict.reason });
        await ledger.refuse(this.#o.account, BigInt(t.id));
        this.#o.metrics?.chainTransactions.inc({ method: 'refuse', outcome: 'success' });
        this.#set(t.id, { status: 'refused', step: 'done' });
        this.#o.logger.info({ task: t.id, reason: verdict.reason }, 'task refused');
        return;
      }
      this.#set(t.id, { step: 'accepting' });
      const r = await ledger.accept(this.#o.account, BigInt(t.id));
      this.#o.metrics?.chainTransactions.inc({ method: 'accept', outcome: 'success' });
      this.#set(t.id, { status: 'accepted', step: 'accepted', acceptTx: r.transactionHash });
      this.#o.logger.info({ task: t.id }, 'task accepted');
      return;
    }

    if (chain.status === 'Running' && (t.status === 'accepted' || t.status === 'pending' || (t.status === 'running' && t.step === 'session-pending'))) {
      await this.#runSession(t, chain);
      return;
    }
    if (t.status === 'running' && t.step === 'session') {
      // Found mid-session after a restart: the session cannot be resumed.
      this.#set(t.id, { status: 'failed', step: 'await-deadline', error: 'the node restarted during the computation; the task will be expired at its deadline' });
      return;
    }
    if (t.step === 'committing' && index >= 0) {
      if (!hasCommitted(chain, index) && t.commitment) await this.#commit(t.id, t.commitment as Hex);
      else this.#set(t.id, { status: 'committed', step: 'committed' });
    }
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

  async #commit(id: number, commitment: Hex): Promise<void> {
    this.#set(id, { step: 'committing', commitment });
    const r = await this.#o.ledger.commit(this.#o.account, BigInt(id), commitment);
    this.#o.metrics?.chainTransactions.inc({ method: 'commit', outcome: 'success' });
    this.#set(id, { status: 'committed', step: 'committed', commitTx: r.transactionHash });
    this.#o.logger.info({ task: id }, 'result committed');
  }

  // ------------------------------------------------------------------ the session

  async #plan(t: TaskRecord, chain: ChainTask): Promise<SessionPlan> {
    const { ledger } = this.#o;
    const params = t.params as unknown as TaskParams & { dataOwners: string[] };
    const members = [...new Set([...chain.parties.map(lower), lower(chain.receiver)])];
    const profiles = new Map(await Promise.all(members.map(async (m) => [m, await readParty(ledger, m as Address)] as const)));
    return buildPlan({ chainId: ledger.manifest.chainId, task: chain, params, dataOwners: params.dataOwners, profiles });
  }

  /** This node's private inputs for the task: its dataset, and the receiver's own inputs. */
  #localInputs(t: TaskRecord): Record<string, unknown> {
    const { store } = this.#o;
    const local: Record<string, unknown> = {};
    const params = t.params as unknown as { datasetIds: string[]; dataOwners: string[]; params: Record<string, unknown> };
    const mine = params.datasetIds.filter((_, i) => params.dataOwners[i] === this.#self);
    if (mine.length > 1) throw new Error('this node owns more than one dataset of the task; a task takes one per party');
    if (mine.length === 1) {
      const ds = store.listDatasets().find((d) => String(d.datasetId ?? '') === mine[0]);
      if (!ds) throw new Error(`dataset ${mine[0]} is not stored at this node`);
      local['table'] = store.table(ds.name);
    }
    const modelTaskId = params.params['modelTask'];
    if (modelTaskId !== undefined && params.params['sharedModel'] === true && t.roles.includes('compute')) {
      const kept = store.getKv(`task-keep:${Number(modelTaskId)}`);
      if (kept) local['modelShares'] = (JSON.parse(kept) as { modelShares?: unknown }).modelShares;
    }
    if (t.roles.includes('receiver')) {
      const raw = store.getKv(`task-inputs:${t.id}`);
      if (raw) Object.assign(local, JSON.parse(raw) as Record<string, unknown>);
      const modelTask = params.params['modelTask'];
      if (modelTask !== undefined && params.params['sharedModel'] !== true) {
        const prior = store.getTask(Number(modelTask));
        const model = (prior?.result as { model?: unknown } | null)?.model;
        if (!model) throw new Error(`no model from task ${String(modelTask)} at this node`);
        local['model'] = model;
      }
    }
    return local;
  }

  async #runSession(t: TaskRecord, chain: ChainTask): Promise<void> {
    const { store, logger } = this.#o;
    const t0 = performance.now();
    this.#set(t.id, { status: 'running', step: 'session', progress: 0, progressPhase: 'connecting' });
    const plan = await this.#plan(t, chain);
    const identity = { ...this.#o.identity, id: this.#self } as Identity;
    Object.defineProperty(identity, 'keyPem', { value: this.#o.identity.keyPem, enumerable: false });
    try {
      checkPlan(plan, identity);
    } catch (err) {
      // E.g. the registry pins another TLS key for this node: it cannot take part.
      this.#set(t.id, { status: 'failed', step: 'await-deadline', error: `cannot join the session: ${(err as Error).message.split('\n')[0]}` });
      logger.warn({ task: t.id, err: (err as Error).message.split('\n')[0] }, 'cannot join the session; the task will be expired at its deadline');
      return;
    }
    const program = (this.#o.programs ?? PROGRAMS).get(plan.program);
    if (!program) throw new Error(`unknown program ${plan.program}`);
    const local = this.#localInputs(t);
    let lastWrite = 0;
    const controller = new AbortController();
    this.#sessions.set(t.id, controller);
    // A session still running at the task's deadline is over: the task will be expired.
    const untilDeadline = Math.max(0, chain.deadline * 1000 - Date.now());
    const deadlineTimer = setTimeout(() => controller.abort(new Error('the task reached its deadline')), untilDeadline);
    deadlineTimer.unref();
    let net: Awaited<ReturnType<typeof connectTlsNetwork>>;
    try {
      net = await connectTlsNetwork({
      sessionId: plan.sessionId,
      self: identity,
      listen: this.#o.mux,
      peers: plan.parties.filter((p) => p.id !== this.#self).map(({ id, host, port, fingerprint }) => ({ id, host, port, fingerprint })),
      connectTimeoutMs: this.#o.connectTimeoutMs ?? 60_000,
      idleTimeoutMs: SESSION_IDLE_TIMEOUT_MS,
      signal: controller.signal,
    });
    } catch (err) {
      this.#sessions.delete(t.id);
      clearTimeout(deadlineTimer);
      this.#set(t.id, { status: 'failed', step: 'await-deadline', error: `session failed: ${(err as Error).message.split('\n')[0]}` });
      logger.warn({ task: t.id, err: (err as Error).message.split('\n')[0] }, 'could not connect the session; the task will be expired at its deadline');
      return;
    }
    let output: Record<string, unknown> | undefined;
    try {
      const result = await program.run({
        plan,
        self: this.#self,
        net,
        local,
        signal: controller.signal,
        progress: (phase, done, total) => {
          const now = Date.now();
          if (now - lastWrite > 250 || done === total) {
            lastWrite = now;
            this.#set(t.id, { progress: total ? done / total : 0, progressPhase: phase });
          }
        },
      });
      output = result.output;
      if (result.keep) store.setKv(`task-keep:${t.id}`, JSON.stringify(result.keep));
      for (const [peer, bytes] of net.meter.sentTo) this.#o.metrics?.mpcBytesSent.inc({ peer }, bytes);
      // The receiver fixes the digest of what it learnt and tells every compute party.
      const receiver = lower(chain.receiver);
      const compute = plan.mpc!.computeParties;
      let digest: Hex;
      if (this.#self === receiver) {
        digest = keccak256(stringToHex(JSON.stringify({ task: t.id, session: plan.sessionId, program: plan.program, output: keccak256(stringToHex(JSON.stringify(output ?? null))) })));
        const bytes = Buffer.from(digest.slice(2), 'hex');
        await Promise.all(compute.filter((c) => c !== this.#self).map((c) => net.send(c, 'task.digest', bytes)));
      } else if (compute.includes(this.#self)) {
        digest = `0x${Buffer.from(await net.recv(receiver, 'task.digest', 32)).toString('hex')}` as Hex;
      } else digest = '0x';
      await net.close();
      const patch: Parameters<NodeStore['updateTask']>[1] = { progress: 1, progressPhase: 'done' };
      if (output !== undefined && this.#self === receiver) {
        patch.result = output;
        const key = (t.params as unknown as TaskParams).resultKey;
        if (key) store.setKv(`task-sealed:${t.id}`, Buffer.from(seal(Buffer.from(JSON.stringify(output)), key)).toString('base64'));
      }
      this.#set(t.id, patch);
      this.#o.metrics?.taskDuration.observe({ program: plan.program, outcome: 'success' }, (performance.now() - t0) / 1000);
      logger.info({ task: t.id, seconds: (performance.now() - t0) / 1000 }, 'session finished');
      if (compute.includes(this.#self)) this.#set(t.id, { step: 'committing', commitment: digest });
      else this.#set(t.id, { status: 'delivered', step: 'delivered' });
    } catch (err) {
      await net.abort(err instanceof Error ? err : new Error(String(err))).catch(() => {});
      this.#set(t.id, { status: 'failed', step: 'await-deadline', error: `session failed: ${(err as Error).message.split('\n')[0]}` });
      logger.warn({ task: t.id, err: (err as Error).message.split('\n')[0] }, 'session failed; the task will be expired at its deadline');
      return;
    } finally {
      this.#sessions.delete(t.id);
      clearTimeout(deadlineTimer);
    }
    // Outside the session: a failed commit is retried by the sweep (step "committing").
    const after = this.#o.store.getTask(t.id);
    if (after?.step === 'committing' && after.commitment) await this.#commit(t.id, after.commitment as Hex);
  }

  // ------------------------------------------------------------------ recovery and helpers

  async #recover(): Promise<void> {
    for (const t of this.#o.store.listTasks()) {
      if (TERMINAL.has(t.status)) continue;
      if (t.status === 'running' && t.step === 'session') {
        this.#set(t.id, { status: 'failed', step: 'await-deadline', error: 'the node restarted during the computation; the task will be expired at its deadline' });
      }
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
