/**
 * What every `Network` implementation shares, so that the TLS and in-memory networks cannot
 * drift apart: argument checks, per-peer inboxes, metering, and the abort state machine.
 *
 * Failure model: the first fatal error (a local `abort`, a peer's ABORT, a disconnect, a
 * timeout, a malformed or desynchronised message) becomes `aborted`; every pending and
 * future `send`/`recv` rejects with it, and the transport tells every reachable peer with
 * an ABORT frame that carries only `abortInfoOf(err)` (names, ids, no data). Every promise
 * handed out is also marked handled, so a caller that drops one cannot crash the process
 * with an unhandled rejection; awaiting it still throws.
 */
import { TacitError, assertInteger } from '../errors.js';
import { NetworkClosedError, SessionAbortedError, type AbortInfo } from './errors.js';
import { MAX_STEP_LABEL_BYTES } from './framing.js';
import { Inbox, ReceiveBudget } from './inbox.js';
import { NetMeter } from './meter.js';
import type { Network, OutgoingMessage } from './types.js';

const noop = () => {};

export interface BaseNetworkOptions {
  /** Fail a `recv` after this long without any byte from its peer (0 = wait forever). */
  idleTimeoutMs: number;
  /** Largest message this party sends or accepts (when the receiving step states its size). */
  maxMessageBytes: number;
  /**
   * Most bytes received from this session's peers that no `recv` has taken yet (also the
   * largest message a `recv` without a size hint accepts). Beyond it the peer is blamed.
   */
  maxBufferedBytes: number;
}

/** Default `maxBufferedBytes`: 1 GiB of unread data per session. */
export const DEFAULT_MAX_BUFFERED_BYTES = 2 ** 30;

export abstract class BaseNetwork implements Network {
  readonly self: string;
  readonly parties: readonly string[];
  readonly meter: NetMeter;
  /** Every party but this one, in session order. */
  readonly peers: readonly string[];
  protected readonly maxMessageBytes: number;
  protected readonly inboxes = new Map<string, Inbox>();
  private abortError: Error | undefined;
  private teardownDone: Promise<void> | undefined;
  private closeDone: Promise<void> | undefined;
  /** Set once `close()` has begun: new sends and recvs are refused. */
  protected closing = false;
  /** The last step label used locally, for error reports. */
  protected lastStep = '(start)';
  /**
   * Per peer, while a streamed message is being gathered by the default `transmitStream`:
   * the messages queued behind it, in order (a slot without `run` is a stream still gathering).
   */
  private readonly lanes = new Map<string, { run: (() => void) | undefined }[]>();

  protected constructor(self: string, parties: readonly string[], options: BaseNetworkOptions) {
    this.self = self;
    this.parties = Object.freeze([...parties]);
    this.peers = Object.freeze(parties.filter((p) => p !== self));
    this.maxMessageBytes = options.maxMessageBytes;
    this.meter = new NetMeter(this.peers);
    assertInteger(options.maxBufferedBytes, 'maxBufferedBytes', 0, Number.MAX_SAFE_INTEGER);
    const limits = { maxMessageBytes: options.maxMessageBytes, budget: new ReceiveBudget(options.maxBufferedBytes) };
    for (const p of this.peers) this.inboxes.set(p, new Inbox(p, options.idleTimeoutMs, this.meter, (err) => this.fail(err), limits));
  }

  get aborted(): Error | undefined {
    return this.abortError;
  }

  send(peer: string, step: string, data: Uint8Array): Promise<void> {
    let p: Promise<void>;
    try {
      this.checkPeer(peer);
      checkStep(step);
      if (!(data instanceof Uint8Array)) throw new TypeError('data must be a Uint8Array');
      if (data.length > this.maxMessageBytes) throw new RangeError(`message of ${data.length} bytes exceeds maxMessageBytes ${this.maxMessageBytes}`);
      this.lastStep = step;
      if (this.abortError) p = Promise.reject(this.abortError);
      else if (this.closing) p = Promise.reject(new NetworkClosedError(this.self));
      else {
        this.meter.recordSent(peer, data.length);
        p = this.inLane(peer, step, data);
      }
    } catch (err) {
      p = Promise.reject(err);
    }
    p.catch(noop);
    return p;
  }

  sendStream(peer: string, step: string, totalBytes: number): OutgoingMessage {
    let out: OutgoingMessage;
    try {
      this.checkPeer(peer);
      checkStep(step);
      assertInteger(totalBytes, 'totalBytes', 0, this.maxMessageBytes);
      this.lastStep = step;
      if (this.abortError) throw this.abortError;
      if (this.closing) throw new NetworkClosedError(this.self);
      this.meter.recordSent(peer, totalBytes);
      out = this.transmitStream(peer, step, totalBytes);
    } catch (err) {
      // Writes are checked and dropped; the failure surfaces through `done` (and the session).
      let pushed = 0;
      out = {
        done: Promise.reject(err),
        write: (chunk) => {
          pushed += chunk.length;
          if (pushed > totalBytes) throw new RangeError(`streamed message is ${totalBytes} bytes; ${pushed} were written`);
        },
      };
    }
    out.done.catch(noop);
    return out;
  }

  recv(peer: string, step: string, expectedBytes?: number): Promise<Uint8Array> {
    return this.take(peer, step, expectedBytes, undefined);
  }

  recvInto(peer: string, step: string, into: Uint8Array): Promise<Uint8Array> {
    if (!(into instanceof Uint8Array)) return rejected(new TypeError('into must be a Uint8Array'));
    return this.take(peer, step, into.length, into);
  }

