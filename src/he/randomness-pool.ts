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
import type { PaillierPrivateKey, PaillierPublicKey } from './keys.js';
import type { FixedBaseMethod } from './obfuscator.js';

interface Pending {
  resolve: (v: Uint8Array) => void;
  reject: (e: Error) => void;
}

export class RandomnessPool {
  private readonly workers: Worker[];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private nextWorker = 0;
  private ready: Uint8Array[] = [];
  private readyCount = 0;
  private inFlight: Promise<Uint8Array>[] = [];
  private closed = false;

  constructor(
    readonly key: PaillierPublicKey,
    /** `privateKey`: the key holder's own pool makes ρ by CRT (its workers are threads of this process). */
    opts: { workers?: number; method?: FixedBaseMethod; privateKey?: PaillierPrivateKey } = {},
  ) {
    const count = Math.max(1, opts.workers ?? availableParallelism());
    const url = new URL('./randomness-worker.js', import.meta.url);
    this.workers = Array.from({ length: count }, () => {
      const w = new Worker(url, { workerData: { key: key.toJSON(), method: opts.method ?? 'auto', ...(opts.privateKey ? { privateKey: opts.privateKey.toJSON() } : {}) } });
      w.unref();
      w.on('message', (msg: { id: number; bytes: Uint8Array }) => {
        const p = this.pending.get(msg.id);
        if (!p) return;
        this.pending.delete(msg.id);
        p.resolve(msg.bytes);
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
  async generate(count: number): Promise<bigint[]> {
    return this.toBigInts(await this.generateBytes(count));
  }

  private toBigInts(b: Uint8Array): bigint[] {
    const w = this.key.cipherBytes;
    return Array.from({ length: b.length / w }, (_, i) => fromBytes(b.subarray(i * w, (i + 1) * w)));
  }

  /** `count` fresh values as fixed-width bytes, split across the workers. */
  generateBytes(count: number): Promise<Uint8Array> {
    if (this.closed) return Promise.reject(new Error('randomness pool is closed'));
    if (count <= 0) return Promise.resolve(new Uint8Array(0));
    const per = Math.ceil(count / this.workers.length);
    const parts: Promise<Uint8Array>[] = [];
    for (let done = 0; done < count; done += per) {
      const n = Math.min(per, count - done);
      const id = this.nextId++;
      const w = this.workers[this.nextWorker++ % this.workers.length]!;
      w.ref();
      parts.push(
        new Promise<Uint8Array>((resolve, reject) => this.pending.set(id, { resolve, reject })).finally(() => {
          if (this.pending.size === 0) for (const x of this.workers) x.unref();
        }),
      );
      w.postMessage({ id, count: n });
    }
    return Promise.all(parts).then((xs) => (xs.length === 1 ? xs[0]! : Buffer.concat(xs)));
  }

  /** Starts making `count` values in the background for a later `take`. */
  prefill(count: number): void {
    const p = this.generateBytes(count);
    p.catch(() => undefined);
    this.inFlight.push(p);
  }

  /** `count` values: prefilled ones first (waiting for them if still being made), then fresh ones. */
  async take(count: number): Promise<bigint[]> {
    return this.toBigInts(await this.takeBytes(count));
  }

  /** As `take`, as `count` fixed-width byte strings end to end. */
  async takeBytes(count: number): Promise<Uint8Array> {
    const w = this.key.cipherBytes;
    while (this.readyCount < count && this.inFlight.length) {
      const b = await this.inFlight.shift()!;
      this.ready.push(b);
      this.readyCount += b.length / w;
    }
    if (this.readyCount < count) {
      const b = await this.generateBytes(count - this.readyCount);
      this.ready.push(b);
      this.readyCount += b.length / w;
    }
    const all = this.ready.length === 1 ? this.ready[0]! : Buffer.concat(this.ready);
    const out = all.slice(0, count * w);
    const rest = all.subarray(count * w);
    this.ready = rest.length ? [rest] : [];
    this.readyCount -= count;
    return out;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.failAll(new Error('randomness pool closed'));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
