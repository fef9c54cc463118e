/**
 * Turns an on-chain task into the session plan every involved node computes for itself:
 * the same inputs (the task, its parameters and the registry) give every node the same
 * plan, so nodes need no coordinator to agree on who does what. Party ids are the nodes'
 * addresses (lowercase); endpoints and pinned TLS fingerprints come from the NodeRegistry.
 */
import type { SessionPlan, Role } from '../../algorithms/program.js';
import type { TaskParams } from '../../algorithms/task-params.js';
import type { MpcConfig } from '../../mpc/engine.js';
import type { Address } from 'viem';
import type { LocalLedger } from '../../chain/local-ledger.js';
import type { TaskRecord } from '../store/index.js';
import { lower, readParty, type ChainTask, type PartyProfile } from './chain-view.js';
import { TacitError } from '../../errors.js';
import { semi2kPreprocessing } from './preprocessing.js';

export class TaskPlanError extends TacitError {
  override name = 'TaskPlanError';
}

export function sessionIdOf(chainId: number, taskId: bigint): string {
  return `task-${chainId}-${taskId}`;
}

export function buildPlan(input: {
  chainId: number;
  task: ChainTask;
  params: TaskParams;
  /** Owners of the task's datasets (in dataset order). */
  dataOwners: string[];
  profiles: Map<string, PartyProfile>;
}): SessionPlan {
  const { task, params } = input;
  const compute = task.parties.slice(0, task.nCompute).map(lower);
  const owners = new Set(input.dataOwners.map(lower));
  const receiver = lower(task.receiver);
  const members = [...new Set([...task.parties.map(lower), receiver])];
  const parties = members.map((id) => {
    const p = input.profiles.get(id);
    if (!p) throw new TaskPlanError(`no registry profile for party ${id}`);
    const roles: Role[] = [];
    if (owners.has(id)) roles.push('data');
    if (compute.includes(id)) roles.push('compute');
    if (id === receiver) roles.push('receiver');
    return { id, host: p.host, port: p.port, fingerprint: p.fingerprint, roles };
  });
  let mpc: MpcConfig;
  if (params.protocol === 'rep3') {
    if (compute.length !== 3) throw new TaskPlanError(`rep3 needs exactly 3 compute parties, the task has ${compute.length}`);
    mpc = { protocol: 'rep3', computeParties: compute };
  } else {
    if (compute.length < 2) throw new TaskPlanError('semi2k needs at least 2 compute parties');
    const pre = semi2kPreprocessing(compute);
    if (!pre.ok) throw new TaskPlanError(pre.reason);
    mpc = { protocol: 'semi2k', computeParties: compute, preprocessing: pre.config };
  }
  return {
    sessionId: sessionIdOf(input.chainId, task.id),
    program: params.program,
    params: { ...params.params, receiver, receivers: [receiver] },
    parties,
    mpc,
  };
}

/** The plan for a stored task, with every party's profile read from the NodeRegistry. */
export async function planOf(ledger: LocalLedger, t: TaskRecord, chain: ChainTask): Promise<SessionPlan> {
  const params = t.params as unknown as TaskParams & { dataOwners: string[] };
  const members = [...new Set([...chain.parties.map(lower), lower(chain.receiver)])];
  const profiles = new Map(await Promise.all(members.map(async (m) => [m, await readParty(ledger, m as Address)] as const)));
  return buildPlan({ chainId: ledger.manifest.chainId, task: chain, params, dataOwners: params.dataOwners, profiles });
}
