/**
 * The bulk channel: a link's frames over a second, plain TCP connection, each write sealed
 * as one AES-256-GCM record (NIST SP 800-38D) under keys exported from the link's TLS 1.3
 * session (RFC 8446 §7.5, the exporter interface of RFC 5705).
 *
 * Why. node:tls costs about 14 ms of CPU per party to move 8 MB each way on this machine,
 * half of it AES-GCM and half Node's TLS layer (16 KiB records, a fresh Buffer and a 'data'
 * event per record, BIO copies). Here a record is as large as the frame the writer hands
 * over (512 KiB by default), sealed with one cipher call, written with one writev of three
 * buffers (length, ciphertext, tag: no concatenation), and opened with one decipher call, so
 * what remains is the AES-GCM work itself and one copy each way.
 *
 * Record:  [u32 big-endian length L] [L bytes of ciphertext] [16-byte GCM tag]
 *   - the 4 length bytes are the GCM additional data, so a changed length fails the tag;
 *   - nonce (96 bits) = 32 zero bits ‖ a 64-bit big-endian record counter, one counter per
 *     direction starting at 0, implicit (never sent). Each direction has its own key, so a
 *     (key, nonce) pair is never used twice, and a reordered, replayed, dropped or reflected
 *     record (opened with the wrong counter or key) fails its tag;
 *   - L ≤ MAX_RECORD_PLAINTEXT (1 MiB); a longer announced length is refused before anything
 *     is allocated;
 *   - the plaintext of a record is released to the frame decoder only after its tag has
 *     verified (GCM's update() output is held until final() succeeds).
 * Any failure stops the opener for good and throws `RecordIntegrityFailure`; the connection
 * turns it into a ChannelIntegrityError that fails the session (like a malformed frame).
 * A truncated stream leaves a partial record that is never released; the stream's end is the
 * in-band CLOSE frame, so a cut shows as PeerDisconnectedError, as on TLS.
 *
 * Keys: 64 bytes from `exportKeyingMaterial(64, BULK_EXPORTER_LABEL, context)` on the
 * link's TLS socket (both ends derive the same), context = the session id and the dialer's
 * and acceptor's ids, each length-prefixed. The first 32 bytes key dialer → acceptor, the
 * last 32 acceptor → dialer. The exporter secret is derived from the TLS master secret by
 * HKDF under its own label, independent of the traffic keys (docs/security.md).
 */
import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject } from 'node:crypto';
import { createRequire } from 'node:module';
import type net from 'node:net';
import type { TLSSocket } from 'node:tls';

interface NativeAeadGcm {
  seal(key: Uint8Array, counter: number, rec: Uint8Array, len: number): void;
  open(key: Uint8Array, counter: number, rec: Uint8Array, len: number): number;
}

function loadNative(): NativeAeadGcm | undefined {
  if (process.env['TACIT_NET_AEAD'] === 'node') return undefined;
  try {
    return createRequire(import.meta.url)('../../native/aead-gcm.node') as NativeAeadGcm;
  } catch {
    return undefined; // not built here: node:crypto (byte-identical records, one allocation more per record)
  }
}

const nativeAead = loadNative();

/** Which implementation seals and opens records: 'native' (native/aead-gcm.c, in place) or 'node:crypto'. */
export function bulkAeadPath(): 'native' | 'node:crypto' {
  return nativeAead ? 'native' : 'node:crypto';
}

export const BULK_EXPORTER_LABEL = 'EXPORTER-tacit-bulk-v1';
/** Largest plaintext of one record; a writer's larger buffer is cut into several records. */
export const MAX_RECORD_PLAINTEXT = 1024 * 1024;
export const RECORD_HEADER_BYTES = 4;
export const RECORD_TAG_BYTES = 16;
/** A direction's counter stops far below 2^64 (and below 2^53, where a JS number stays exact). */
const MAX_RECORDS = 2 ** 48;

/** The record stream broke (tag, length, or used after a failure); `problem` says how, without data. */
export class RecordIntegrityFailure extends Error {
  override name = 'RecordIntegrityFailure';
}

export interface BulkKeys {
  /** Seals what this side sends. */
  send: Buffer;
  /** Opens what this side receives. */
  receive: Buffer;
}

function lengthPrefixed(parts: string[]): Buffer {
  const bufs = parts.map((p) => Buffer.from(p, 'utf8'));
  const out = Buffer.alloc(bufs.reduce((n, b) => n + 2 + b.length, 0));
  let at = 0;
  for (const b of bufs) {
    out.writeUInt16BE(b.length, at);
    b.copy(out, at + 2);
    at += 2 + b.length;
  }
  return out;
}

