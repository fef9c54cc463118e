/**
 * Worker thread of `randomness-pool.ts`: makes encryption randomness ρ for one public key
 * and posts it back as fixed-length bytes (transferred, not copied). It sees the public
 * key only.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PaillierPublicKey } from './keys.js';
import { ObfuscatorSource, type FixedBaseMethod } from './obfuscator.js';

const { key: keyJson, method } = workerData as { key: unknown; method: FixedBaseMethod };
const key = PaillierPublicKey.fromJSON(keyJson);
const source = new ObfuscatorSource(key, method);

parentPort!.on('message', (msg: { id: number; count: number }) => {
  const out = source.nextBytes(msg.count);
  parentPort!.postMessage({ id: msg.id, bytes: out }, [out.buffer as ArrayBuffer]);
});
