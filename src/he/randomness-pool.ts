/**
 * Encryption randomness made ahead of time in worker threads. ρ (r^n or h_s^α) is the only
 * costly part of a Paillier encryption and does not depend on the message, so a party
 * starts making it before it knows what it will encrypt (e.g. while the peers build the
 * previous tree's histograms); the online encryption is then one multiplication.
 * Each ρ is used once: `take` hands out values and forgets them.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { fromBytes } from './bigint.js';
import type { PaillierPublicKey } from './keys.js';
import type { FixedBaseMethod } from './obfuscator.js';

interface Pending {
  resolve: (v: bigint[]) => void;
  reject: (e: Error) => void;
}

export class RandomnessPool {
  private readonly workers: Worker[];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private nextWorker = 0;
  private ready: bigint[] = [];
  private inFlight: Promise<bigint[]>[] = [];
  private closed = false;

  constructor(
    readonly key: PaillierPublicKey,
    opts: { workers?: number; method?: FixedBaseMethod } = {},
  ) {
    const count = Math.max(1, opts.workers ?? availableParallelism());
    const url = new URL('./randomness-worker.js', import.meta.url);
    this.workers = Array.from({ length: count }, () => {
      const w = new Worker(url, { workerData: { key: key.toJSON(), method: opts.method ?? 'auto' } });
      w.unref();
      w.on('message', (msg: { id: number; bytes: Uint8Array }) => {
        const p = this.pending.get(msg.id);
        if (!p) return;
        this.pending.delete(msg.id);
        const width = key.cipherBytes;
        const out: bigint[] = new Array(msg.bytes.length / width);
        for (let i = 0; i < out.length; i++) out[i] = fromBytes(msg.bytes.subarray(i * width, (i + 1) * width));
        p.resolve(out);
      });
      w.on('error', (e) => this.failAll(e));
      return w;
    });
  }

  get size(): number {
    return this.workers.length;
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  /** `count` fresh values, split across the workers. */
  generate(count: number): Promise<bigint[]> {
    if (this.closed) return Promise.reject(new Error('randomness pool is closed'));
    if (count <= 0) return Promise.resolve([]);
    const per = Math.ceil(count / this.workers.length);
    const parts: Promise<bigint[]>[] = [];
    for (let done = 0; done < count; done += per) {
      const n = Math.min(per, count - done);
      const id = this.nextId++;
      const w = this.workers[this.nextWorker++ % this.workers.length]!;
      w.ref();
      parts.push(
        new Promise<bigint[]>((resolve, reject) => this.pending.set(id, { resolve, reject })).finally(() => {
          if (this.pending.size === 0) for (const x of this.workers) x.unref();
        }),
      );
      w.postMessage({ id, count: n });
    }
    return Promise.all(parts).then((xs) => xs.flat());
  }

  /** Starts making `count` values in the background for a later `take`. */
  prefill(count: number): void {
    const p = this.generate(count);
    p.catch(() => undefined);
    this.inFlight.push(p);
  }

  /** `count` values: prefilled ones first (waiting for them if still being made), then fresh ones. */
  async take(count: number): Promise<bigint[]> {
    while (this.ready.length < count && this.inFlight.length) this.ready.push(...(await this.inFlight.shift()!));
    if (this.ready.length < count) this.ready.push(...(await this.generate(count - this.ready.length)));
    const out = this.ready.slice(0, count);
    this.ready = this.ready.slice(count);
    return out;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.failAll(new Error('randomness pool closed'));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
