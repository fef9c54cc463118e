/** Deploys a CustodyVault for a registered threshold key; it moves funds only on that key's signatures. */
import type { Address, Hex } from 'viem';
import { CustodyVaultAbi, CustodyVaultBytecode } from '../../chain/artifacts.js';
import { requireAccount, SdkError, type TacitClient } from '../client.js';
import { keyRegistryOf } from './registerKey.js';

/** @example const { vault } = await deployCustodyVault(client, { keyId }) */
export async function deployCustodyVault(client: TacitClient, p: { keyId: string }): Promise<{ vault: Address }> {
  const account = requireAccount(client);
  const registry = keyRegistryOf(client);
  const keyId = `0x${p.keyId.replace(/^0x/, '')}` as Hex;
  const r = await client.ledger.tx(account, 'deploy custody vault', (w) => w.deployContract({ abi: CustodyVaultAbi, bytecode: CustodyVaultBytecode, args: [registry, keyId] }));
  if (!r.contractAddress) throw new SdkError('the vault deployment created no contract');
  return { vault: r.contractAddress };
}
