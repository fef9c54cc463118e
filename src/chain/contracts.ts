/**
 * Typed handles on a deployed Tacit ledger for the SDK and the nodes: given a manifest and
 * viem clients, `getContracts` returns viem contract instances whose reads, writes, events
 * and argument types all come from the `as const` ABIs.
 */
import { erc20Abi, getContract, type Account, type Address, type Chain, type Client, type Transport } from 'viem';
import { DataRegistryAbi, DataTokenAbi, NodeRegistryAbi, TaskMarketAbi } from './artifacts.js';
import type { TacitManifest } from './manifest.js';

/** Either one client, or a public client for reads plus a wallet client for writes. */
export type TacitClient =
  | Client<Transport, Chain | undefined, Account | undefined>
  | {
      public: Client<Transport, Chain | undefined, Account | undefined>;
      wallet?: Client<Transport, Chain | undefined, Account>;
    };

export function getContracts<C extends TacitClient>(client: C, manifest: TacitManifest) {
  const c = manifest.contracts;
  return {
    nodeRegistry: getContract({ address: c.NodeRegistry, abi: NodeRegistryAbi, client }),
    dataRegistry: getContract({ address: c.DataRegistry, abi: DataRegistryAbi, client }),
    taskMarket: getContract({ address: c.TaskMarket, abi: TaskMarketAbi, client }),
    paymentToken: getContract({ address: c.PaymentToken, abi: erc20Abi, client }),
    /** The data token at `address` (see DataRegistry.getDataset(id).token). */
    dataToken: (address: Address) => getContract({ address, abi: DataTokenAbi, client }),
  };
}

export type TacitContractHandles = ReturnType<typeof getContracts>;
