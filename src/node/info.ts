/**
 * The node's public self-description (GET /node): assembled from its configuration, the
 * public half of its keys and the deployment manifest, so the daemon and tools agree on
 * what a node says about itself. The fingerprint is the one registered on-chain (as bytes32,
 * `0x` + this) and pinned by peers; the endpoint is what other nodes dial.
 */
import type { TacitManifest } from '../chain/manifest.js';
import type { NodeInfo } from './api/schemas.js';
import { peerEndpoint, type NodeConfig } from './config.js';
import type { NodePublicKeys } from './keys.js';

export function describeNode(config: NodeConfig, keys: Pick<NodePublicKeys, 'address' | 'fingerprint'>, manifest: TacitManifest): NodeInfo {
  const contracts: Record<string, `0x${string}`> = {};
  for (const [name, address] of Object.entries(manifest.contracts)) if (address) contracts[name] = address;
  return {
    name: config.name,
    address: keys.address,
    fingerprint: keys.fingerprint,
    roles: [...config.roles],
    peer: { host: config.peer.host, port: config.peer.port, endpoint: peerEndpoint(config) },
    chainId: manifest.chainId,
    contracts,
  };
}
