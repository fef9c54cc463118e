/**
 * What one party does in the PSI benchmark, given its network: make its ids, run PSI; or
 * time the bare scalar multiplications it would need. Transport-agnostic — the worker-thread
 * transport calls it in each worker; a loopback-TLS transport would call it in each process.
 */
import { randomBytes } from 'node:crypto';
import type { Network } from '../src/net/types.js';
import { MaskingKey } from '../src/psi/masking-key.js';
import { runPsi } from '../src/psi/run-psi.js';

export type PartyJob =
  | { kind: 'psi'; parties: string[]; receivers: string[]; n: number; batchSize: number }
  | { kind: 'bound'; scalarMults: number; batchSize: number };

export interface PartyReport {
  party: string;
  seconds: number;
  bytesSent: number;
  scalarMults: number;
  /** Seconds inside the scalar multiplications, hashing, and waiting for messages (parts of `seconds`). */
  scalarMultSeconds: number;
  hashSeconds?: number;
  waitSeconds?: number;
  size?: number;
}

/**
 * The ids of party `index` of the benchmark: n 12-digit customer numbers; party i takes the
 * numbers i·n/2 … i·n/2 + n − 1 of a scrambled sequence, so neighbours overlap by half.
 */
export function benchIds(index: number, n: number): string[] {
  const start = index * Math.floor(n / 2);
  return Array.from({ length: n }, (_, k) => String(100_000_000_000 + ((start + k) * 7_919) % 899_999_999_989));
}

export async function runPartyJob(net: Network, job: PartyJob): Promise<PartyReport> {
  if (job.kind === 'psi') {
    const ids = benchIds(job.parties.indexOf(net.self), job.n);
    const res = await runPsi(net, { parties: job.parties, receivers: job.receivers, ids, batchSize: job.batchSize });
    return { party: net.self, seconds: res.stats.seconds, bytesSent: res.stats.bytesSent, scalarMults: res.stats.scalarMults, scalarMultSeconds: res.stats.scalarMultSeconds, hashSeconds: res.stats.hashSeconds, waitSeconds: res.stats.waitSeconds, size: res.size };
  }
  // The bound: the same X25519 calls (JWK KeyObject + diffieHellman) on random canonical
  // points, batch after batch, with no hashing and no network.
  const key = new MaskingKey();
  const points = randomBytes(job.batchSize * 32);
  for (let off = 31; off < points.length; off += 32) points[off]! &= 0x3f;
  const out = new Uint8Array(points.length);
  const t0 = performance.now();
  for (let done = 0; done < job.scalarMults; done += job.batchSize) {
    const cnt = Math.min(job.batchSize, job.scalarMults - done);
    key.mask(points.subarray(0, cnt * 32), out);
  }
  const seconds = (performance.now() - t0) / 1000;
  key.destroy();
  return { party: net.self, seconds, bytesSent: 0, scalarMults: key.count, scalarMultSeconds: key.seconds };
}
