/**
 * Clearing cycles as on-chain tasks among bank nodes (docs/clearing.md, "In the network").
 *
 * The daemon watches `Clearing` on confirmed blocks (the same ChainWatcher as for tasks,
 * its own cursor), and for every `CycleOpened` naming this node as a bank or compute party
 * it reads the cycle's published parameters (`CycleParams`, params.ts) and decides
 * (policy.ts). A bank that takes part locks the liquidity its operator committed
 * (`tacit clearing queue … --liquidity`), then every party joins the cycle's MPC session
 * over the nodes' pinned TLS mesh — endpoints and fingerprints from the NodeRegistry, parties
 * from the event — with, at a bank, its queue for the cycle and its on-chain lock as balance
 * (the `clearing` program). Each bank keeps only its own outputs; each compute party approves
 * the settlement digest the program gave it, and once every compute party has approved the
 * same digest, the compute parties settle (one transaction; the others' attempts revert
 * harmlessly). After a settlement each bank drops its settled payments from its standing queue.
 *
 * Nothing is decided from local memory that the chain can answer: whether this node has
 * locked, approved, or the cycle settled is read from the contract on every step, so a lost
 * transaction is sent again. A session cannot be resumed after a restart: the cycle is then
 * left to expire. Funds never stay locked: any involved node expires a cycle that is still
 * open after its deadline, which returns every lock (Clearing.expire); the contract holds no
 * stake, so nobody is slashed by a cycle.
 */
import { erc20Abi, hexToString, parseEventLogs, type Account, type Address, type Hex } from 'viem';
import type { Logger } from 'pino';
import { ClearingAbi } from '../../chain/artifacts.js';
import { approveSettlement, cycleApprovals, cycleMembers, cycleState, expireCycle, lockForCycle, settleCycle } from '../../chain/clearing.js';
import type { LocalLedger } from '../../chain/local-ledger.js';
import { revertName } from '../../chain/revert.js';
import { clearingProgram } from '../../algorithms/programs/clearing.js';
import type { SessionPlan } from '../../algorithms/program.js';
import type { Identity, SessionMux } from '../../net/index.js';
import type { NodeConfig } from '../config.js';
import type { NodeMetrics } from '../metrics.js';
import type { NodeStore } from '../store/index.js';
import { checkPlan } from '../runner/run-party.js';
import { ChainWatcher } from '../tasks/chain-watcher.js';
import { lower, readParty, type PartyProfile } from '../tasks/chain-view.js';
import { semi2kPreprocessing } from '../tasks/preprocessing.js';
import { runTaskSession } from '../tasks/session.js';
import { decodeCycleParams } from './params.js';
import { decideCycle } from './policy.js';
import { cycleIds, FINAL_CYCLE_STATUSES, getCycle, putCycle, updateCycle, type BankOutcome, type CycleRecord } from './records.js';
import { dropSettled, queueForCycle, readStandingQueue } from './standing-queue.js';

export interface ClearingCyclesOptions {
  config: NodeConfig;
  store: NodeStore;
  ledger: LocalLedger;
  account: Account;
  identity: Identity;
  mux: SessionMux;
  logger: Logger;
  metrics?: NodeMetrics;
  pollMs?: number;
}

export const clearingSessionId = (chainId: number, cycleId: string) => `clearing-${chainId}-${cycleId}`;

export class ClearingCycles {
  readonly #o: ClearingCyclesOptions;
  readonly #self: string;
  readonly #watcher: ChainWatcher | undefined;
  readonly #busy = new Set<string>();
  readonly #sessions = new Map<string, AbortController>();
  #timer: NodeJS.Timeout | undefined;
  #polling: Promise<void> | undefined;
  #stopped = false;

  constructor(o: ClearingCyclesOptions) {
    this.#o = o;
    this.#self = lower(o.account.address);
    const address = o.ledger.manifest.contracts.Clearing;
    // A deployment without Clearing (older manifests): nothing to watch.
    this.#watcher = address ? new ChainWatcher(o.ledger.pub, address, BigInt(o.ledger.manifest.block), o.config.chain.confirmations ?? 0, o.store, 'clearing.cursor') : undefined;
  }