/** The two directions' keys of one link, from its TLS session (both ends get the same pair, swapped). */
export function deriveBulkKeys(socket: TLSSocket, sessionId: string, dialer: string, acceptor: string, isDialer: boolean): BulkKeys {
  const material = socket.exportKeyingMaterial(64, BULK_EXPORTER_LABEL, lengthPrefixed([sessionId, dialer, acceptor]));
  const d2a = Buffer.from(material.subarray(0, 32));
  const a2d = Buffer.from(material.subarray(32, 64));
  material.fill(0);
  return isDialer ? { send: d2a, receive: a2d } : { send: a2d, receive: d2a };
}

function nonceOf(counter: number, into: Buffer): Buffer {
  into.writeUInt32BE(0, 0);
  into.writeUInt32BE(Math.floor(counter / 2 ** 32), 4);
  into.writeUInt32BE(counter >>> 0, 8);
  return into;
}

/** Bytes a record adds to its plaintext. */
export const RECORD_OVERHEAD = RECORD_HEADER_BYTES + RECORD_TAG_BYTES;

/** Seals one direction's records in order. */
export class RecordSealer {
  private counter = 0;
  private readonly nonce = Buffer.alloc(12);
  private readonly key: KeyObject;
  private readonly rawKey: Buffer;
  private readonly native: NativeAeadGcm | undefined;

  /** `key` (32 bytes) is copied; the caller may wipe its buffer. `nodeOnly` forces node:crypto (tests). */
  constructor(key: Buffer, nodeOnly = false) {
    this.key = createSecretKey(key);
    this.rawKey = Buffer.from(key);
    this.native = nodeOnly ? undefined : nativeAead;
  }

  /**
   * Seals `plain` (≤ MAX_RECORD_PLAINTEXT bytes) as the next record and returns its bytes: one
   * buffer (native: `plain` copied into `into`, or a new buffer, and sealed there in place) or
   * three (node:crypto: length, ciphertext, tag), to be written in this order.
   */
  seal(plain: Uint8Array, into?: Buffer): Buffer[] {
    if (plain.length > MAX_RECORD_PLAINTEXT) throw new RangeError(`record of ${plain.length} bytes exceeds ${MAX_RECORD_PLAINTEXT}`);
    if (this.counter >= MAX_RECORDS) throw new RangeError('bulk channel record counter exhausted');
    if (this.native) {
      const size = plain.length + RECORD_OVERHEAD;
      const rec = into && into.length >= size ? into : Buffer.allocUnsafeSlow(size);
      rec.set(plain, RECORD_HEADER_BYTES);
      this.native.seal(this.rawKey, this.counter++, rec, plain.length);
      return [rec.subarray(0, size)];
    }
    const header = Buffer.allocUnsafe(RECORD_HEADER_BYTES);
    header.writeUInt32BE(plain.length, 0);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonceOf(this.counter++, this.nonce), { authTagLength: RECORD_TAG_BYTES });
    cipher.setAAD(header);
    const body = cipher.update(plain);
    cipher.final();
    return [header, body, cipher.getAuthTag()];
  }

  /** Native only: seals the `len` plaintext bytes already at rec[4, 4 + len) in place; returns the record. */
  sealInPlace(rec: Buffer, len: number): Buffer {
    if (!this.native) throw new Error('sealInPlace needs the native shim');
    if (len > MAX_RECORD_PLAINTEXT || rec.length < len + RECORD_OVERHEAD) throw new RangeError(`record of ${len} bytes does not fit`);
    if (this.counter >= MAX_RECORDS) throw new RangeError('bulk channel record counter exhausted');
    this.native.seal(this.rawKey, this.counter++, rec, len);
    return rec.subarray(0, len + RECORD_OVERHEAD);
  }

  get inPlace(): boolean {
    return this.native !== undefined;
  }
}

const enum OpenState { Header, Body, Failed }

/**
 * Opens one direction's records from a byte stream cut anywhere; `deliver` gets each
 * record's plaintext once its tag verified. Throws RecordIntegrityFailure on the first bad
 * record and on anything pushed after it.
 */
export class RecordOpener {
  private counter = 0;
  private readonly nonce = Buffer.alloc(12);
  private state = OpenState.Header;
  private readonly header = Buffer.alloc(RECORD_HEADER_BYTES);
  private headerHave = 0;
  /** Bytes of the record body (ciphertext + tag) still expected, and where they go. */
  private bodyLength = 0;
  private bodyHave = 0;
  /** Reassembly buffer of records that span chunks: [4-byte length][ciphertext][tag]. */
  private body: Buffer | undefined;
  private readonly key: KeyObject;
  private readonly rawKey: Buffer;
  private readonly native: NativeAeadGcm | undefined;

