/**
 * The on-chain outcome of a node's part in a task, each step idempotent and retried by the
 * manager's sweep until the chain shows it: commit to the link digests (salted), reveal them,
 * report a failed session with the peer it blames, and resolve a Disputed task from every
 * compute party's revealed opening (read from the TaskRevealed events). The opening and the
 * report are persisted before the transaction is sent, so a restart or a reorganisation only
 * repeats the transaction.
 */
import { zeroAddress, type Account } from 'viem';
import type { Logger } from 'pino';
import { TaskMarketAbi } from '../../chain/artifacts.js';
import { commitmentOf, FailurePhase, FailureReason, type CommitOpening } from '../../chain/commit-reveal.js';
import type { LocalLedger } from '../../chain/local-ledger.js';
import type { NodeMetrics } from '../metrics.js';
import type { NodeStore } from '../store/index.js';
import type { FailureReport } from './blame.js';
import { lower, readTask, type ChainTask } from './chain-view.js';

export interface TaskOutcomesOptions {
  store: NodeStore;
  ledger: LocalLedger;
  account: Account;
  logger: Logger;
  metrics?: NodeMetrics;
  set(id: number, patch: Parameters<NodeStore['updateTask']>[1]): void;
}

export class TaskOutcomes {
  readonly #o: TaskOutcomesOptions;

  constructor(options: TaskOutcomesOptions) {
    this.#o = options;
  }

  opening(id: number): CommitOpening | undefined {
    const raw = this.#o.store.getKv(`task-opening:${id}`);
    return raw ? (JSON.parse(raw) as CommitOpening) : undefined;
  }

  async commit(id: number): Promise<void> {
    const { ledger, account } = this.#o;
    const opening = this.opening(id);
    if (!opening) return this.failSession(id, { phase: FailurePhase.Deliver, reason: FailureReason.Local, blamed: zeroAddress }, 'the commitment opening was lost');
    const c = commitmentOf(ledger.manifest.contracts.TaskMarket, ledger.manifest.chainId, BigInt(id), account.address, opening);
    this.#o.set(id, { step: 'committing', commitment: c });
    const r = await ledger.commit(account, BigInt(id), c);
    this.#o.metrics?.chainTransactions.inc({ method: 'commit', outcome: 'success' });
    this.#o.set(id, { status: 'committed', step: 'committed', commitTx: r.transactionHash, error: null });
    this.#o.logger.info({ task: id }, 'link digests committed');
  }

  async reveal(id: number): Promise<void> {
    const opening = this.opening(id);
    if (!opening) {
      this.#o.set(id, { error: 'the commitment opening was lost; this node cannot reveal' });
      return;
    }
    this.#o.set(id, { step: 'revealing' });
    await this.#o.ledger.reveal(this.#o.account, BigInt(id), opening.claims, opening.salt);
    this.#o.metrics?.chainTransactions.inc({ method: 'reveal', outcome: 'success' });
    this.#o.set(id, { status: 'revealed', step: 'revealed', error: null });
    this.#o.logger.info({ task: id }, 'link digests revealed');
  }

  /** Records the failure and the report to send; the sweep retries the report until it is on-chain. */
  async failSession(id: number, report: FailureReport, why: string): Promise<void> {
    this.#o.store.setKv(`task-report:${id}`, JSON.stringify(report));
    this.#o.set(id, { status: 'reported', step: 'reporting', error: why });
    await this.report(id);
  }

  async report(id: number): Promise<void> {
    const raw = this.#o.store.getKv(`task-report:${id}`);
    const report: FailureReport = raw ? (JSON.parse(raw) as FailureReport) : { phase: FailurePhase.Compute, reason: FailureReason.Local, blamed: zeroAddress };
    await this.#o.ledger.reportFailure(this.#o.account, BigInt(id), report.phase, report.reason, report.blamed);
    this.#o.metrics?.chainTransactions.inc({ method: 'reportFailure', outcome: 'success' });
    this.#o.set(id, { status: 'reported', step: 'reported' });
    this.#o.logger.info({ task: id, blamed: report.blamed, reason: report.reason }, 'session failure reported on-chain');
  }

  /** Submits every compute party's revealed opening so the contract attributes the dispute. */
  async resolve(id: number, chain: ChainTask): Promise<void> {
    const { ledger } = this.#o;
    this.#o.set(id, { status: 'disputed', step: 'resolving' });
    const logs = await ledger.pub.getContractEvents({ address: ledger.manifest.contracts.TaskMarket, abi: TaskMarketAbi, eventName: 'TaskRevealed', args: { taskId: chain.id }, fromBlock: BigInt(ledger.manifest.block) });
    const byNode = new Map(logs.map((l) => [lower(l.args.node!), l.args]));
    const compute = chain.parties.slice(0, chain.nCompute).map(lower);
    const openings = compute.map((c) => byNode.get(c));
    if (openings.some((o) => !o)) return; // not all reveals visible yet
    try {
      await ledger.resolve(this.#o.account, chain.id, openings.map((o) => [...o!.claims!]), openings.map((o) => o!.salt!));
      this.#o.logger.warn({ task: id }, 'disputed task resolved on-chain (digests disagreed)');
    } catch (err) {
      const again = await readTask(ledger, chain.id);
      if (again.status !== 'Failed') throw err;
    }
    this.#o.set(id, { status: 'failed', step: 'done', error: 'the compute parties’ link digests disagreed; the requester was refunded' });
  }
}
