/**
 * The sending half of one link (its TLS socket, or its bulk channel: bulk-channel.ts): a FIFO of messages cut into frames (framing.ts),
 * each frame written as ONE contiguous buffer, one write at a time.
 *
 * Why this shape (measured on loopback, three processes on two cores):
 *  - node's TLSWrap encrypts a write synchronously with one SSL_write, but when a stream
 *    hands it several buffers at once (writev, which node's Writable does whenever more
 *    than one write is queued, cork included) it first allocates a zero-filled vector and
 *    copies them all into it. Writing a header and its payload as two buffers therefore cost
 *    an allocation, a memset and a memcpy of every byte. Here each frame is built in a
 *    reusable frame buffer (header, then the payload copied behind it) and written alone:
 *    no allocation per frame, one copy from a cache-warm source, no writev.
 *    Avoiding even that copy — the header written alone, the payload from the caller's
 *    buffer once the header's write callback fired — measured worse (8 MB rings of three
 *    processes, 19:56 UTC, load ~6: 25–26 ms CPU and 73–78 ms per repetition against
 *    18–23 ms and 52–60 ms): the tiny write and the wait for its callback cost more than the
 *    memcpy.
 *  - On TLS the next frame is built when the previous write's callback fires (the ciphertext
 *    is then in the kernel's socket buffer), so the one frame buffer is free again and the
 *    stream never queues a second write. The kernel's buffer keeps the wire busy meanwhile.
 *  - On the bulk channel every frame gets a record buffer of its own, so up to
 *    MAX_LENT_IN_FLIGHT frames (4 MiB) are written at once, at `send`. Otherwise a message of
 *    several frames left one frame per turn of the sender's event loop (a write's callback
 *    waits for the next I/O poll, bulk-channel.ts `yieldThen`), i.e. only while the sender
 *    awaited something: a protocol that sends and then computes for milliseconds (the OT
 *    triples: a 1 MB answer, then the next chunk's expansion) held its peer waiting for the
 *    rest of the message until both sides were waiting. Measured on the triples (two
 *    processes, 10^6): a 1 MB answer reached the peer 5–23 ms after it was sent, with the
 *    peer idle for most of that.
 *  - A message may be streamed (`open`): its DATA header announces the total length, and
 *    its bytes are framed as the producer pushes them, so a protocol can compute a round's
 *    message in chunks and have the first chunks encrypted and on the wire (and being
 *    decrypted by the peer) while it computes the rest. It is still ONE message (one recv,
 *    one step label, size checked at the first header), so "one message per peer per round"
 *    holds on the wire and at the receiver.
 *
 * On the bulk channel the frame is built inside a pooled record buffer the channel lends
 * (`FrameOutput.frameBuffer`) and sealed there in place, so each payload byte is still
 * copied exactly once on the way out.
 *
 * Copies and ownership: a message is copied when it is framed. A `send` of at most
 * SMALL_COPY_BYTES that cannot be framed at once is copied at `send` time, so small sends
 * never hold the caller's buffer; larger sends and streamed chunks are held (zero-copy)
 * until framed, so the caller must not modify them before the promise settles.
 *
 * An urgent control frame (ABORT) bypasses the queue: it is written at once, and the
 * receiver's parser allows it between the frames of a message.
 */
import type { OutgoingMessage } from './types.js';
import type { FrameOutput } from './bulk-channel.js';
import { encodeControl, encodeLabel, MAX_HEADER_BYTES, writeFrameHeader, type ControlType } from './framing.js';

/** Sends up to this size that must wait are copied at once (the caller may reuse them). */
export const SMALL_COPY_BYTES = 512 * 1024;

/** Frames in flight at once when the output lends each its own buffer (the bulk channel's records). */
export const MAX_LENT_IN_FLIGHT = 8;

interface Job {
  /** The step label until the DATA frame is out; undefined afterwards. */
  label: Buffer | undefined;
  total: number;
  /** Payload bytes already framed. */
  framed: number;
  /** Payload pushed but not framed yet; the first part may be partly framed (`partOffset`). */
  parts: Uint8Array[];
  partOffset: number;
  available: number;
  /** A control frame queued behind data (CLOSE), written as is. */
  control: Buffer | undefined;
  resolve(): void;
  reject(err: Error): void;
}


