/**
 * The compiled contracts (ABI `as const` + creation bytecode), re-exported from the build
 * output in ./generated so that the rest of Tacit imports one stable module, plus the union
 * of every custom error so a revert that bubbled up from an inner call (say, NodeRegistry
 * under TaskMarket) still decodes to its name.
 */
import type { Abi } from 'viem';
import {
  CustodyVaultAbi,
  ClearingAbi,
  ColumnRangeClaimsAbi,
  DataRegistryAbi,
  DataTokenAbi,
  DataTokenSaleAbi,
  KeyRegistryAbi,
  NodeRegistryAbi,
  TaskMarketAbi,
  TestTokenAbi,
  ZkCeremonyAbi,
  ZkClaimsAbi,
} from './generated/index.js';

export * from './generated/index.js';

type AbiError = Extract<Abi[number], { type: 'error' }>;

/** Every custom error declared by a Tacit contract or the OpenZeppelin code it uses, once each. */
export const tacitErrorsAbi: readonly AbiError[] = (() => {
  const seen = new Map<string, AbiError>();
  const all: Abi[] = [TaskMarketAbi, NodeRegistryAbi, DataRegistryAbi, DataTokenAbi, DataTokenSaleAbi, TestTokenAbi, KeyRegistryAbi, CustodyVaultAbi, ClearingAbi, ZkClaimsAbi, ColumnRangeClaimsAbi, ZkCeremonyAbi];
  for (const abi of all) {
    for (const item of abi) {
      if (item.type !== 'error') continue;
      const key = `${item.name}(${item.inputs.map((i) => i.type).join(',')})`;
      if (!seen.has(key)) seen.set(key, item);
    }
  }
  return [...seen.values()];
})();
