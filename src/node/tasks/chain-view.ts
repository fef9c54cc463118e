/**
 * What the daemon reads from the chain about a task and its parties, in the shapes the rest
 * of the node uses: addresses lowercased (they are party ids in sessions), roles derived
 * from the task (compute parties first, then data owners), node profiles from the registry.
 */
import { parseEventLogs, type Address, type Hex } from 'viem';
import { DataRegistryAbi, NodeRegistryAbi, TaskMarketAbi } from '../../chain/artifacts.js';
import type { LocalLedger } from '../../chain/local-ledger.js';
import { decodeTaskParams, type TaskParams } from '../../algorithms/task-params.js';

export { TaskStatus as TASK_STATUS } from '../../chain/roles.js';
import { TaskStatus as TASK_STATUS } from '../../chain/roles.js';
/** Statuses after which nothing can happen to a task. */
export const FINAL_STATUSES: ReadonlySet<ChainTaskStatus> = new Set(['Settled', 'Refused', 'Failed', 'Expired']);
export type ChainTaskStatus = (typeof TASK_STATUS)[number];

export interface ChainTask {
  id: bigint;
  requester: Address;
  receiver: Address;
  fee: bigint;
  deadline: number;
  status: ChainTaskStatus;
  nCompute: number;
  /** Index of the receiver in `parties` (the receiver is always a party: it consents too). */
  receiverIndex: number;
  accepted: number;
  committed: number;
  revealed: number;
  reported: number;
  parties: Address[];
  dataPayouts: bigint[];
}

/** The task as of block `blockNumber` (default: the latest). */
export async function readTask(ledger: LocalLedger, id: bigint, blockNumber?: bigint): Promise<ChainTask> {
  const v = await ledger.getTask(id, blockNumber);
  return {
    id,
    requester: v.requester,
    receiver: v.receiver,
    fee: v.fee,
    deadline: Number(v.deadline),
    status: TASK_STATUS[v.status] ?? 'None',
    nCompute: v.nCompute,
    receiverIndex: v.receiverIndex,
    accepted: v.accepted,
    committed: v.committed,
    revealed: v.revealed,
    reported: v.reported,
    parties: [...v.parties],
    dataPayouts: [...v.dataPayouts],
  };
}

export const lower = (a: string) => a.toLowerCase();

/** Whether party `index` has accepted (bit `index` of the mask). */
export const hasAccepted = (t: ChainTask, index: number) => ((t.accepted >> index) & 1) === 1;
export const hasCommitted = (t: ChainTask, index: number) => ((t.committed >> index) & 1) === 1;
export const hasRevealed = (t: ChainTask, index: number) => ((t.revealed >> index) & 1) === 1;
export const hasReported = (t: ChainTask, index: number) => ((t.reported >> index) & 1) === 1;

export interface PartyProfile {
  address: Address;
  name: string;
  host: string;
  port: number;
  fingerprint: string;
}

export async function readParty(ledger: LocalLedger, address: Address): Promise<PartyProfile> {
  const info = await ledger.pub.readContract({ address: ledger.manifest.contracts.NodeRegistry, abi: NodeRegistryAbi, functionName: 'getNode', args: [address] });
  const endpoint = info.endpoint;
  const i = endpoint.lastIndexOf(':');
  const host = endpoint.slice(0, i).replace(/^\[|\]$/g, '');
  const port = Number(endpoint.slice(i + 1));
  return { address, name: info.name, host, port, fingerprint: info.tlsFingerprint.slice(2).toLowerCase() };
}

export async function datasetOwner(ledger: LocalLedger, datasetId: bigint): Promise<Address> {
  return ledger.pub.readContract({ address: ledger.manifest.contracts.DataRegistry, abi: DataRegistryAbi, functionName: 'ownerOf', args: [datasetId] });
}

/** The task's spec and parameters, read from the transaction that created it. */
export async function readCreation(
  ledger: LocalLedger,
  txHash: Hex,
  id: bigint,
): Promise<{ datasetIds: bigint[]; computeParties: Address[]; algorithmId: Hex; codeHash: Hex; params?: TaskParams; paramsError?: string }> {
  const receipt = await ledger.pub.getTransactionReceipt({ hash: txHash });
  const logs = parseEventLogs({ abi: TaskMarketAbi, logs: receipt.logs });
  const created = logs.find((l) => l.eventName === 'TaskCreated' && l.args.taskId === id);
  if (!created || created.eventName !== 'TaskCreated') throw new Error(`task ${id}: no TaskCreated event in ${txHash}`);
  const spec = created.args.spec;
  const p = logs.find((l) => l.eventName === 'TaskParams' && l.args.taskId === id);
  let params: TaskParams | undefined;
  let paramsError: string | undefined;
  if (p && p.eventName === 'TaskParams') {
    try {
      params = decodeTaskParams(p.args.params, spec.paramsHash);
    } catch (err) {
      paramsError = (err as Error).message;
    }
  } else paramsError = 'the task was created without published parameters';
  return { datasetIds: [...spec.datasetIds], computeParties: [...spec.computeParties], algorithmId: spec.algorithmId, codeHash: spec.codeHash, params, paramsError };
}