  /**
   * `key` (32 bytes) is copied; the caller may wipe its buffer. `deliver` gets a view that is
   * valid only during the call (the native path opens in place, in a reused buffer).
   */
  constructor(key: Buffer, private readonly deliver: (plain: Buffer) => void, nodeOnly = false) {
    this.key = createSecretKey(key);
    this.rawKey = Buffer.from(key);
    this.native = nodeOnly ? undefined : nativeAead;
  }

  push(chunk: Uint8Array): void {
    if (this.state === OpenState.Failed) throw new RecordIntegrityFailure('bytes after a failed record');
    try {
      this.parse(chunk);
    } catch (err) {
      this.state = OpenState.Failed;
      this.body = undefined;
      throw err;
    }
  }

  /** Stops for good (the connection ended); later pushes fail. */
  stop(): void {
    this.state = OpenState.Failed;
    this.body = undefined;
  }

  private parse(chunk: Uint8Array): void {
    const n = chunk.length;
    let pos = 0;
    while (pos < n) {
      if (this.state === OpenState.Header) {
        const take = Math.min(RECORD_HEADER_BYTES - this.headerHave, n - pos);
        this.header.set(chunk.subarray(pos, pos + take), this.headerHave);
        this.headerHave += take;
        pos += take;
        if (this.headerHave < RECORD_HEADER_BYTES) return;
        const length = this.header.readUInt32BE(0);
        if (length > MAX_RECORD_PLAINTEXT) throw new RecordIntegrityFailure(`record length ${length} exceeds the ${MAX_RECORD_PLAINTEXT}-byte limit`);
        this.bodyLength = length + RECORD_TAG_BYTES;
        this.bodyHave = 0;
        this.state = OpenState.Body;
        // The whole record, header included, is in this chunk: open it there, no copy.
        if (take === RECORD_HEADER_BYTES && n - pos >= this.bodyLength) {
          this.open(chunk.subarray(pos - RECORD_HEADER_BYTES, pos + this.bodyLength));
          pos += this.bodyLength;
        }
        continue;
      }
      const body = (this.body ??= Buffer.allocUnsafeSlow(RECORD_HEADER_BYTES + MAX_RECORD_PLAINTEXT + RECORD_TAG_BYTES));
      if (this.bodyHave === 0) body.set(this.header, 0);
      const take = Math.min(this.bodyLength - this.bodyHave, n - pos);
      body.set(chunk.subarray(pos, pos + take), RECORD_HEADER_BYTES + this.bodyHave);
      this.bodyHave += take;
      pos += take;
      if (this.bodyHave === this.bodyLength) this.open(body.subarray(0, RECORD_HEADER_BYTES + this.bodyLength));
    }
  }

  /** Opens `whole` = [length][ciphertext][tag] (writable: the native path decrypts in place). */
  private open(whole: Uint8Array): void {
    const length = whole.length - RECORD_OVERHEAD;
    const counter = this.counter++;
    if (this.native) {
      if (this.native.open(this.rawKey, counter, whole, length) !== 1) throw this.failure(counter);
      this.headerHave = 0;
      this.state = OpenState.Header;
      this.deliver(Buffer.from(whole.buffer, whole.byteOffset + RECORD_HEADER_BYTES, length));
      return;
    }
    const record = whole.subarray(RECORD_HEADER_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.key, nonceOf(counter, this.nonce), { authTagLength: RECORD_TAG_BYTES });
    decipher.setAAD(this.header);
    decipher.setAuthTag(record.subarray(length));
    const plain = decipher.update(record.subarray(0, length));
    try {
      decipher.final();
    } catch {
      throw this.failure(counter);
    }
    this.headerHave = 0;
    this.state = OpenState.Header;
    this.deliver(plain);
  }

  private failure(counter: number): RecordIntegrityFailure {
    return new RecordIntegrityFailure(`record ${counter} failed authentication (altered, reordered, replayed, dropped or not sealed for this direction)`);
  }
}

/**
 * The writable side a FrameWriter needs (connection.ts): a TLS socket, or a bulk channel.
 * `write` must take the bytes in order and call `cb` once they are handed to the kernel.
 */
export interface FrameOutput {
  readonly destroyed: boolean;
  write(buf: Buffer, cb?: (err?: Error | null) => void): boolean;
  /**
   * Optionally, a buffer of `bytes` to build the next frame in, to be passed to `write` at
   * once (the bulk channel lends the plaintext area of a pooled record and seals it in place).
   */
  frameBuffer?(bytes: number): Buffer | undefined;
}

