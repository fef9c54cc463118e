/**
 * Turns a failed contract call into the name of the custom error that caused it
 * (`TaskMarketNotParty`, `NodeRegistryStakeTooLow`, …), which is what callers and tests
 * branch on. viem decodes errors of the called contract's ABI itself; errors raised by an
 * inner contract are decoded here against the union of all Tacit errors.
 */
import { BaseError, ContractFunctionRevertedError, decodeErrorResult, type Hex } from 'viem';
import { tacitErrorsAbi } from './artifacts.js';

export interface DecodedRevert {
  name: string;
  args: readonly unknown[];
}

/** The decoded custom error behind `err`, or undefined if it is not a contract revert we know. */
export function decodeRevert(err: unknown): DecodedRevert | undefined {
  if (!(err instanceof BaseError)) return undefined;
  const reverted = err.walk((e) => e instanceof ContractFunctionRevertedError);
  if (!(reverted instanceof ContractFunctionRevertedError)) return undefined;
  if (reverted.data?.errorName) return { name: reverted.data.errorName, args: reverted.data.args ?? [] };
  const raw = reverted.raw as Hex | undefined;
  if (!raw || raw.length < 10) return undefined;
  try {
    const d = decodeErrorResult({ abi: tacitErrorsAbi, data: raw });
    return { name: d.errorName, args: (d.args ?? []) as readonly unknown[] };
  } catch {
    return undefined;
  }
}

/** Just the error name (see {@link decodeRevert}). */
export function revertName(err: unknown): string | undefined {
  return decodeRevert(err)?.name;
}
