/**
 * How a task ended, from its on-chain events: who refused and why, which failures the
 * compute parties reported and whom they blamed, who was slashed for what fault, and the
 * settlement. A requester reads this instead of guessing from a bare status — the reasons
 * were written on-chain by the nodes themselves (names, steps, bounds; never data).
 */
import type { Address } from 'viem';
import { TaskMarketAbi } from '../../chain/artifacts.js';
import { FAULTS, FailurePhase, FailureReason, RefusalCode } from '../../chain/commit-reveal.js';
import { readTask, type ChainTask } from '../../node/tasks/chain-view.js';
import type { TacitClient } from '../client.js';

const name = <T extends Record<string, number>>(table: T, v: number): string => Object.keys(table).find((k) => table[k] === v) ?? `code ${v}`;

export interface TaskOutcome {
  taskId: bigint;
  status: ChainTask['status'];
  /** True only for Settled: the receiver has the result and everyone was paid. */
  ok: boolean;
  /** One sentence: why the task ended as it did (or where it stands). */
  reason: string;
  refusals: { node: Address; code: string; reason: string }[];
  failureReports: { node: Address; phase: string; reason: string; blamed: Address | null }[];
  slashed: { node: Address; amount: bigint; fault: string }[];
  settlement?: { dataPayout: bigint; computeShare: bigint; refund: bigint };
}

/** @example const o = await getTaskOutcome(client, { taskId }); if (!o.ok) console.error(o.reason); */
export async function getTaskOutcome(client: TacitClient, p: { taskId: bigint }): Promise<TaskOutcome> {
  const { pub, manifest } = client.ledger;
  const t = await readTask(client.ledger, p.taskId);
  const common = { address: manifest.contracts.TaskMarket, abi: TaskMarketAbi, args: { taskId: p.taskId }, fromBlock: BigInt(manifest.block ?? 0), strict: true } as const;
  const [refused, reported, slashedLogs, settled] = await Promise.all([
    pub.getContractEvents({ ...common, eventName: 'TaskRefused' }),
    pub.getContractEvents({ ...common, eventName: 'TaskFailureReported' }),
    pub.getContractEvents({ ...common, eventName: 'TaskPartySlashed' }),
    pub.getContractEvents({ ...common, eventName: 'TaskSettled' }),
  ]);
  const refusals = refused.map((e) => ({ node: e.args.node, code: name(RefusalCode, e.args.code), reason: e.args.reason }));
  const failureReports = reported.map((e) => ({
    node: e.args.node,
    phase: name(FailurePhase, e.args.phase),
    reason: name(FailureReason, e.args.reason),
    blamed: /^0x0{40}$/i.test(e.args.blamed) ? null : e.args.blamed,
  }));
  const slashed = slashedLogs.map((e) => ({ node: e.args.node, amount: e.args.amount, fault: FAULTS[e.args.fault] ?? String(e.args.fault) }));
  const s = settled[0]?.args;
  const settlement = s ? { dataPayout: s.dataPayout, computeShare: s.computeShare, refund: s.refund } : undefined;

  let reason: string;
  switch (t.status) {
    case 'Settled':
      reason = 'settled: the receiver has the result; data and compute providers were paid';
      break;
    case 'Refused':
      reason = refusals.length ? `refused by ${refusals.map((r) => `${r.node} (${r.code}: ${r.reason})`).join('; ')}; the fee and data tokens were refunded` : 'refused; the fee and data tokens were refunded';
      break;
    case 'Failed':
      reason = failureReports.length
        ? `the session failed: ${failureReports.map((r) => `${r.node} reported ${r.reason} while ${r.phase.toLowerCase()}${r.blamed ? `, blaming ${r.blamed}` : ''}`).join('; ')}; refunded`
        : 'the parties disagreed on the outcome; refunded';
      break;
    case 'Expired':
      reason = 'the deadline passed before the task finished; refunded';
      break;
    default:
      reason = `${t.status.toLowerCase()}: accepted by ${popcount(t.accepted)} of ${t.parties.length} parties`;
  }
  if (slashed.length) reason += `; slashed: ${slashed.map((x) => `${x.node} (${x.fault})`).join(', ')}`;
  return { taskId: p.taskId, status: t.status, ok: t.status === 'Settled', reason, refusals, failureReports, slashed, ...(settlement ? { settlement } : {}) };
}

function popcount(x: number): number {
  let n = 0;
  for (; x; x &= x - 1) n++;
  return n;
}
