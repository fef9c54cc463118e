/**
 * viem clients for a Tacit chain. Any EVM chain works, so the viem `Chain` is built from the
 * RPC's own chain id instead of a table of known networks; polling is tuned for local chains
 * (anvil mines on each transaction) and can be slowed down for public ones.
 */
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
  type Account,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
  type WalletClient,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

/** A viem chain description for `chainId` reached at `rpcUrl`. */
export function tacitChain(chainId: number, rpcUrl: string): Chain {
  return defineChain({
    id: chainId,
    name: `tacit-${chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
}

export interface ClientOptions {
  rpcUrl: string;
  chainId: number;
  /** Milliseconds between polls for receipts and blocks (default 100). */
  pollingInterval?: number;
}

export type TacitPublicClient = PublicClient<Transport, Chain>;
export type TacitWalletClient = WalletClient<Transport, Chain, Account>;

export function publicClientFor(options: ClientOptions): TacitPublicClient {
  return createPublicClient({
    chain: tacitChain(options.chainId, options.rpcUrl),
    transport: http(options.rpcUrl, { retryCount: 2 }),
    pollingInterval: options.pollingInterval ?? 100,
  });
}

export function walletClientFor(options: ClientOptions & { account: Account | Hex }): TacitWalletClient {
  const account = typeof options.account === 'string' ? privateKeyToAccount(options.account) : options.account;
  return createWalletClient({
    account,
    chain: tacitChain(options.chainId, options.rpcUrl),
    transport: http(options.rpcUrl, { retryCount: 0 }),
    pollingInterval: options.pollingInterval ?? 100,
  });
}
