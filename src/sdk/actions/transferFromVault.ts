/**
 * Moves ether (token = zero address) or an ERC-20 out of a CustodyVault: reads the vault's
 * next nonce, has the members sign the transfer digest over (chain id, vault, nonce, token,
 * recipient, amount), and submits it.
 */
import { zeroAddress, type Address, type Hash, type Hex } from 'viem';
import { CustodyVaultAbi } from '../../chain/artifacts.js';
import { toSoliditySignature } from '../../chain/frost-signature.js';
import { requireAccount, type TacitClient } from '../client.js';
import type { GroupSigner } from './registerKey.js';

export interface TransferFromVaultParameters {
  vault: Address;
  /** ERC-20 address; omit for ether. */
  token?: Address;
  to: Address;
  amount: bigint;
  sign: GroupSigner;
}
export type TransferFromVaultReturnType = { txHash: Hash; nonce: bigint; digest: Hex; signature: string };

/** @example await transferFromVault(client, { vault, to, amount: parseEther('1'), sign }) */
export async function transferFromVault(client: TacitClient, p: TransferFromVaultParameters): Promise<TransferFromVaultReturnType> {
  const account = requireAccount(client);
  const token = p.token ?? zeroAddress;
  const nonce = await client.ledger.pub.readContract({ address: p.vault, abi: CustodyVaultAbi, functionName: 'nonce' });
  const digest = await client.ledger.pub.readContract({ address: p.vault, abi: CustodyVaultAbi, functionName: 'transferDigest', args: [nonce, token, p.to, p.amount] });
  const signature = await p.sign(digest);
  const r = await client.ledger.tx(account, 'vault transfer', (w) => w.writeContract({ address: p.vault, abi: CustodyVaultAbi, functionName: 'transfer', args: [nonce, token, p.to, p.amount, toSoliditySignature(signature)] }));
  return { txHash: r.transactionHash, nonce, digest, signature };
}
