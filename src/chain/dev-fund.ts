/**
 * Funding accounts on a development chain: ether through anvil's `anvil_setBalance` and the
 * test payment token through its open `mint`, signed by dev account 0. Refused anywhere else:
 * the chain must be a local development chain (chain id 31337 or 1337, a client that answers
 * anvil's methods) and the payment token must be the test token (anyone can mint it; a real
 * token cannot be conjured, and a real chain's ether even less).
 */
import { erc20Abi, parseEther, type Address } from 'viem';
import { TestTokenAbi } from './artifacts.js';
import { devAccount } from './dev-accounts.js';
import { ChainError } from './errors.js';
import { LocalLedger } from './local-ledger.js';
import type { TacitManifest } from './manifest.js';

export const DEV_CHAIN_IDS: readonly number[] = [31337, 1337];

export class NotDevChainError extends ChainError {
  override name = 'NotDevChainError';
}

export interface FundResult {
  address: Address;
  ether: string;
  tokens: string;
}

/** Adds `ether` and `tokens` (whole units, 18 decimals) to `address`; returns the new balances (base units). */
export async function fundDevAccount(rpcUrl: string, manifest: TacitManifest, address: Address, amounts: { ether?: string; tokens?: string }): Promise<FundResult> {
  if (!DEV_CHAIN_IDS.includes(manifest.chainId)) {
    throw new NotDevChainError(`chain ${manifest.chainId} is not a development chain`, { hint: 'funding is for the embedded chain and local anvil only; on a real chain, transfer ether and tokens from a funded wallet' });
  }
  const ledger = new LocalLedger(rpcUrl, manifest);
  const chainId = await ledger.pub.getChainId();
  if (chainId !== manifest.chainId) throw new NotDevChainError(`the RPC at ${rpcUrl} serves chain ${chainId}, the manifest says ${manifest.chainId}`, { hint: 'point --rpc at the chain the manifest was deployed on' });
  const token = manifest.contracts.PaymentToken;
  if (amounts.ether !== undefined) {
    const add = parseEther(amounts.ether);
    const now = await ledger.pub.getBalance({ address });
    try {
      await ledger.pub.request({ method: 'anvil_setBalance' as never, params: [address, `0x${(now + add).toString(16)}`] as never });
    } catch (cause) {
      throw new NotDevChainError(`the chain at ${rpcUrl} does not accept anvil_setBalance`, { hint: 'funding ether works on anvil only (tacit chain start)', cause });
    }
  }
  if (amounts.tokens !== undefined) {
    const add = parseEther(amounts.tokens);
    let symbol: string;
    try {
      symbol = await ledger.pub.readContract({ address: token, abi: erc20Abi, functionName: 'symbol' });
    } catch (cause) {
      throw new NotDevChainError('the payment token does not answer symbol()', { cause });
    }
    if (symbol !== 'tTCT') throw new NotDevChainError(`the payment token (${symbol}) is not Tacit's test token`, { hint: 'a real payment token cannot be minted: transfer it from a funded wallet' });
    await ledger.tx(devAccount(0), 'mint test tokens', (w) => w.writeContract({ address: token, abi: TestTokenAbi, functionName: 'mint', args: [address, add] }));
  }
  const [ether, tokens] = await Promise.all([
    ledger.pub.getBalance({ address }),
    ledger.pub.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [address] }),
  ]);
  return { address, ether: ether.toString(), tokens: tokens.toString() };
}
