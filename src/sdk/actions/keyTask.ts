/**
 * Shared by the network key actions (`createKeyOnNodes`, `signWithKeyOnNodes`,
 * `refreshKeyOnNodes`, `reshareKeyOnNodes`): one key ceremony as an on-chain task among the
 * member nodes. The members are the task's compute parties, so each member's node vets the
 * request and consents on-chain (TaskMarket) before anything runs, and each runs its part
 * with its own share store; the receiver — one of the members — gets the public outcome
 * (the group key's state or the signature), sealed to a fresh result key that only this
 * requester opens. Nothing secret is in the task's parameters or its result.
 *
 * A ceremony that does not settle throws `KeyTaskError` with the chain's account of why
 * (refusals with reasons, failure reports naming a silent member, expiry and refund).
 */
import { getAddress, parseEventLogs, type Address, type Hash } from 'viem';
import { TaskMarketAbi } from '../../chain/artifacts.js';
import { generateBoxKeyPair } from '../../crypto/sealed-box.js';
import { SdkError, type TacitClient } from '../client.js';
import { createTask } from './createTask.js';
import { getTaskOutcome, type TaskOutcome } from './getTaskOutcome.js';
import { getTaskResult } from './getTaskResult.js';
import { waitForTask, type WaitForTaskParameters } from './waitForTask.js';

/** What every network key action takes besides its own parameters. */
export interface KeyTaskOptions {
  /** The member node that receives the outcome, and its API (any member: it only gets public data). */
  receiver: { address: Address; url: string };
  /** Payment-token units escrowed per task, split among the members (default 0). */
  fee?: bigint;
  /** Seconds from creation to the task's deadline (default 300). */
  deadlineSeconds?: number;
  /** Longest wait for one member's message in one round; each node caps it with its own guard. */
  roundTimeoutMs?: number;
  onUpdate?: WaitForTaskParameters['onUpdate'];
}

export interface KeyTaskReturnType {
  taskId: bigint;
  /** The receiver's output of the program. */
  output: Record<string, unknown>;
  /** Gas of every TaskMarket transaction of the task (creation, consents, commits, reveals). */
  gasUsed: bigint;
  seconds: number;
}

/** A key ceremony task that did not settle; `outcome` says why, as the chain records it. */
export class KeyTaskError extends SdkError {
  override name = 'KeyTaskError';
  constructor(readonly program: string, readonly taskId: bigint, readonly outcome: TaskOutcome) {
    super(`${program} task #${taskId} ended ${outcome.status}: ${outcome.reason}`, {
      hint: outcome.refusals.length ? 'A member refused; see its reason (its node policy or guards).' : 'The ceremony aborted at every member and nothing was stored; the requester was refunded.',
      details: JSON.stringify({ refusals: outcome.refusals, failureReports: outcome.failureReports, slashed: outcome.slashed.map((s) => ({ ...s, amount: s.amount.toString() })) }),
    });
  }
}

export const memberAddress = (a: string): string => getAddress(a).toLowerCase();

/** Runs `program` with `params` among `members` (node addresses) and returns the receiver's output. */
export async function runKeyTask(client: TacitClient, program: string, params: Record<string, unknown>, members: readonly string[], o: KeyTaskOptions): Promise<KeyTaskReturnType> {
  const receiver = memberAddress(o.receiver.address);
  if (!members.includes(receiver)) throw new SdkError(`the receiver ${receiver} is not a party of this ${program} ceremony`, { hint: 'Receive the outcome at one of the members’ nodes.' });
  const t0 = performance.now();
  const from = await client.ledger.pub.getBlockNumber();
  const box = generateBoxKeyPair();
  const { taskId } = await createTask(client, {
    program,
    protocol: 'semi2k',
    params: { ...params, ...(o.roundTimeoutMs ? { roundTimeoutMs: o.roundTimeoutMs } : {}) },
    datasetIds: [],
    computeParties: members.map((m) => getAddress(m)),
    receiver: getAddress(receiver),
    fee: o.fee ?? 0n,
    deadlineSeconds: o.deadlineSeconds ?? 300,
    resultKey: box.publicKey,
  });
  const final = await waitForTask(client, { taskId, progressFrom: { url: o.receiver.url }, timeoutMs: ((o.deadlineSeconds ?? 300) + 120) * 1000, ...(o.onUpdate ? { onUpdate: o.onUpdate } : {}) });
  if (final.status !== 'Settled') throw new KeyTaskError(program, taskId, await getTaskOutcome(client, { taskId }));
  const output = await getTaskResult(client, { node: { url: o.receiver.url }, taskId, resultPrivateKey: box.privateKey });
  return { taskId, output, gasUsed: await taskGas(client, taskId, from), seconds: (performance.now() - t0) / 1000 };
}

/** Gas of every TaskMarket transaction about `taskId` since block `from`. */
export async function taskGas(client: TacitClient, taskId: bigint, from: bigint): Promise<bigint> {
  const logs = await client.ledger.pub.getLogs({ address: client.manifest.contracts.TaskMarket, fromBlock: from });
  const hashes = new Set<Hash>();
  for (const ev of parseEventLogs({ abi: TaskMarketAbi, logs })) if ((ev.args as { taskId?: bigint }).taskId === taskId) hashes.add(ev.transactionHash!);
  let gas = 0n;
  for (const h of hashes) gas += (await client.ledger.pub.getTransactionReceipt({ hash: h })).gasUsed;
  return gas;
}

/** `want` signers: the receiver first, then members in key order, up to the threshold. */
export function defaultSigners(members: readonly string[], threshold: number, receiver: string): string[] {
  const r = memberAddress(receiver);
  return [r, ...members.filter((m) => m !== r)].slice(0, threshold);
}
