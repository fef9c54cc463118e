/**
 * One TLS connection to one peer: frames out (frame-writer.ts: one contiguous write per
 * frame, messages in order, streamed messages), frames in (incremental decoding), and the
 * connection's end.
 *
 * Reading. Every chunk goes through the `FrameDecoder` (one copy, into the message's own
 * buffer or the destination the waiting recv supplied); the `sink` decides what complete
 * messages and control frames mean, which changes once the HELLO exchange is over.
 */
import type { TLSSocket } from 'node:tls';
import { DEFAULT_SEND_FRAME, FrameDecoder, FrameFormatError, type ControlType, type FrameSink } from './framing.js';
import { FrameWriter } from './frame-writer.js';
import type { OutgoingMessage } from './types.js';

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

export class Connection {
  readonly decoder: FrameDecoder;
  private readonly writer: FrameWriter;
  private stopped: Error | undefined;
  private isClosed = false;
  private readonly closeWaiters: (() => void)[] = [];
  sink: FrameSink;
  events: ConnectionEvents;

  constructor(readonly socket: TLSSocket, sink: FrameSink, events: ConnectionEvents, maxMessageBytes: number, frameBytes = DEFAULT_SEND_FRAME) {
    this.sink = sink;
    this.writer = new FrameWriter(socket, frameBytes);
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
      this.writer.stop(this.stopped ?? new Error('connection closed'));
      for (const w of this.closeWaiters.splice(0)) w();
      this.events.closed(hadError);
    });
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Queues a message; resolves once its last frame is in the kernel's socket buffer. */
  send(step: string, data: Uint8Array): Promise<void> {
    if (this.stopped) return Promise.reject(this.stopped);
    return this.writer.send(step, data);
  }

  /** Starts a streamed message of `total` bytes (frame-writer.ts). */
  open(step: string, total: number): OutgoingMessage {
    return this.writer.open(step, total);
  }

  /** Writes a control frame after everything queued (CLOSE) — or, with `urgent`, before it (ABORT). */
  sendControl(type: ControlType, payload?: Uint8Array, urgent = false): void {
    if (this.isClosed || this.socket.destroyed) return;
    this.writer.control(type, payload, urgent);
  }

  /** Rejects queued sends with `err`, stops writing data; control frames may still be sent. */
  stopSending(err: Error): void {
    if (!this.stopped) this.stopped = err;
    this.writer.stop(err);
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
      // Frames still queued in the writer go out first (the timer bounds the wait).
      void this.writer.whenIdle().then(() => this.socket.end());
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
}
