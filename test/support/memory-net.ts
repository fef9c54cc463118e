// In-memory networks for unit tests, keyed by party id (wraps src/net's createMemoryNetworks).
import { createMemoryNetworks } from '../../src/net/index.js';
import type { Network } from '../../src/net/types.js';

export function memoryNetworks(ids: string[]): Map<string, Network> {
  return new Map<string, Network>(createMemoryNetworks(ids).map((n) => [n.self, n]));
}
