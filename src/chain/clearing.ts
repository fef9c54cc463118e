/**
 * Driving contracts/Clearing.sol from TypeScript: open a cycle, lock, approve the
 * settlement digest, settle, expire. Thin wrappers over a LocalLedger (tests, benchmark,
 * sandbox), each waiting for its receipt so the caller can read the gas it used.
 */
import { parseEventLogs, toHex, type Account, type Address, type Hex, type TransactionReceipt } from 'viem';
import { ClearingAbi } from './artifacts.js';
import { ChainError } from './errors.js';
import type { LocalLedger } from './local-ledger.js';

function clearingAddress(ledger: LocalLedger): Address {
  const a = ledger.manifest.contracts.Clearing;
  if (!a) throw new ChainError('this deployment has no Clearing contract', { hint: 'Redeploy with a current `tacit chain deploy`.' });
  return a;
}

export async function openClearingCycle(
  ledger: LocalLedger,
  opener: Account,
  cycle: { token: Address; banks: Address[]; computeParties: Address[]; deadline: bigint; params?: string },
): Promise<{ cycleId: bigint; receipt: TransactionReceipt }> {
  const address = clearingAddress(ledger);
  // With params (a cycle the bank nodes run, src/node/clearing): published in CycleParams.
  const receipt = cycle.params === undefined
    ? await ledger.tx(opener, 'openCycle', (w) =>
      w.writeContract({ address, abi: ClearingAbi, functionName: 'openCycle', args: [cycle.token, cycle.banks, cycle.computeParties, cycle.deadline] }))
    : await ledger.tx(opener, 'openCycleWithParams', (w) =>
      w.writeContract({ address, abi: ClearingAbi, functionName: 'openCycleWithParams', args: [cycle.token, cycle.banks, cycle.computeParties, cycle.deadline, toHex(cycle.params!)] }));
  const ev = parseEventLogs({ abi: ClearingAbi, logs: receipt.logs, eventName: 'CycleOpened' })[0];
  if (!ev) throw new ChainError('openCycle emitted no CycleOpened event');
  return { cycleId: ev.args.cycleId, receipt };
}

/** Approves the contract for `amount` of `token` and locks it for the cycle. */
export async function lockForCycle(ledger: LocalLedger, bank: Account, token: Address, cycleId: bigint, amount: bigint): Promise<TransactionReceipt> {
  const address = clearingAddress(ledger);
  await ledger.approve(bank, token, address, amount);
  return ledger.tx(bank, 'lock', (w) => w.writeContract({ address, abi: ClearingAbi, functionName: 'lock', args: [cycleId, amount] }));
}

export function approveSettlement(ledger: LocalLedger, party: Account, cycleId: bigint, digest: Hex): Promise<TransactionReceipt> {
  const address = clearingAddress(ledger);
  return ledger.tx(party, 'approveSettlement', (w) => w.writeContract({ address, abi: ClearingAbi, functionName: 'approveSettlement', args: [cycleId, digest] }));
}

export function settleCycle(ledger: LocalLedger, caller: Account, cycleId: bigint, nets: readonly bigint[], settledSet: Hex, proof: Hex = '0x'): Promise<TransactionReceipt> {
  const address = clearingAddress(ledger);
  return ledger.tx(caller, 'settle', (w) => w.writeContract({ address, abi: ClearingAbi, functionName: 'settle', args: [cycleId, [...nets], settledSet, proof] }));
}

export function expireCycle(ledger: LocalLedger, caller: Account, cycleId: bigint): Promise<TransactionReceipt> {
  const address = clearingAddress(ledger);
  return ledger.tx(caller, 'expire', (w) => w.writeContract({ address, abi: ClearingAbi, functionName: 'expire', args: [cycleId] }));
}

export async function cycleState(ledger: LocalLedger, cycleId: bigint, blockNumber?: bigint): Promise<{ token: Address; deadline: number; state: 'None' | 'Open' | 'Settled' | 'Expired' }> {
  const [token, deadline, state] = await ledger.pub.readContract({ address: clearingAddress(ledger), abi: ClearingAbi, functionName: 'cycleOf', args: [cycleId], ...(blockNumber !== undefined ? { blockNumber } : {}) });
  return { token, deadline: Number(deadline), state: (['None', 'Open', 'Settled', 'Expired'] as const)[state] ?? 'None' };
}

export async function cycleApprovals(ledger: LocalLedger, cycleId: bigint): Promise<{ parties: readonly Address[]; digests: readonly Hex[] }> {
  const [parties, digests] = await ledger.pub.readContract({ address: clearingAddress(ledger), abi: ClearingAbi, functionName: 'approvalsOf', args: [cycleId] });
  return { parties, digests };
}

export async function cycleMembers(ledger: LocalLedger, cycleId: bigint): Promise<{ banks: readonly Address[]; locked: readonly bigint[] }> {
  const [banks, locked] = await ledger.pub.readContract({ address: clearingAddress(ledger), abi: ClearingAbi, functionName: 'membersOf', args: [cycleId] });
  return { banks, locked };
}