  private take(peer: string, step: string, expectedBytes: number | undefined, into: Uint8Array | undefined): Promise<Uint8Array> {
    let p: Promise<Uint8Array>;
    try {
      this.checkPeer(peer);
      checkStep(step);
      if (expectedBytes !== undefined) assertInteger(expectedBytes, 'expectedBytes', 0, this.maxMessageBytes);
      this.lastStep = step;
      if (this.abortError) p = Promise.reject(this.abortError);
      else if (this.closing) p = Promise.reject(new NetworkClosedError(this.self));
      else p = this.inboxes.get(peer)!.take(step, expectedBytes, into);
    } catch (err) {
      p = Promise.reject(err);
    }
    p.catch(noop);
    return p;
  }

  abort(reason: Error): Promise<void> {
    const err = reason instanceof Error ? reason : new TacitError('Session aborted', { details: String(reason) });
    if (!this.abortError && this.closeDone) return this.closeDone; // already closed in order: nothing to abort
    this.fail(err);
    return this.teardownDone ?? Promise.resolve();
  }

  close(): Promise<void> {
    if (this.closeDone) return this.closeDone;
    this.closing = true;
    const closed = new NetworkClosedError(this.self);
    for (const inbox of this.inboxes.values()) inbox.fail(closed);
    this.closeDone = this.abortError
      ? this.teardownDone ?? Promise.resolve()
      : this.closeTransport().catch(noop);
    return this.closeDone;
  }

  /** The step to name in an error about `peer`: what we wait for from it, else the last one used. */
  protected stepFor(peer: string): string {
    return this.inboxes.get(peer)?.pendingStep ?? this.lastStep;
  }

  /** Enters the aborted state with `err` (first error wins) and tears the transport down. */
  protected fail(err: Error): void {
    if (this.abortError) return;
    this.abortError = err;
    for (const inbox of this.inboxes.values()) inbox.fail(err);
    this.teardownDone = this.teardown(err).catch(noop);
  }

  /** A peer sent ABORT. */
  protected peerAborted(peer: string, info: AbortInfo): void {
    if (this.abortError) return;
    this.fail(new SessionAbortedError(peer, this.stepFor(peer), info));
  }

  private checkPeer(peer: string): void {
    if (peer === this.self) throw new RangeError(`party '${this.self}' cannot send to or receive from itself`);
    if (!this.inboxes.has(peer)) throw new RangeError(`unknown peer '${String(peer).slice(0, 80)}'`);
  }

  /** Hands `data` (already checked and metered) to the transport. */
  protected abstract transmit(peer: string, step: string, data: Uint8Array): Promise<void>;
  /**
   * Hands a streamed message (already checked and metered) to the transport. By default its
   * chunks are gathered and sent as one message when the last arrives; the TLS network
   * frames each chunk at once instead.
   */
  protected transmitStream(peer: string, step: string, totalBytes: number): OutgoingMessage {
    const all = new Uint8Array(totalBytes);
    let have = 0;
    let settle!: { resolve: () => void; reject: (err: Error) => void };
    const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    // Its place among this peer's messages is taken now; later sends wait behind it.
    const slot: { run: (() => void) | undefined } = { run: undefined };
    const lane = this.lanes.get(peer) ?? [];
    lane.push(slot);
    this.lanes.set(peer, lane);
    const finish = () => {
      slot.run = () => (this.abortError ? settle.reject(this.abortError) : void this.transmit(peer, step, all).then(settle.resolve, settle.reject));
      this.flushLane(peer);
    };
    if (totalBytes === 0) finish();
    return {
      done,
      write: (chunk) => {
        if (have + chunk.length > totalBytes) throw new RangeError(`streamed message '${step}' is ${totalBytes} bytes; ${have + chunk.length} were written`);
        all.set(chunk, have);
        have += chunk.length;
        if (chunk.length > 0 && have === totalBytes) finish();
      },
    };
  }
  /** Transmits now, or behind a streamed message to `peer` that is still being gathered (a copy, then). */
  private inLane(peer: string, step: string, data: Uint8Array): Promise<void> {
    const lane = this.lanes.get(peer);
    if (!lane) return this.transmit(peer, step, data);
    const copy = data.slice();
    return new Promise<void>((resolve, reject) => {
      lane.push({ run: () => (this.abortError ? reject(this.abortError) : void this.transmit(peer, step, copy).then(resolve, reject)) });
    });
  }

  private flushLane(peer: string): void {
    const lane = this.lanes.get(peer);
    if (!lane) return;
    while (lane.length > 0 && lane[0]!.run) {
      lane.shift()!.run!();
    }
    if (lane.length === 0) this.lanes.delete(peer);
  }

  /** Sends ABORT with `abortInfoOf(err)` to every reachable peer and releases the transport. */
  protected abstract teardown(err: Error): Promise<void>;
  /** Flushes, sends CLOSE, waits (bounded) for the peers' CLOSE, releases the transport. */
  protected abstract closeTransport(): Promise<void>;
}

function rejected<T>(err: Error): Promise<T> {
  const p = Promise.reject<T>(err);
  p.catch(noop);
  return p;
}

function checkStep(step: string): void {
  if (typeof step !== 'string' || step.length === 0) throw new TypeError('step must be a non-empty string');
  // A UTF-16 unit is at most 3 UTF-8 bytes: only long labels need measuring.
  if (step.length * 3 > MAX_STEP_LABEL_BYTES && Buffer.byteLength(step, 'utf8') > MAX_STEP_LABEL_BYTES) {
    throw new RangeError(`step label longer than ${MAX_STEP_LABEL_BYTES} UTF-8 bytes`);
  }
}