export class FrameWriter {
  private readonly queue: Job[] = [];
  private head = 0;
  /** Writes issued whose callbacks have not fired; at most one when the shared `frame` is in use. */
  private inFlight = 0;
  private sharedInFlight = false;
  private stopped: Error | undefined;
  /** The reusable frame buffer (header + payload) of an output that lends none; free whenever `sharedInFlight` is false. */
  private frame: Buffer | undefined;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly socket: FrameOutput, private readonly frameBytes: number) {}

  /** Queues a whole message; resolves once its last frame is in the kernel's socket buffer. */
  send(step: string, data: Uint8Array): Promise<void> {
    if (this.stopped) return Promise.reject(this.stopped);
    const label = encodeLabel(step);
    return new Promise<void>((resolve, reject) => {
      const job = this.job(label, data.length, resolve, reject);
      job.parts.push(data);
      job.available = data.length;
      this.enqueue(job);
      // Not framed at once (a write is under way, or others are queued): keep a small
      // message's bytes now, so the caller may reuse its buffer as soon as send returns.
      if (job.framed < job.total && job.total <= SMALL_COPY_BYTES) {
        job.parts[0] = Uint8Array.prototype.slice.call(data.subarray(job.partOffset)) as Uint8Array;
        job.partOffset = 0;
      }
    });
  }

  /** Starts a streamed message of `total` bytes (see the header). */
  open(step: string, total: number): OutgoingMessage {
    const label = encodeLabel(step);
    let job: Job | undefined;
    const done = new Promise<void>((resolve, reject) => {
      job = this.job(label, total, resolve, reject);
    });
    const j = job!;
    let pushed = 0;
    if (this.stopped) j.reject(this.stopped);
    else this.enqueue(j);
    return {
      done,
      write: (chunk: Uint8Array) => {
        if (pushed + chunk.length > total) throw new RangeError(`streamed message '${label.toString()}' is ${total} bytes; ${pushed + chunk.length} were written`);
        pushed += chunk.length;
        if (this.stopped || chunk.length === 0) return;
        j.parts.push(chunk);
        j.available += chunk.length;
        this.pump();
      },
    };
  }

  /** Writes a control frame after everything queued (CLOSE) — or, with `urgent`, at once (ABORT). */
  control(type: ControlType, payload?: Uint8Array, urgent = false): void {
    if (this.socket.destroyed) return;
    const frame = encodeControl(type, payload);
    if (urgent) {
      this.socket.write(frame);
      return;
    }
    const job = this.job(undefined, 0, () => {}, () => {});
    job.control = frame;
    this.enqueue(job);
  }

  /** Rejects every queued message with `err` and stops writing data (urgent control frames still go out). */
  stop(err: Error): void {
    this.stopped ??= err;
    const jobs = this.queue.splice(this.head);
    this.queue.length = 0;
    this.head = 0;
    for (const job of jobs) job.reject(err);
    this.wakeIdle();
  }

  private wakeIdle(): void {
    if (this.idleWaiters.length > 0 && this.idle) for (const w of this.idleWaiters.splice(0)) w();
  }

  /** Resolves once nothing is queued or being written (or writing has stopped). */
  whenIdle(): Promise<void> {
    if (this.idle) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private get idle(): boolean {
    return this.stopped !== undefined || this.socket.destroyed || (this.inFlight === 0 && this.head === this.queue.length);
  }

  private job(label: Buffer | undefined, total: number, resolve: () => void, reject: (err: Error) => void): Job {
    return { label, total, framed: 0, parts: [], partOffset: 0, available: 0, control: undefined, resolve, reject };
  }

  private enqueue(job: Job): void {
    this.queue.push(job);
    this.pump();
  }

  /** Writes frames while the head message has bytes ready and the output can take another write. */
  private pump(): void {
    while (!this.stopped && !this.socket.destroyed && this.inFlight < MAX_LENT_IN_FLIGHT && !this.sharedInFlight) {
      const job = this.queue[this.head];
      if (!job) return;
      if (job.control) {
        this.shift();
        this.issue(job.control, false, () => {});
        continue;
      }
      const first = job.label !== undefined;
      if (job.available === 0 && !(first && job.total === 0)) return; // the producer has not pushed more yet
      const n = Math.min(job.available, this.frameBytes);
      // The output may lend the buffer (the bulk channel: a record sealed in place); else our own,
      // which only one write may hold at a time.
      const lent = this.socket.frameBuffer?.(MAX_HEADER_BYTES + this.frameBytes);
      if (!lent && this.inFlight > 0) return;
      const frame = lent ?? (this.frame ??= Buffer.allocUnsafeSlow(MAX_HEADER_BYTES + this.frameBytes));
      let at = writeFrameHeader(frame, job.label, job.total, n);
      job.label = undefined;
      for (let left = n; left > 0;) {
        const part = job.parts[0]!;
        const take = Math.min(left, part.length - job.partOffset);
        frame.set(take === part.length ? part : part.subarray(job.partOffset, job.partOffset + take), at);
        at += take;
        left -= take;
        job.partOffset += take;
        if (job.partOffset === part.length) {
          job.parts.shift();
          job.partOffset = 0;
        }
      }
      job.available -= n;
      job.framed += n;
      const last = job.framed === job.total;
      if (last) this.shift();
      this.issue(frame.subarray(0, at), !lent, last ? (err) => (err ? job.reject(this.stopped ?? err) : job.resolve()) : (err) => err && job.reject(this.stopped ?? err));
    }
  }

  private issue(buf: Buffer, shared: boolean, done: (err: Error | null | undefined) => void): void {
    this.inFlight++;
    this.sharedInFlight = shared;
    this.socket.write(buf, (err) => {
      this.inFlight--;
      if (shared) this.sharedInFlight = false;
      done(err);
      this.pump();
      this.wakeIdle();
    });
  }

  private shift(): void {
    this.queue[this.head++] = undefined as unknown as Job;
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head > 1024) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }
}
