/**
 * How an off-chain threshold key state (src/keys GroupKeyInfo) maps onto KeyRegistry's
 * arguments: key id as bytes32, the group key as (x, parity), members as 32-byte ids (a
 * node's address left-padded when the member is a node — keys made by node tasks — else
 * keccak256 of the member name), and the digest of the full public state as stateHash.
 */
import { isAddress, keccak256, pad, toBytes, type Hex } from 'viem';
import { groupKeyDigest, type GroupKeyInfo } from '../keys/group-key.js';
import { toSolidityKey, type SolidityPublicKey } from './frost-signature.js';

export interface RegistryKeyArgs {
  keyId: Hex;
  key: SolidityPublicKey;
  epoch: bigint;
  threshold: number;
  members: Hex[];
  stateHash: Hex;
}

export const memberIdOf = (name: string): Hex => (isAddress(name, { strict: false }) ? pad(name.toLowerCase() as Hex, { size: 32 }) : keccak256(toBytes(name)));

export function registryArgsOf(info: GroupKeyInfo): RegistryKeyArgs {
  return {
    keyId: `0x${info.keyId}`,
    key: toSolidityKey(info.groupKey),
    epoch: BigInt(info.epoch),
    threshold: info.threshold,
    members: info.members.map((m) => memberIdOf(m.name)),
    stateHash: `0x${groupKeyDigest(info)}`,
  };
}
