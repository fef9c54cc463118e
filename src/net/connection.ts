/**
 * One TLS connection to one peer: frames out (with backpressure), frames in (incremental
 * decoding), and the connection's end.
 *
 * Writing. Messages are queued per connection and written frame by frame, in order; a frame
 * is handed to `socket.write` only while fewer than WRITE_HIGH_WATER bytes are still
 * unflushed, otherwise the queue waits for write callbacks (backpressure). A message's
 * `send` promise resolves when the write callback of its last frame fires, i.e. when TLS
 * has encrypted it and the bytes are in the kernel's socket buffer. Small messages
 * (≤ 512 KiB, one frame) are copied behind their header into one buffer (one write, one TLS record
 * train); larger ones are written zero-copy, as views of the caller's buffer, one frame
 * (512 KiB) at a time, so the caller must not modify them before the promise settles. An ABORT jumps the queue: it goes out right after the frame
 * being written, which the receiver's parser allows.
 *
 * Reading. Every chunk goes through the `FrameDecoder` (one copy, into the message's own
 * buffer); the `sink` decides what complete messages and control frames mean, which
 * changes once the HELLO exchange is over.
 */
import type { TLSSocket } from 'node:tls';
import {
  DEFAULT_SEND_FRAME, encodeContHeader, encodeControl, encodeDataHeader, encodeLabel, encodeSmallMessage,
  FrameDecoder, FrameFormatError, SMALL_MESSAGE_BYTES, type ControlType, type FrameSink,
} from './framing.js';

interface MessageJob {
  label: Buffer;
  data: Uint8Array;
  offset: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

export interface ConnectionEvents {
  /** Bytes arrived (any amount). */
  activity(): void;
  /**
   * The decoder refused the stream; `problem` describes it, `step` is the partial message's
   * label, and `error` is the sink's own typed error when the sink refused a message (admit).
   */
  malformed(problem: string, step: string | undefined, error?: Error): void;
  /** The socket is gone (after 'close'); `hadError` if it ended with an error. */
  closed(hadError: boolean): void;
}

/**
 * Bytes written to the socket but not yet flushed to the kernel, above which the queue
 * waits. Write callbacks (not only 'drain', which waits for an empty buffer) refill it, so
 * the next frame is encrypted while earlier ones are still being flushed.
 */
const WRITE_HIGH_WATER = 4 * DEFAULT_SEND_FRAME;

export class Connection {
  readonly decoder: FrameDecoder;
  private readonly queue: MessageJob[] = [];
  private waitingDrain = false;
  /** Bytes handed to socket.write whose write callback has not fired yet. */
  private inFlight = 0;
  private stopped: Error | undefined;
  private isClosed = false;
  private readonly closeWaiters: (() => void)[] = [];
  sink: FrameSink;
  events: ConnectionEvents;

  constructor(readonly socket: TLSSocket, sink: FrameSink, events: ConnectionEvents, maxMessageBytes: number, private readonly frameBytes = DEFAULT_SEND_FRAME) {
    this.sink = sink;
    this.events = events;
    this.decoder = new FrameDecoder({
      admit: (step, total) => this.sink.admit?.(step, total),
      message: (step, data) => this.sink.message(step, data),
      control: (type, payload) => this.sink.control(type, payload),
    }, maxMessageBytes);
    socket.on('data', (chunk: Buffer) => {
      this.events.activity();
      try {
        this.decoder.push(chunk);
      } catch (err) {
        this.events.malformed((err as Error).message, this.decoder.partialStep, err instanceof FrameFormatError ? undefined : (err as Error));
      }
    });
    socket.on('error', () => {}); // 'close' follows and reports
    socket.on('close', (hadError: boolean) => {
      this.isClosed = true;
      this.decoder.stop();
      this.failQueue(this.stopped ?? new Error('connection closed'));
      for (const w of this.closeWaiters.splice(0)) w();
      this.events.closed(hadError);
    });
    socket.on('drain', () => {
      this.waitingDrain = false;
      this.pump();
    });
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Queues a message; resolves once its last frame is in the kernel's socket buffer. */
  send(step: string, data: Uint8Array): Promise<void> {
    if (this.stopped) return Promise.reject(this.stopped);
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ label: encodeLabel(step), data, offset: -1, resolve, reject });
      if (this.queue.length === 1) this.pump();
    });
  }

  /** Writes a control frame after everything queued (CLOSE) — or, with `urgent`, before it (ABORT). */
  sendControl(type: ControlType, payload?: Uint8Array, urgent = false): void {
    if (this.isClosed || this.socket.destroyed) return;
    const frame = encodeControl(type, payload);
    if (urgent || this.queue.length === 0) {
      this.socket.write(frame);
      return;
    }
    // Queued behind data: a zero-length pseudo-message that writes the frame when its turn comes.
    this.queue.push({ label: Buffer.alloc(0), data: frame, offset: -2, resolve: () => {}, reject: () => {} });
  }

  /** Rejects queued sends with `err`, stops writing data; control frames may still be sent. */
  stopSending(err: Error): void {
    if (!this.stopped) this.stopped = err;
    this.failQueue(err);
  }

  /** Half-closes after pending writes; destroys if the peer has not closed within `graceMs`. */
  end(graceMs: number): Promise<void> {
    if (this.isClosed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.socket.destroy(), graceMs);
      this.closeWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
      this.socket.end();
    });
  }

  /** Resolves when the socket has closed (or at once if it has). */
  whenClosed(): Promise<void> {
    if (this.isClosed) return Promise.resolve();
    return new Promise((resolve) => this.closeWaiters.push(resolve));
  }

  destroy(): void {
    this.socket.destroy();
  }

  private failQueue(err: Error): void {
    for (const job of this.queue.splice(0)) job.reject(err);
  }

  private pump(): void {
    const socket = this.socket;
    while (this.queue.length > 0 && !this.waitingDrain) {
      if (this.stopped || socket.destroyed) return;
      const job = this.queue[0]!;
      if (job.offset === -2) { // queued control frame
        this.queue.shift();
        socket.write(job.data);
        continue;
      }
      const total = job.data.length;
      let last = false;
      if (job.offset === -1 && total <= SMALL_MESSAGE_BYTES && total <= this.frameBytes) {
        socket.write(encodeSmallMessage(job.label, job.data), this.writeDone(job));
        this.queue.shift();
        last = true;
      } else {
        const start = Math.max(job.offset, 0);
        const n = Math.min(total - start, this.frameBytes);
        socket.write(job.offset === -1 ? encodeDataHeader(job.label, total, n) : encodeContHeader(n));
        job.offset = start + n;
        last = job.offset === total;
        if (last) this.queue.shift();
        this.inFlight += n;
        const done = last ? this.writeDone(job) : undefined;
        socket.write(job.data.subarray(start, start + n), (err) => {
          this.inFlight -= n;
          done?.(err);
          if (this.waitingDrain && this.inFlight < WRITE_HIGH_WATER) {
            this.waitingDrain = false;
            this.pump();
          }
        });
      }
      if (this.inFlight >= WRITE_HIGH_WATER) {
        this.waitingDrain = true;
        return;
      }
    }
  }

  private writeDone(job: MessageJob): (err?: Error | null) => void {
    return (err) => {
      if (err) job.reject(this.stopped ?? err);
      else job.resolve();
    };
  }
}
