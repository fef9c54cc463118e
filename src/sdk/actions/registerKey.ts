/**
 * Records a threshold key in the KeyRegistry. The registry accepts it only with a signature
 * of the key itself over the registration digest, so `sign` is asked to have the members
 * sign that digest (e.g. with signWithKey).
 */
import type { Hash, Hex } from 'viem';
import { KeyRegistryAbi } from '../../chain/artifacts.js';
import { toSoliditySignature } from '../../chain/frost-signature.js';
import { registryArgsOf } from '../../chain/key-registry.js';
import type { GroupKeyInfo } from '../../keys/group-key.js';
import { requireAccount, SdkError, type TacitClient } from '../client.js';

/** Has the members sign a 32-byte digest with their group key; returns the 65-byte signature (hex). */
export type GroupSigner = (digest: Hex) => Promise<string>;

export interface RegisterKeyParameters {
  key: GroupKeyInfo;
  sign: GroupSigner;
}
export type RegisterKeyReturnType = { txHash: Hash; digest: Hex };

export function keyRegistryOf(client: TacitClient) {
  const address = client.manifest.contracts.KeyRegistry;
  if (!address) throw new SdkError('this deployment has no KeyRegistry', { hint: 'Redeploy with a current `tacit chain deploy`.' });
  return address;
}

/** @example await registerKey(client, { key, sign: (d) => signWithKey({ ...store, keyId: key.keyId, message: d, signers }).then((s) => s.signature) }) */
export async function registerKey(client: TacitClient, p: RegisterKeyParameters): Promise<RegisterKeyReturnType> {
  const account = requireAccount(client);
  const registry = keyRegistryOf(client);
  const a = registryArgsOf(p.key);
  const digest = await client.ledger.pub.readContract({ address: registry, abi: KeyRegistryAbi, functionName: 'registerDigest', args: [a.keyId, a.key, a.epoch, a.threshold, a.members, a.stateHash] });
  const sig = toSoliditySignature(await p.sign(digest));
  const r = await client.ledger.tx(account, 'register key', (w) => w.writeContract({ address: registry, abi: KeyRegistryAbi, functionName: 'register', args: [a.keyId, a.key, a.epoch, a.threshold, a.members, a.stateHash, sig] }));
  return { txHash: r.transactionHash, digest };
}
