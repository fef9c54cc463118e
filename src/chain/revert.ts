/**
 * Turns a failed contract call into the name of the custom error that caused it
 * (`TaskMarketNotParty`, `NodeRegistryStakeTooLow`, …), which is what callers and tests
 * branch on. viem decodes errors of the called contract's ABI itself; errors raised by an
 * inner contract are decoded here against the union of all Tacit errors.
 */
import { BaseError, ContractFunctionRevertedError, decodeErrorResult, toFunctionSelector, type Hex } from 'viem';
import { tacitErrorsAbi } from './artifacts.js';

export interface DecodedRevert {
  name: string;
  args: readonly unknown[];
}

/** The decoded custom error behind `err`, or undefined if it is not a contract revert we know. */
export function decodeRevert(err: unknown): DecodedRevert | undefined {
  if (!(err instanceof BaseError)) return undefined;
  const reverted = err.walk((e) => e instanceof ContractFunctionRevertedError);
  if (reverted instanceof ContractFunctionRevertedError) {
    if (reverted.data?.errorName) return { name: reverted.data.errorName, args: reverted.data.args ?? [] };
    const d = decodeData(reverted.raw as Hex | undefined);
    if (d) return d;
  }
  // Deployments and raw transactions: the revert data sits on an RPC error in the cause chain.
  let data: Hex | undefined;
  err.walk((e) => {
    const v = (e as { data?: unknown }).data;
    if (typeof v === 'string' && /^0x[0-9a-fA-F]{8,}$/.test(v)) data = v as Hex;
    return false;
  });
  const d = decodeData(data);
  if (d) return d;
  // Last resort: anvil puts the selector in the message ("custom error 0x12345678").
  const m = /custom error (0x[0-9a-fA-F]{8})/.exec(err.message);
  if (m) {
    const selector = m[1]!.toLowerCase();
    const item = tacitErrorsAbi.find((e) => toFunctionSelector(errorSignature(e)) === selector);
    if (item) return { name: item.name, args: [] };
  }
  return undefined;
}

function decodeData(raw: Hex | undefined): DecodedRevert | undefined {
  if (!raw || raw.length < 10) return undefined;
  try {
    const d = decodeErrorResult({ abi: tacitErrorsAbi, data: raw });
    return { name: d.errorName, args: (d.args ?? []) as readonly unknown[] };
  } catch {
    return undefined;
  }
}

function errorSignature(e: (typeof tacitErrorsAbi)[number]): string {
  return `${e.name}(${e.inputs.map((i) => i.type).join(',')})`;
}

/** Just the error name (see {@link decodeRevert}). */
export function revertName(err: unknown): string | undefined {
  return decodeRevert(err)?.name;
}
