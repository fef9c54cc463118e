/**
 * Worker thread of `randomness-pool.ts`: makes encryption randomness ρ for one public key
 * and posts it back as fixed-length bytes (transferred, not copied). It sees the public
 * key only — or, for the key holder's own pool (same process), the private key too, to make
 * ρ by CRT.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PaillierPrivateKey, PaillierPublicKey } from './keys.js';
import { ObfuscatorSource, type FixedBaseMethod } from './obfuscator.js';

const { key: keyJson, method, privateKey: skJson } = workerData as { key: unknown; method: FixedBaseMethod; privateKey?: unknown };
const sk = skJson === undefined ? undefined : PaillierPrivateKey.fromJSON(skJson);
const key = sk?.publicKey ?? PaillierPublicKey.fromJSON(keyJson);
const source = new ObfuscatorSource(key, method, sk);

parentPort!.on('message', (msg: { id: number; count: number }) => {
  const out = source.nextBytes(msg.count);
  parentPort!.postMessage({ id: msg.id, bytes: out }, [out.buffer as ArrayBuffer]);
});
