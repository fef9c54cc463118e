/**
 * A task's public parameters as they travel on-chain (TaskMarket.createTaskWithParams emits
 * them; the task's paramsHash is their keccak256). Everything here is public by design:
 * program, protocol, hyperparameters, who receives — never data, ids or keys (the result
 * key is a public key). Parties are named by their node addresses (lowercase 0x-hex).
 */
import { hexToString, keccak256, stringToHex, type Hex } from 'viem';
import { TacitError } from '../errors.js';

export interface TaskParams {
  v: 1;
  program: string;
  version: string;
  protocol: 'rep3' | 'semi2k';
  /** Program parameters (see each program's header). */
  params: Record<string, unknown>;
  /** The requester's sealed-box public key (hex) for the result, if it wants it sealed. */
  resultKey?: string;
  /** A numeric result field the receiver commits to on-chain for zero-knowledge claims (docs/zk.md). */
  zkResult?: string;
  /** Makes two otherwise identical tasks distinct. */
  nonce: string;
}

export class TaskParamsError extends TacitError {
  override name = 'TaskParamsError';
}

export const MAX_PARAMS_BYTES = 16 * 1024;

export function encodeTaskParams(p: TaskParams): { hex: Hex; hash: Hex } {
  const hex = stringToHex(JSON.stringify(p));
  if ((hex.length - 2) / 2 > MAX_PARAMS_BYTES) throw new TaskParamsError(`task parameters exceed ${MAX_PARAMS_BYTES} bytes`);
  return { hex, hash: keccak256(hex) };
}

export function decodeTaskParams(hex: Hex, expectedHash?: Hex): TaskParams {
  if (expectedHash && keccak256(hex).toLowerCase() !== expectedHash.toLowerCase()) {
    throw new TaskParamsError('task parameters do not match the on-chain paramsHash');
  }
  if ((hex.length - 2) / 2 > MAX_PARAMS_BYTES) throw new TaskParamsError('task parameters are too large');
  let v: unknown;
  try {
    v = JSON.parse(hexToString(hex));
  } catch (cause) {
    throw new TaskParamsError('task parameters are not JSON', { cause });
  }
  const p = v as Partial<TaskParams>;
  if (typeof p !== 'object' || p === null || p.v !== 1) throw new TaskParamsError('unknown task parameters version');
  if (typeof p.program !== 'string' || typeof p.version !== 'string') throw new TaskParamsError('task parameters name no program');
  if (p.protocol !== 'rep3' && p.protocol !== 'semi2k') throw new TaskParamsError('task parameters name no known protocol');
  if (typeof p.params !== 'object' || p.params === null) throw new TaskParamsError('task parameters have no params object');
  if (p.resultKey !== undefined && !/^[0-9a-f]{64}$/.test(p.resultKey)) throw new TaskParamsError('resultKey must be 64 hex digits');
  if (p.zkResult !== undefined && (typeof p.zkResult !== 'string' || !/^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(p.zkResult))) throw new TaskParamsError('zkResult must name a result field (letters, digits, _)');
  if (typeof p.nonce !== 'string') throw new TaskParamsError('task parameters have no nonce');
  return p as TaskParams;
}
