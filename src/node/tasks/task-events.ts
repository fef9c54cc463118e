/**
 * What the node records from TaskMarket's events, and from a reorganisation. A TaskCreated
 * that involves this node registers the task with its parameters and this node's roles; an
 * end event aborts the session in flight; a refusal by another party is noted. Events only
 * record: every action is taken by the manager's sweep from the task's chain state, so an
 * event seen twice (after a reorganisation) or missed changes nothing but the record.
 */
import type { Address, Hex, parseEventLogs } from 'viem';
import type { Logger } from 'pino';
import type { TaskMarketAbi } from '../../chain/artifacts.js';
import type { LocalLedger } from '../../chain/local-ledger.js';
import type { NodeStore } from '../store/index.js';
import { datasetOwner, FINAL_STATUSES, hasAccepted, lower, readCreation, readTask } from './chain-view.js';
import { TERMINAL_STATUSES } from './local-status.js';

export type TaskMarketEvent = ReturnType<typeof parseEventLogs<typeof TaskMarketAbi>>[number];

export interface TaskEventContext {
  store: NodeStore;
  ledger: LocalLedger;
  logger: Logger;
  /** This node's id (lowercase address). */
  self: string;
  set(id: number, patch: Parameters<NodeStore['updateTask']>[1]): void;
  /** Aborts the task's session in flight in this process, if there is one. */
  abortSession(id: number, reason: string): void;
}

export async function applyTaskEvent(ctx: TaskEventContext, ev: TaskMarketEvent): Promise<void> {
  const { store } = ctx;
  const id = Number((ev.args as { taskId?: bigint }).taskId ?? 0n);
  if (ev.eventName === 'TaskCreated') {
    const known = store.getTask(id);
    const tx = ev.transactionHash!.toLowerCase();
    const knownTx = store.getKv(`task-created-tx:${id}`);
    if (known && knownTx === tx) return;
    const involved = ev.args.parties.some((p) => lower(p) === ctx.self);
    if (known && knownTx !== tx) {
      // A reorganisation replaced the task this id stood for.
      ctx.abortSession(id, 'the task was replaced in a chain reorganisation');
      if (!involved) ctx.set(id, { status: 'failed-final', step: 'done', error: 'the task this node knew was dropped in a chain reorganisation' });
    }
    if (!involved) return;
    await registerTask(ctx, BigInt(id), ev.transactionHash!, ev.args.requester, ev.args.spec.receiver, Number(ev.args.spec.deadline));
    store.setKv(`task-created-tx:${id}`, tx);
    return;
  }
  const t = store.getTask(id);
  if (!t) return;
  if (['TaskRefused', 'TaskExpired', 'TaskFailed', 'TaskSettled'].includes(ev.eventName)) {
    ctx.abortSession(id, `the task ended on-chain (${ev.eventName.slice(4).toLowerCase()})`);
  }
  if (ev.eventName === 'TaskStarted' && (t.status === 'accepted' || t.status === 'pending')) ctx.set(id, { status: 'running', step: 'session-pending' });
  if (ev.eventName === 'TaskRefused' && lower(ev.args.node) !== ctx.self && !TERMINAL_STATUSES.has(t.status)) {
    ctx.set(id, { error: `refused by ${lower(ev.args.node)}: ${ev.args.reason}` });
  }
}

/** Records a new task that involves this node, with its parameters and this node's roles. */
async function registerTask(ctx: TaskEventContext, id: bigint, txHash: Hex, requester: Address, receiver: Address, deadline: number): Promise<void> {
  const { ledger, store } = ctx;
  const creation = await readCreation(ledger, txHash, id);
  const task = await readTask(ledger, id);
  const roles: string[] = [];
  const owners = await Promise.all(creation.datasetIds.map((d) => datasetOwner(ledger, d)));
  if (owners.some((o) => lower(o) === ctx.self)) roles.push('data');
  if (task.parties.slice(0, task.nCompute).some((p) => lower(p) === ctx.self)) roles.push('compute');
  if (lower(receiver) === ctx.self) roles.push('receiver');
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
  ctx.logger.info({ task: Number(id), roles, program: creation.params?.program }, 'task seen');
}

/** After a reorganisation, a task this node thought ended may be alive again: re-read them. */
export async function reopenAfterReorg(ctx: TaskEventContext): Promise<void> {
  const now = Math.floor(Date.now() / 1000);
  for (const t of ctx.store.listTasks({ limit: 1000 })) {
    if (!TERMINAL_STATUSES.has(t.status) || t.deadline === null || t.deadline < now - 3600) continue;
    const latest = await readTask(ctx.ledger, BigInt(t.id)).catch(() => undefined);
    if (!latest || FINAL_STATUSES.has(latest.status)) continue;
    const index = latest.parties.findIndex((p) => lower(p) === ctx.self);
    const status = latest.status === 'Pending' ? (index >= 0 && hasAccepted(latest, index) ? 'accepted' : 'pending') : latest.status === 'Disputed' ? 'disputed' : 'reported';
    ctx.set(t.id, { status, step: latest.status === 'Pending' ? 'seen' : 'reorged', error: 'reopened after a chain reorganisation' });
  }
}
