/** Every node in the NodeRegistry, with its profile, roles and stake. */
import { NodeRegistryAbi } from '../../chain/artifacts.js';
import type { Address } from 'viem';
import type { TacitClient } from '../client.js';

export interface NodeSummary {
  address: Address;
  name: string;
  endpoint: string;
  fingerprint: string;
  roles: { data: boolean; compute: boolean; receiver: boolean };
  stake: bigint;
  exiting: boolean;
}
export type ListNodesReturnType = NodeSummary[];

/** @example const nodes = await listNodes(client); */
export async function listNodes(client: TacitClient): Promise<ListNodesReturnType> {
  const { pub, manifest } = client.ledger;
  const address = manifest.contracts.NodeRegistry;
  const n = await pub.readContract({ address, abi: NodeRegistryAbi, functionName: 'nodeCount' });
  const out: NodeSummary[] = [];
  for (let i = 0n; i < n; i++) {
    const node = await pub.readContract({ address, abi: NodeRegistryAbi, functionName: 'nodeAt', args: [i] });
    const info = await pub.readContract({ address, abi: NodeRegistryAbi, functionName: 'getNode', args: [node] });
    if (!info.registered) continue;
    out.push({
      address: node,
      name: info.name,
      endpoint: info.endpoint,
      fingerprint: info.tlsFingerprint.slice(2),
      roles: { data: (info.roles & 1) !== 0, compute: (info.roles & 2) !== 0, receiver: (info.roles & 4) !== 0 },
      stake: info.stake,
      exiting: info.exitRequestedAt !== 0,
    });
  }
  return out;
}
