/**
 * On-chain algorithm ids. A task names its program by `algorithmId` and a dataset's policy
 * lists the ids it may be used with; the id of a program is keccak256 of its name's UTF-8
 * (`algorithmId('lr-train')` = keccak256(toHex('lr-train'))), so anyone can compute it from
 * the name alone. The program's code hash (src/algorithms/program.ts) travels separately.
 */
import { isHex, keccak256, toHex, type Hex } from 'viem';

const BYTES32 = /^0x[0-9a-fA-F]{64}$/;

/** keccak256 of the program name. */
export function algorithmId(name: string): Hex {
  if (typeof name !== 'string' || name.length === 0) throw new TypeError('algorithm name must be a non-empty string');
  return keccak256(toHex(name));
}

/**
 * An id from either a program name or an id written out already (0x + 64 hex digits, kept
 * as is, lower-cased): policy lists may name programs this node does not know yet.
 */
export function toAlgorithmId(nameOrId: string): Hex {
  if (isHex(nameOrId) && BYTES32.test(nameOrId)) return nameOrId.toLowerCase() as Hex;
  return algorithmId(nameOrId);
}
