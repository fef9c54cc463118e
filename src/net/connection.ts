/**
 * One link to one peer: frames out (frame-writer.ts: one contiguous write per frame,
 * messages in order, streamed messages), frames in (incremental decoding), and the link's end.
 *
 * Reading. Every chunk goes through the `FrameDecoder` (one copy, into the message's own
 * buffer or the destination the waiting recv supplied); the `sink` decides what complete
 * messages and control frames mean, which changes once the HELLO exchange is over.
 *
 * Channels. A link starts on its TLS socket (handshake, HELLO, the SWITCH decision) and may
 * then move every frame, data and control alike, to its bulk channel (bulk-channel.ts) with
 * `useBulk`: from then on nothing is written to TLS, and bytes arriving on TLS are a
 * violation. Either socket closing is the link closing: the bulk socket's close at once, the
 * TLS socket's after BULK_CLOSE_GRACE_MS (the peer ends both at once, and the bulk socket may
 * still hold its last frames, CLOSE included, when TLS's FIN is read).
 */
import type net from 'node:net';
import type { TLSSocket } from 'node:tls';
import { DEFAULT_SEND_FRAME, FrameDecoder, FrameFormatError, type ControlType, type FrameSink } from './framing.js';
import { FrameWriter } from './frame-writer.js';
import { BulkChannel, RecordIntegrityFailure, type BulkKeys, type FrameOutput } from './bulk-channel.js';
import type { OutgoingMessage } from './types.js';

/** After the TLS socket of a bulk link closed, how long its bulk socket may still deliver. */
export const BULK_CLOSE_GRACE_MS = 1000;

export interface ConnectionEvents {
  /** Bytes arrived (any amount). */
  activity(): void;
  /**
   * The decoder refused the stream; `problem` describes it, `step` is the partial message's
   * label, and `error` is the sink's own typed error when the sink refused a message (admit).
   */
  malformed(problem: string, step: string | undefined, error?: Error): void;
  /** A bulk-channel record failed its integrity check (bulk-channel.ts); `step` as for malformed. */
  tampered?(problem: string, step: string | undefined): void;
  /** The socket is gone (after 'close'); `hadError` if it ended with an error. */
  closed(hadError: boolean): void;
}

export class Connection {
  readonly decoder: FrameDecoder;
  private writer: FrameWriter;
  private bulk: BulkChannel | undefined;
  private tlsClosed = false;
  private stopped: Error | undefined;
  private isClosed = false;
  private readonly closeWaiters: (() => void)[] = [];
  sink: FrameSink;
  events: ConnectionEvents;

  constructor(readonly socket: TLSSocket, sink: FrameSink, events: ConnectionEvents, maxMessageBytes: number, private readonly frameBytes = DEFAULT_SEND_FRAME) {
    this.sink = sink;
    this.writer = new FrameWriter(socket, frameBytes);
    this.events = events;
    this.decoder = new FrameDecoder({
      admit: (step, total) => this.sink.admit?.(step, total),
      message: (step, data) => this.sink.message(step, data),
      control: (type, payload) => this.sink.control(type, payload),
    }, maxMessageBytes);
    socket.on('data', (chunk: Buffer) => {
      if (this.bulk) {
        if (!this.isClosed) this.events.malformed('data on the TLS connection after the switch to the bulk channel', this.decoder.partialStep);
        return;
      }
      this.events.activity();
      this.decode(chunk);
    });
    socket.on('error', () => {}); // 'close' follows and reports
    socket.on('close', (hadError: boolean) => {
      this.tlsClosed = true;
      if (!this.bulk) return this.onClosed(hadError);
      // The bulk socket may still hold the peer's last frames: give it a moment, then drop it.
      setTimeout(() => this.bulk?.socket.destroy(), BULK_CLOSE_GRACE_MS).unref();
    });
  }

  private decode(chunk: Uint8Array): void {
    try {
      this.decoder.push(chunk);
    } catch (err) {
      this.events.malformed((err as Error).message, this.decoder.partialStep, err instanceof FrameFormatError ? undefined : (err as Error));
    }
  }

  private onClosed(hadError: boolean): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.decoder.stop();
    this.bulk?.stop();
    this.writer.stop(this.stopped ?? new Error('connection closed'));
    for (const w of this.closeWaiters.splice(0)) w();
    this.events.closed(hadError);
  }

  /** Where this link's frame bytes are written now: the bulk channel once switched, else the TLS socket. */
  get output(): FrameOutput {
    return this.bulk ?? this.socket;
  }

  /** 'bulk' once frames travel on the bulk channel, else 'tls'. */
  get channel(): 'bulk' | 'tls' {
    return this.bulk ? 'bulk' : 'tls';
  }

  /**
   * Moves the link to its bulk channel on `socket` (connected, paused, nothing read from it
   * but the routing token): every later frame goes out sealed on it, and only its opened
   * records are decoded. Call once, with nothing queued on TLS but the SWITCH frame.
   */
  useBulk(socket: net.Socket, keys: BulkKeys): void {
    const bulk = new BulkChannel(socket, keys, (plain) => this.decode(plain));
    this.bulk = bulk;
    this.writer = new FrameWriter(bulk, this.frameBytes);
    socket.setNoDelay(true);
    socket.on('error', () => {}); // 'close' follows and reports
    socket.on('data', (chunk: Buffer) => {
      if (this.isClosed) return;
      this.events.activity();
      try {
        bulk.receive(chunk);
      } catch (err) {
        if (!(err instanceof RecordIntegrityFailure)) throw err;
        this.decoder.stop();
        if (this.events.tampered) this.events.tampered(err.message, this.decoder.partialStep);
        else this.events.malformed(err.message, this.decoder.partialStep);
      }
    });
    socket.on('close', (hadError: boolean) => {
      this.socket.destroy();
      this.onClosed(hadError);
    });
    if (this.tlsClosed || this.socket.destroyed) socket.destroy();
    socket.resume();
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
    if (this.isClosed || (this.bulk ?? this.socket).destroyed) return;
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
      const timer = setTimeout(() => this.destroy(), graceMs);
      this.closeWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
      // Frames still queued in the writer go out first (the timer bounds the wait).
      void this.writer.whenIdle().then(() => {
        this.bulk?.socket.end();
        this.socket.end();
      });
    });
  }

  /** Resolves when the socket has closed (or at once if it has). */
  whenClosed(): Promise<void> {
    if (this.isClosed) return Promise.resolve();
    return new Promise((resolve) => this.closeWaiters.push(resolve));
  }

  destroy(): void {
    this.bulk?.socket.destroy();
    this.socket.destroy();
  }
}
