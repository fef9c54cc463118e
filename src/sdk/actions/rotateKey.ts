/**
 * Records a key's next state (after a refresh or resharing, or a move to a new group key)
 * in the KeyRegistry, signed by the current group key — and, when the group key changes, by
 * the new one as well.
 */
import type { Hash, Hex } from 'viem';
import { KeyRegistryAbi } from '../../chain/artifacts.js';
import { toSoliditySignature } from '../../chain/frost-signature.js';
import { registryArgsOf } from '../../chain/key-registry.js';
import type { GroupKeyInfo } from '../../keys/group-key.js';
import { requireAccount, type TacitClient } from '../client.js';
import { keyRegistryOf, type GroupSigner } from './registerKey.js';

export interface RotateKeyParameters {
  /** The registered key id (its state moves to `next`). */
  keyId: string;
  next: GroupKeyInfo;
  /** Signs with the key as currently registered. */
  signCurrent: GroupSigner;
  /** Signs with the next group key; needed only when it differs. */
  signNext?: GroupSigner;
}
export type RotateKeyReturnType = { txHash: Hash; digest: Hex };

/** @example await rotateKey(client, { keyId, next: reshared.key, signCurrent }) */
export async function rotateKey(client: TacitClient, p: RotateKeyParameters): Promise<RotateKeyReturnType> {
  const account = requireAccount(client);
  const registry = keyRegistryOf(client);
  const a = registryArgsOf(p.next);
  const keyId = `0x${p.keyId.replace(/^0x/, '')}` as Hex;
  const digest = await client.ledger.pub.readContract({ address: registry, abi: KeyRegistryAbi, functionName: 'rotateDigest', args: [keyId, a.epoch, a.key, a.threshold, a.members, a.stateHash] });
  const byCurrent = toSoliditySignature(await p.signCurrent(digest));
  const byNext = p.signNext ? toSoliditySignature(await p.signNext(digest)) : { rx: 0n, ry: 0n, z: 0n };
  const r = await client.ledger.tx(account, 'rotate key', (w) => w.writeContract({ address: registry, abi: KeyRegistryAbi, functionName: 'rotate', args: [keyId, a.epoch, a.key, a.threshold, a.members, a.stateHash, byCurrent, byNext] }));
  return { txHash: r.transactionHash, digest };
}
