/**
 * One peer's receive side: a FIFO of complete messages and a FIFO of waiting `recv` calls.
 *
 * SPMD protocols are deterministic, so the n-th `recv(peer, …)` takes the n-th message the
 * peer sent; the step label and, when given, the size are checked at that moment. Any
 * mismatch, an orderly close with waiters left, or an idle timeout is fatal for the whole
 * session: the inbox reports it through `onFatal`, which aborts the network.
 *
 * Destinations. A recv may bring its own destination (`recvInto`): when it is already waiting
 * as the message's first frame header arrives, `admit` hands the destination to the decoder,
 * which writes the frames straight into it; a message that arrived before its recv is copied
 * into the destination once, at `take`.
 *
 * Admission. Before a message is allocated (at its first frame header) the transport asks
 * `admit(step, total)`. If a `recv` already waits for it, the message must carry that
 * recv's step and, when the protocol gave one, exactly its expected size; otherwise it may
 * be at most `maxMessageBytes`. A message nobody waits for yet is held, with everything else
 * unread in the session, to the session's `ReceiveBudget` (and a recv without a size hint
 * is held to the same budget). Anything else is refused with a typed error naming the peer
 * and step (`ProtocolDesyncError`, `PeerLimitError`) before a byte is allocated, and the
 * session aborts. Each held message also costs MESSAGE_OVERHEAD bytes of budget, so a flood
 * of empty messages is bounded too.
 *
 * The idle timer is one per inbox, armed only while a `recv` waits and re-armed lazily: a
 * message arriving does not touch timers, it only updates `lastActivity`. The timer keeps
 * the process alive only while someone is waiting.
 */
import { MalformedMessageError, PeerDisconnectedError, PeerLimitError, PeerTimeoutError, ProtocolDesyncError, sanitizeReason } from './errors.js';
import type { NetMeter } from './meter.js';

interface Waiter {
  step: string;
  expectedBytes: number | undefined;
  /** Where the message is to be written (recvInto), if the caller gave a destination. */
  into: Uint8Array | undefined;
  since: number;
  resolve(data: Uint8Array): void;
  reject(err: Error): void;
}

interface Message {
  step: string;
  data: Uint8Array;
  /** Budget this message holds until a recv takes it. */
  held: number;
}

/** Bytes of budget each unread message costs on top of its payload (queue entry, object headers). */
export const MESSAGE_OVERHEAD = 64;

/** One session's allowance for data received but not yet taken by a `recv`, shared by its inboxes. */
export class ReceiveBudget {
  used = 0;
  constructor(readonly max: number) {}
  release(bytes: number): void {
    this.used -= bytes;
  }
}

export interface InboxLimits {
  /** Largest message a `recv` with a size hint may take. */
  maxMessageBytes: number;
  /** The session's budget for unread data (also the cap of a message received without a size hint). */
  budget: ReceiveBudget;
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
  /** Budget reserved by `admit` for the message being received (0 if a recv waits for it). */
  private incoming = 0;

  constructor(
    readonly peer: string,
    private readonly idleTimeoutMs: number,
    private readonly meter: NetMeter,
    private readonly onFatal: (err: Error) => void,
    private readonly limits: InboxLimits = { maxMessageBytes: Number.MAX_SAFE_INTEGER, budget: new ReceiveBudget(Number.MAX_SAFE_INTEGER) },
  ) {}

  /**
   * Judges a message of `total` bytes labelled `step` before it is allocated (see the
   * header); throws the error that aborts the session. Must be followed by `deliver`.
   * Returns the destination to decode into when the waiting recv supplied one (recvInto).
   */
  admit(step: string, total: number): Uint8Array | undefined {
    if (this.failed) {
      // Closed or aborted: a late message is read and dropped (its CLOSE may follow), but never a huge one.
      if (total > this.limits.budget.max) throw this.failed;
      return undefined;
    }
    const { budget, maxMessageBytes } = this.limits;
    const w = this.waiters.peek(); // waiters exist only when no message is queued: w waits for this one
    if (w) {
      if (step !== w.step) throw new ProtocolDesyncError(this.peer, w.step, sanitizeReason(step));
      if (w.expectedBytes !== undefined) {
        if (total !== w.expectedBytes) throw new PeerLimitError(this.peer, w.step, 'step-size', `expected ${w.expectedBytes} bytes, got ${total} (announced; nothing allocated)`);
        return w.into;
      }
      if (total > budget.max) throw new PeerLimitError(this.peer, w.step, 'message', `announced a message of ${total} bytes; a message without a size hint may have at most ${budget.max} (maxBufferedBytes)`);
      return undefined;
    }
    const label = sanitizeReason(step); // the peer's label, in our logs
    if (total > maxMessageBytes) throw new PeerLimitError(this.peer, label, 'message', `announced a message of ${total} bytes; the limit is ${maxMessageBytes} (maxMessageBytes)`);
    const cost = total + MESSAGE_OVERHEAD;
    if (budget.used + cost > budget.max) {
      throw new PeerLimitError(this.peer, label, 'buffer', `announced ${total} more bytes while ${budget.used} bytes of this session are still unread; the session holds at most ${budget.max} (maxBufferedBytes)`);
    }
    budget.used += cost;
    this.incoming = cost;
    return undefined;
  }

  /** The step the oldest waiting `recv` is at, if any. */
  get pendingStep(): string | undefined {
    return this.waiters.peek()?.step;
  }

  /** Some bytes (not necessarily a whole message) came from the peer. */
  touch(): void {
    if (this.idleTimeoutMs > 0) this.lastActivity = Date.now();
  }

  /** The next message for a recv at `step`; written into `into` when given (its length is then the expected size). */
  take(step: string, expectedBytes: number | undefined, into?: Uint8Array): Promise<Uint8Array> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.waiters.length === 0 && this.messages.length > 0) {
      const m = this.messages.shift()!;
      this.limits.budget.release(m.held);
      const err = this.check(m, step, expectedBytes);
      if (err) {
        this.onFatal(err);
        return Promise.reject(err);
      }
      if (into) {
        into.set(m.data); // it arrived before the recv: one copy, as without a destination
        return Promise.resolve(into);
      }
      return Promise.resolve(m.data);
    }
    if (this.peerClosed) {
      const err = this.closedError(step);
      this.onFatal(err);
      return Promise.reject(err);
    }
    return new Promise<Uint8Array>((resolve, reject) => {
      this.waiters.push({ step, expectedBytes, into, since: this.idleTimeoutMs > 0 ? Date.now() : 0, resolve, reject });
      this.armTimer();
    });
  }

  deliver(step: string, data: Uint8Array): void {
    if (this.failed) return;
    this.meter.recordReceived(this.peer, data.length);
    this.lastStep = step;
    this.touch();
    const held = this.incoming;
    this.incoming = 0;
    const w = this.waiters.shift();
    if (!w) {
      this.messages.push({ step, data, held });
      return;
    }
    this.limits.budget.release(held); // reserved as unread, but a recv came for it meanwhile
    if (this.waiters.length === 0) this.timer?.unref();
    const err = this.check({ step, data, held: 0 }, w.step, w.expectedBytes);
    if (err) {
      w.reject(err);
      this.onFatal(err);
    } else if (w.into && w.into.buffer !== data.buffer) {
      w.into.set(data); // the message was already arriving when the recv came: one copy, as without a destination
      w.resolve(w.into);
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
    for (const m of this.messages.drain()) this.limits.budget.release(m.held);
    this.limits.budget.release(this.incoming);
    this.incoming = 0;
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
