/** Registers a commitment (dataset, model, features or task result) in ZkClaims under the caller's key; it never changes afterwards. */
import type { Address } from 'viem';
import type { ZkChain } from '../../chain/zk-ledger.js';

/** @example await registerZkCommitment(zk, { from: owner, key, commitment: data.commitment }); */
export async function registerZkCommitment(zk: ZkChain, p: { from: Address; key: `0x${string}`; commitment: bigint }): Promise<void> {
  await zk.registerCommitment(p.from, p.key, p.commitment);
}
