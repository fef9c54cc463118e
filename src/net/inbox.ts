/**
 * One peer's receive side: a FIFO of complete messages and a FIFO of waiting `recv` calls.
 *
 * SPMD protocols are deterministic, so the n-th `recv(peer, …)` takes the n-th message the
 * peer sent; the step label and, when given, the size are checked at that moment. Any
 * mismatch, an orderly close with waiters left, or an idle timeout is fatal for the whole
 * session: the inbox reports it through `onFatal`, which aborts the network.
 *
 * The idle timer is one per inbox, armed only while a `recv` waits and re-armed lazily: a
 * message arriving does not touch timers, it only updates `lastActivity`. The timer keeps
 * the process alive only while someone is waiting.
 */
import { MalformedMessageError, PeerDisconnectedError, PeerTimeoutError, ProtocolDesyncError } from './errors.js';
import type { NetMeter } from './meter.js';

interface Waiter {
  step: string;
  expectedBytes: number | undefined;
  since: number;
  resolve(data: Uint8Array): void;
  reject(err: Error): void;
}

interface Message {
  step: string;
  data: Uint8Array;
}

/** A FIFO with O(1) shift. */
class Fifo<T> {
  private items: (T | undefined)[] = [];
  private head = 0;
  get length(): number {
    return this.items.length - this.head;
  }
  push(x: T): void {
    this.items.push(x);
  }
  peek(): T | undefined {
    return this.items[this.head];
  }
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const x = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return x;
  }
  drain(): T[] {
    const rest = this.items.slice(this.head) as T[];
    this.items = [];
    this.head = 0;
    return rest;
  }
}

export class Inbox {
  private readonly messages = new Fifo<Message>();
  private readonly waiters = new Fifo<Waiter>();
  private failed: Error | undefined;
  private peerClosed = false;
  private lastActivity = 0;
  private timer: NodeJS.Timeout | undefined;
  /** The last step label received from this peer, for error reports. */
  lastStep: string | undefined;

  constructor(
    readonly peer: string,
    private readonly idleTimeoutMs: number,
    private readonly meter: NetMeter,
    private readonly onFatal: (err: Error) => void,
  ) {}

  /** The step the oldest waiting `recv` is at, if any. */
  get pendingStep(): string | undefined {
    return this.waiters.peek()?.step;
  }

  /** Some bytes (not necessarily a whole message) came from the peer. */
  touch(): void {
    if (this.idleTimeoutMs > 0) this.lastActivity = Date.now();
  }

  take(step: string, expectedBytes: number | undefined): Promise<Uint8Array> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.waiters.length === 0 && this.messages.length > 0) {
      const m = this.messages.shift()!;
      const err = this.check(m, step, expectedBytes);
      if (err) {
        this.onFatal(err);
        return Promise.reject(err);
      }
      return Promise.resolve(m.data);
    }
    if (this.peerClosed) {
      const err = this.closedError(step);
      this.onFatal(err);
      return Promise.reject(err);
    }
    return new Promise<Uint8Array>((resolve, reject) => {
      this.waiters.push({ step, expectedBytes, since: this.idleTimeoutMs > 0 ? Date.now() : 0, resolve, reject });
      this.armTimer();
    });
  }

  deliver(step: string, data: Uint8Array): void {
    if (this.failed) return;
    this.meter.recordReceived(this.peer, data.length);
    this.lastStep = step;
    this.touch();
    const w = this.waiters.shift();
    if (!w) {
      this.messages.push({ step, data });
      return;
    }
    if (this.waiters.length === 0) this.timer?.unref();
    const err = this.check({ step, data }, w.step, w.expectedBytes);
    if (err) {
      w.reject(err);
      this.onFatal(err);
    } else {
      w.resolve(data);
    }
  }

  /** The peer said it will send nothing more: waiters that are left can never be served. */
  end(): void {
    this.peerClosed = true;
    const w = this.waiters.peek();
    if (w && !this.failed) this.onFatal(this.closedError(w.step));
  }

  /** Rejects every waiting and future `take` with `err` and drops queued messages. */
  fail(err: Error): void {
    if (this.failed) return;
    this.failed = err;
    this.messages.drain();
    for (const w of this.waiters.drain()) w.reject(err);
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private check(m: Message, step: string, expectedBytes: number | undefined): Error | undefined {
    if (m.step !== step) return new ProtocolDesyncError(this.peer, step, m.step);
    if (expectedBytes !== undefined && m.data.length !== expectedBytes) {
      return new MalformedMessageError(this.peer, step, `expected ${expectedBytes} bytes, got ${m.data.length}`);
    }
    return undefined;
  }

  private closedError(step: string): Error {
    return new PeerDisconnectedError(this.peer, step, { details: 'the peer closed the session in an orderly way, but this party still expected a message from it' });
  }

  private armTimer(): void {
    if (this.idleTimeoutMs <= 0) return;
    if (this.timer) {
      this.timer.ref();
      return;
    }
    this.timer = setTimeout(() => this.onTimer(), this.idleTimeoutMs);
  }

  private onTimer(): void {
    this.timer = undefined;
    const w = this.waiters.peek();
    if (!w || this.failed) return;
    const idleSince = Math.max(this.lastActivity, w.since);
    const remaining = idleSince + this.idleTimeoutMs - Date.now();
    if (remaining > 0) {
      this.timer = setTimeout(() => this.onTimer(), remaining);
      return;
    }
    this.onFatal(new PeerTimeoutError(this.peer, w.step, this.idleTimeoutMs, { details: 'no data arrived from the peer while this party waited for a message' }));
  }
}
