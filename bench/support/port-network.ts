/**
 * A `Network` over worker_threads MessagePorts, for benchmarks that run each party in its
 * own thread (and so on its own core) inside one process. Same contract as the TLS network:
 * FIFO per peer, step labels checked on receipt, sizes checked when asked, an abort that
 * reaches every peer. Each message is copied once into a fresh buffer that is transferred
 * (not cloned) to the receiving thread.
 */
import type { MessagePort } from 'node:worker_threads';
import type { Meter, Network } from '../../src/net/types.js';

interface Msg {
  step: string;
  data: Uint8Array;
}
type Wire = { kind: 'msg'; step: string; data: Uint8Array } | { kind: 'abort'; reason: string };

class PortMeter implements Meter {
  readonly sentTo = new Map<string, number>();
  readonly receivedFrom = new Map<string, number>();
  #messages = 0;
  bytesSent(): number {
    let s = 0;
    for (const v of this.sentTo.values()) s += v;
    return s;
  }
  bytesReceived(): number {
    let s = 0;
    for (const v of this.receivedFrom.values()) s += v;
    return s;
  }
  messagesSent(): number {
    return this.#messages;
  }
  sent(peer: string, n: number): void {
    this.sentTo.set(peer, (this.sentTo.get(peer) ?? 0) + n);
    this.#messages++;
  }
  received(peer: string, n: number): void {
    this.receivedFrom.set(peer, (this.receivedFrom.get(peer) ?? 0) + n);
  }
}

export class PortNetwork implements Network {
  readonly self: string;
  readonly parties: readonly string[];
  readonly meter = new PortMeter();
  aborted: Error | undefined;
  readonly #ports: Map<string, MessagePort>;
  readonly #queues = new Map<string, Msg[]>();
  readonly #waiters = new Map<string, { step: string; expected: number | undefined; resolve: (d: Uint8Array) => void; reject: (e: Error) => void }[]>();

  /** `ports` maps every other party to the port whose other end that party holds. */
  constructor(self: string, parties: readonly string[], ports: Map<string, MessagePort>) {
    this.self = self;
    this.parties = parties;
    this.#ports = ports;
    for (const [peer, port] of ports) {
      this.#queues.set(peer, []);
      this.#waiters.set(peer, []);
      port.on('message', (w: Wire) => this.#onWire(peer, w));
    }
  }

  #onWire(peer: string, w: Wire): void {
    if (w.kind === 'abort') {
      this.#fail(new Error(`session aborted by '${peer}': ${w.reason}`));
      return;
    }
    this.meter.received(peer, w.data.length);
    const waiting = this.#waiters.get(peer)!.shift();
    if (waiting) this.#deliver(peer, waiting, w);
    else this.#queues.get(peer)!.push(w);
  }

  #deliver(peer: string, w: { step: string; expected: number | undefined; resolve: (d: Uint8Array) => void; reject: (e: Error) => void }, m: Msg): void {
    if (m.step !== w.step) w.reject(new Error(`protocol desync with '${peer}': expected step '${w.step}', got '${m.step}'`));
    else if (w.expected !== undefined && m.data.length !== w.expected) w.reject(new Error(`message from '${peer}' at '${w.step}' has ${m.data.length} bytes, expected ${w.expected}`));
    else w.resolve(m.data);
  }

  #fail(err: Error): void {
    if (this.aborted) return;
    this.aborted = err;
    for (const ws of this.#waiters.values()) for (const w of ws.splice(0)) w.reject(err);
  }

  send(peer: string, step: string, data: Uint8Array): Promise<void> {
    if (this.aborted) return Promise.reject(this.aborted);
    const port = this.#ports.get(peer);
    if (!port) return Promise.reject(new RangeError(`unknown peer '${peer}'`));
    const copy = new Uint8Array(data.length);
    copy.set(data);
    this.meter.sent(peer, data.length);
    port.postMessage({ kind: 'msg', step, data: copy } satisfies Wire, [copy.buffer]);
    return Promise.resolve();
  }

  recv(peer: string, step: string, expectedBytes?: number): Promise<Uint8Array> {
    if (this.aborted) return Promise.reject(this.aborted);
    const q = this.#queues.get(peer);
    if (!q) return Promise.reject(new RangeError(`unknown peer '${peer}'`));
    return new Promise((resolve, reject) => {
      const w = { step, expected: expectedBytes, resolve, reject };
      const m = q.shift();
      if (m) this.#deliver(peer, w, m);
      else this.#waiters.get(peer)!.push(w);
    });
  }

  async abort(reason: Error): Promise<void> {
    if (this.aborted) return;
    for (const port of this.#ports.values()) port.postMessage({ kind: 'abort', reason: reason.name } satisfies Wire);
    this.#fail(reason);
  }

  async close(): Promise<void> {
    for (const port of this.#ports.values()) port.close();
  }
}