/**
 * Calls a write's callback after the event loop's next I/O poll. A plain TCP write that the
 * kernel takes at once completes synchronously and its callback runs on the next tick, so a
 * writer that writes its next frame from the callback would go on writing a whole message
 * without ever reading the socket — and if the peer is gone meanwhile, the write's error
 * destroys the socket with the peer's last frames (its CLOSE, its ABORT, or the data that
 * names the step it died in) still unread in the kernel. One poll per frame costs nothing
 * measurable at 512 KiB frames.
 */
function yieldThen(cb: ((err?: Error | null) => void) | undefined, err: Error | null | undefined): void {
  if (cb) setImmediate(cb, err);
}

/** Record buffers kept for reuse per channel (a writer has up to MAX_LENT_IN_FLIGHT frames in flight, plus an urgent ABORT). */
const POOL_SIZE = 9;
/** Records smaller than this get a buffer of their own size instead of a pooled 1 MiB one. */
const POOLED_MIN = 64 * 1024;

/** A plain TCP socket whose writes are sealed records and whose reads are opened ones. */
export class BulkChannel implements FrameOutput {
  private readonly sealer: RecordSealer;
  private readonly opener: RecordOpener;
  /** Free record buffers (native path), each RECORD_OVERHEAD + MAX_RECORD_PLAINTEXT bytes. */
  private readonly pool: Buffer[] = [];
  /** The record whose plaintext area `frameBuffer` lent out, until `write` seals it. */
  private lent: Buffer | undefined;

  constructor(readonly socket: net.Socket, keys: BulkKeys, private readonly onPlain: (plain: Buffer) => void) {
    this.sealer = new RecordSealer(keys.send);
    this.opener = new RecordOpener(keys.receive, (plain) => this.onPlain(plain));
    keys.send.fill(0); // the sealer and opener hold their own copies
    keys.receive.fill(0);
  }

  get destroyed(): boolean {
    return this.socket.destroyed;
  }

  /**
   * Seals `buf` (as one record, or several if it is longer than a record) and writes each
   * record at once, synchronously, so records leave in counter order even when an urgent
   * ABORT is written while a frame is in flight. Native: sealed in a pooled buffer, returned
   * to the pool by the write's callback; node:crypto: one writev of length, ciphertext, tag.
   */
  frameBuffer(bytes: number): Buffer | undefined {
    if (!this.sealer.inPlace || bytes > MAX_RECORD_PLAINTEXT) return undefined;
    const rec = (this.lent ??= this.pool.pop() ?? Buffer.allocUnsafeSlow(RECORD_OVERHEAD + MAX_RECORD_PLAINTEXT));
    return rec.subarray(RECORD_HEADER_BYTES, RECORD_HEADER_BYTES + bytes);
  }

  write(buf: Buffer, cb?: (err?: Error | null) => void): boolean {
    const rec = this.lent;
    if (rec && buf.buffer === rec.buffer && buf.byteOffset === rec.byteOffset + RECORD_HEADER_BYTES) {
      // Built in a lent record: seal it where it is (no copy) and recycle it after the write.
      this.lent = undefined;
      return this.socket.write(this.sealer.sealInPlace(rec, buf.length), (err) => {
        if (this.pool.length < POOL_SIZE) this.pool.push(rec);
        yieldThen(cb, err);
      });
    }
    let ok = true;
    let at = 0;
    do {
      const end = Math.min(buf.length, at + MAX_RECORD_PLAINTEXT);
      const last = end === buf.length;
      const n = end - at;
      const pooled = this.sealer.inPlace && n >= POOLED_MIN ? (this.pool.pop() ?? Buffer.allocUnsafeSlow(RECORD_OVERHEAD + MAX_RECORD_PLAINTEXT)) : undefined;
      const parts = this.sealer.seal(buf.subarray(at, end), pooled);
      const done = pooled
        ? (err?: Error | null) => {
          if (this.pool.length < POOL_SIZE) this.pool.push(pooled);
          if (last) yieldThen(cb, err);
        }
        : last && cb ? (err?: Error | null) => yieldThen(cb, err) : undefined;
      if (parts.length === 1) ok = this.socket.write(parts[0]!, done);
      else {
        this.socket.cork();
        for (let i = 0; i < parts.length - 1; i++) this.socket.write(parts[i]!);
        ok = this.socket.write(parts[parts.length - 1]!, done);
        this.socket.uncork();
      }
      at = end;
    } while (at < buf.length);
    return ok;
  }

  /** Opens received bytes; throws RecordIntegrityFailure on a bad record. */
  receive(chunk: Uint8Array): void {
    this.opener.push(chunk);
  }

  stop(): void {
    this.opener.stop();
  }
}