  async start(): Promise<void> {
    if (!this.#watcher) return;
    const tick = async () => {
      if (this.#stopped) return;
      this.#polling = this.#poll().catch((err) => this.#o.logger.warn({ err: (err as Error).message.split('\n')[0] }, 'clearing: chain poll failed; retrying'));
      await this.#polling;
      if (!this.#stopped) this.#timer = setTimeout(tick, this.#o.pollMs ?? 400);
    };
    await tick();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    for (const c of this.#sessions.values()) c.abort(new Error('the node is stopping'));
    await this.#polling;
  }

  async #poll(): Promise<void> {
    await this.#watcher!.poll(async (logs) => {
      for (const ev of parseEventLogs({ abi: ClearingAbi, logs, eventName: 'CycleOpened' })) {
        const a = ev.args;
        const id = a.cycleId.toString();
        const banks = a.banks.map(lower);
        const compute = a.computeParties.map(lower);
        if (!banks.includes(this.#self) && !compute.includes(this.#self)) continue;
        if (getCycle(this.#o.store, id)) continue; // seen before (a re-read after a reorganisation)
        await this.#register(id, ev.transactionHash, a.token, banks, compute, Number(a.deadline));
      }
    });
    for (const id of cycleIds(this.#o.store)) {
      const rec = getCycle(this.#o.store, id);
      if (!rec || FINAL_CYCLE_STATUSES.has(rec.status) || this.#busy.has(id)) continue;
      this.#busy.add(id);
      this.#advance(rec)
        .catch((err) => {
          const name = revertName(err);
          const msg = `${(err as Error).message.split('\n')[0]}${name ? ` (${name})` : ''}`;
          this.#o.logger.warn({ cycle: id, err: msg }, 'clearing: step failed; will retry');
          updateCycle(this.#o.store, id, { stepError: msg });
        })
        .finally(() => this.#busy.delete(id));
    }
  }

  async #register(id: string, txHash: Hex, token: Address, banks: string[], compute: string[], deadline: number): Promise<void> {
    const { ledger } = this.#o;
    const receipt = await ledger.pub.getTransactionReceipt({ hash: txHash });
    const ev = parseEventLogs({ abi: ClearingAbi, logs: receipt.logs, eventName: 'CycleParams' }).find((e) => e.args.cycleId.toString() === id);
    let params: CycleRecord['params'] = null;
    let paramsError: string | undefined;
    if (ev) {
      try {
        params = decodeCycleParams(hexToString(ev.args.params), banks.length);
      } catch (err) {
        paramsError = (err as Error).message.split('\n')[0];
      }
    }
    const names = await Promise.all(banks.map((b) => readParty(ledger, b as Address).then((p) => p.name).catch(() => '')));
    const roles: CycleRecord['roles'] = [];
    if (banks.includes(this.#self)) roles.push('bank');
    if (compute.includes(this.#self)) roles.push('compute');
    putCycle(this.#o.store, { id, status: 'seen', roles, banks, names, compute, token: lower(token), deadline, params, ...(paramsError ? { paramsError } : {}) });
    this.#o.logger.info({ cycle: id, roles, banks: banks.length }, 'clearing cycle seen');
  }

  #set(id: string, patch: Partial<CycleRecord>): CycleRecord {
    return updateCycle(this.#o.store, id, patch);
  }

  async #advance(rec: CycleRecord): Promise<void> {
    const { ledger, account, logger } = this.#o;
    const id = BigInt(rec.id);
    const chain = await cycleState(ledger, id);
    if (chain.state === 'Settled' || chain.state === 'Expired') return this.#finish(rec, chain.state);
    const now = Math.max(Number((await ledger.pub.getBlock()).timestamp), Math.floor(Date.now() / 1000));
    if (now > rec.deadline + 1) {
      // Anyone may expire; several nodes may try at once, the losers' reverts are harmless.
      this.#sessions.get(rec.id)?.abort(new Error('the cycle reached its deadline'));
      try {
        await expireCycle(ledger, account, id);
        logger.info({ cycle: rec.id }, 'clearing cycle expired: every lock returned');
      } catch (err) {
        const name = revertName(err);
        if (name === 'ClearingDeadlineNotReached') return; // the chain's clock lags: next sweep
        if (name !== 'ClearingNotOpen') throw err;
      }
      return this.#finish(rec, 'Expired');
    }
    switch (rec.status) {
      case 'seen':
        return this.#decide(rec, now);
      case 'accepted':
        return this.#lock(rec);
      case 'locked':
        return this.#runSession(rec);
      case 'running':
        // Found mid-session after a restart: the peers have moved on; the cycle will expire.
        this.#set(rec.id, { status: 'failed', error: 'the node restarted during the computation; the cycle will expire at its deadline' });
        return;
      case 'approving':
        return this.#approve(rec);
      case 'approved':
        return this.#settle(rec);
      default:
        return; // declined, computed, failed: wait for the settlement or the deadline
    }
  }

  async #decide(rec: CycleRecord, now: number): Promise<void> {
    const { ledger, store, config, logger } = this.#o;
    const members = [...new Set([...rec.banks, ...rec.compute])];
    const profiles = new Map<string, PartyProfile>();
    for (const m of members) {
      const p = await readParty(ledger, m as Address).catch(() => undefined);
      if (p) profiles.set(m, p);
    }
    const verdict = decideCycle({
      rec,
      self: this.#self,
      config,
      paymentToken: ledger.manifest.contracts.PaymentToken,
      profiles,
      queue: readStandingQueue(store),
      tokenBalance: await ledger.balanceOf(ledger.manifest.contracts.PaymentToken, this.#o.account.address),
      unitsPerCent: 10n ** BigInt(Math.max(0, (await ledger.pub.readContract({ address: ledger.manifest.contracts.PaymentToken, abi: erc20Abi, functionName: 'decimals' })) - 2)),
      now,
    });
    if (!verdict.ok) {
      this.#set(rec.id, { status: 'declined', error: verdict.reason });
      logger.info({ cycle: rec.id, reason: verdict.reason }, 'clearing cycle declined (no lock, no session; it expires at its deadline)');
      return;
    }
    this.#set(rec.id, { status: 'accepted', lockUnits: verdict.lockUnits.toString() });
    logger.info({ cycle: rec.id }, 'clearing cycle accepted');
  }

  async #lock(rec: CycleRecord): Promise<void> {
    const { ledger, account, logger } = this.#o;
    const want = BigInt(rec.lockUnits ?? '0');
    if (rec.roles.includes('bank') && want > 0n) {
      const { banks, locked } = await cycleMembers(ledger, BigInt(rec.id));
      const have = locked[banks.findIndex((b) => lower(b) === this.#self)] ?? 0n;
      if (have < want) {
        await lockForCycle(ledger, account, ledger.manifest.contracts.PaymentToken, BigInt(rec.id), want - have);
        this.#o.metrics?.chainTransactions.inc({ method: 'clearingLock', outcome: 'success' });
        logger.info({ cycle: rec.id }, 'clearing: liquidity locked');
      }
    }
    this.#set(rec.id, { status: 'locked' });
  }

  #plan(rec: CycleRecord, profiles: Map<string, PartyProfile>): SessionPlan {
    const p = rec.params!;
    const members = [...new Set([...rec.banks, ...rec.compute])];
    const parties = members.map((id) => {
      const prof = profiles.get(id)!;
      const roles: SessionPlan['parties'][number]['roles'] = [];
      if (rec.banks.includes(id)) roles.push('data', 'receiver');
      if (rec.compute.includes(id)) roles.push('compute');
      return { id, host: prof.host, port: prof.port, fingerprint: prof.fingerprint, roles };
    });
    let mpc: SessionPlan['mpc'];
    if (p.protocol === 'rep3') mpc = { protocol: 'rep3', computeParties: rec.compute };
    else {
      const pre = semi2kPreprocessing(rec.compute);
      if (!pre.ok) throw new Error(pre.reason);
      mpc = { protocol: 'semi2k', computeParties: rec.compute, preprocessing: pre.config };
    }
    return {
      sessionId: clearingSessionId(this.#o.ledger.manifest.chainId, rec.id),
      program: 'clearing',
      params: { cycleId: rec.id, banks: rec.banks, slots: p.slots, iterations: p.iterations, revealAggregates: p.revealAggregates, unitsPerCent: p.unitsPerCent },
      parties,
      mpc,
    };
  }

  async #runSession(rec: CycleRecord): Promise<void> {
    const { ledger, store, logger, mux } = this.#o;
    // Party ids in a session are addresses (the TLS identity's own id is the node name).
    const identity = { ...this.#o.identity, id: this.#self } as Identity;
    Object.defineProperty(identity, 'keyPem', { value: this.#o.identity.keyPem, enumerable: false });
    const t0 = performance.now();
    let plan: SessionPlan;
    const local: Record<string, unknown> = {};
    try {
      const profiles = new Map(await Promise.all([...new Set([...rec.banks, ...rec.compute])].map(async (m) => [m, await readParty(ledger, m as Address)] as const)));
      plan = this.#plan(rec, profiles);
      checkPlan(plan, identity);
      if (rec.roles.includes('bank')) {
        const queue = readStandingQueue(store);
        if (!queue) throw new Error('the standing queue was removed');
        // The balance is what this bank has actually locked (the contract refuses any debit beyond it).
        const { banks, locked } = await cycleMembers(ledger, BigInt(rec.id));
        const lockedUnits = locked[banks.findIndex((b) => lower(b) === this.#self)] ?? 0n;
        const balanceCents = Number(lockedUnits / BigInt(rec.params!.unitsPerCent));
        local['queues'] = [queueForCycle(queue, this.#self, rec.banks, rec.names, balanceCents)];
        this.#set(rec.id, { balanceCents });
      }
    } catch (err) {
      const why = `cannot join the cycle's session: ${(err as Error).message.split('\n')[0]}`;
      logger.warn({ cycle: rec.id, err: why }, 'clearing: cannot join; the cycle will expire at its deadline');
      this.#set(rec.id, { status: 'failed', error: why });
      return;
    }
    this.#set(rec.id, { status: 'running' });
    const controller = new AbortController();
    this.#sessions.set(rec.id, controller);
    const deadlineTimer = setTimeout(() => controller.abort(new Error('the cycle reached its deadline')), Math.max(0, rec.deadline * 1000 - Date.now()));
    deadlineTimer.unref();
    let outcome: Awaited<ReturnType<typeof runTaskSession>>;
    try {
      outcome = await runTaskSession({
        plan,
        program: clearingProgram,
        identity,
        mux,
        local,
        self: this.#self,
        signal: controller.signal,
        ...(this.#o.config.policy.guards ? { guards: this.#o.config.policy.guards } : {}),
        // A party that never shows up (declined, down) ends the attempt well before the deadline.
        connectTimeoutMs: Math.min(60_000, Math.max(5_000, Math.floor((rec.deadline * 1000 - Date.now()) / 3))),
        progress: () => {},
      });
    } finally {
      this.#sessions.delete(rec.id);
      clearTimeout(deadlineTimer);
    }
    const seconds = (performance.now() - t0) / 1000;
    if (!outcome.ok) {
      const why = `session failed: ${outcome.error.message.split('\n')[0]}`;
      logger.warn({ cycle: rec.id, err: why }, 'clearing: session failed; the cycle will expire at its deadline');
      this.#o.metrics?.taskDuration.observe({ program: 'clearing', outcome: 'failure' }, seconds);
      this.#set(rec.id, { status: 'failed', error: why });
      return;
    }
    this.#o.metrics?.taskDuration.observe({ program: 'clearing', outcome: 'success' }, seconds);
    const out = outcome.output ?? {};
    const patch: Partial<CycleRecord> = { settledSet: out['settledSet'] as string, mpcSeconds: seconds };
    if (out['settledValue'] !== undefined) {
      patch.aggregates = { settledValue: out['settledValue'] as number, liquiditySaved: out['liquiditySaved'] as number, netLiquidity: out['netLiquidity'] as number };
    }
    const mine = (out['banks'] as Record<string, { net: number | string; settled: string[]; incoming: { id: string; from: string; amount: number }[]; salt: string }> | undefined)?.[this.#self];
    if (mine) {
      const nameOf = (a: string) => rec.names[rec.banks.indexOf(a)] || a;
      const result: BankOutcome = { net: mine.net, settled: mine.settled, incoming: mine.incoming.map((x) => ({ ...x, from: nameOf(x.from) })), salt: mine.salt };
      patch.result = result;
    }
    const settlement = out['settlement'] as { nets: string[]; digest: string } | undefined;
    if (settlement && rec.roles.includes('compute')) {
      patch.settlement = settlement;
      patch.status = 'approving';
    } else patch.status = 'computed';
    this.#set(rec.id, patch);
    logger.info({ cycle: rec.id, seconds }, 'clearing: session finished');
    if (patch.status === 'approving') await this.#approve(getCycle(store, rec.id)!);
  }

  async #approve(rec: CycleRecord): Promise<void> {
    const { ledger, account, logger } = this.#o;
    const { parties, digests } = await cycleApprovals(ledger, BigInt(rec.id));
    const i = parties.findIndex((p) => lower(p) === this.#self);
    if (BigInt(digests[i] ?? '0x0') === 0n) {
      await approveSettlement(ledger, account, BigInt(rec.id), rec.settlement!.digest as Hex);
      this.#o.metrics?.chainTransactions.inc({ method: 'approveSettlement', outcome: 'success' });
      logger.info({ cycle: rec.id }, 'clearing: settlement approved');
    }
    this.#set(rec.id, { status: 'approved', approvedAt: Date.now() });
  }

  async #settle(rec: CycleRecord): Promise<void> {
    const { ledger, account, logger } = this.#o;
    const { parties, digests } = await cycleApprovals(ledger, BigInt(rec.id));
    const mine = rec.settlement!.digest.toLowerCase();
    if (digests.some((d) => BigInt(d) === 0n)) return; // not every compute party has approved yet
    if (digests.some((d) => d.toLowerCase() !== mine)) {
      if (!rec.error) this.#set(rec.id, { error: 'the compute parties approved different settlements: the cycle cannot settle and will expire at its deadline' });
      return;
    }
    // Compute party k waits k × 2 s before settling, so usually one transaction is sent.
    const k = parties.findIndex((p) => lower(p) === this.#self);
    const since = Date.now() - (rec.approvedAt ?? 0);
    if (since < k * 2000) return;
    try {
      const r = await settleCycle(ledger, account, BigInt(rec.id), rec.settlement!.nets.map(BigInt), rec.settledSet as Hex);
      this.#o.metrics?.chainTransactions.inc({ method: 'settleCycle', outcome: 'success' });
      logger.info({ cycle: rec.id, gas: Number(r.gasUsed) }, 'clearing cycle settled');
    } catch (err) {
      if (revertName(err) !== 'ClearingNotOpen') throw err;
    }
  }

  #finish(rec: CycleRecord, state: 'Settled' | 'Expired'): void {
    if (state === 'Settled') {
      // Payments that settled leave the standing queue; the rest wait for the next cycle.
      if (rec.result && !rec.queueUpdated) dropSettled(this.#o.store, rec.result.settled);
      this.#set(rec.id, { status: 'settled', queueUpdated: true });
    } else this.#set(rec.id, { status: 'expired' });
    this.#o.logger.info({ cycle: rec.id, state }, 'clearing cycle ended');
  }
}
