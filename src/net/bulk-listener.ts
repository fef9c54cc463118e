/**
 * Where bulk channels (bulk-channel.ts) arrive: one plain TCP listener per endpoint, per
 * SessionMux, or per session on a caller's net.Server, routing each connection by the
 * 32-byte token its dialer sends first.
 *
 * An acceptor that offers a bulk channel draws a random token for that one link, announces it
 * with the listener's port inside its HELLO answer (over the authenticated TLS link), and
 * calls `expect(token, …)`. A connection whose first 32 bytes are a token someone expects,
 * from the address that link's TLS connection came from, is handed over (paused, nothing
 * read beyond the token) and the token is spent. Everything else is dropped quietly (TCP
 * close): unknown or spent tokens, short or garbage preambles, connections over the pending
 * caps, preambles slower than the deadline. A stranger can therefore cost a session nothing
 * but a socket for at most `preambleTimeoutMs`; it cannot fail one. The token only routes:
 * it is sent in clear, and whoever hijacks a slot with it can still not produce one record
 * that opens under the link's exported keys, so the worst it can do is fail that link's
 * integrity check, which a network attacker could do anyway by cutting the connection.
 *
 * Limits mirror the peer port's (peer-port-limits.ts): at most MAX_PENDING connections in
 * their preamble in all and MAX_PENDING_PER_ADDRESS from one address.
 */
import net from 'node:net';
import { normalizeAddress } from './peer-port-limits.js';

export const BULK_TOKEN_BYTES = 32;
const MAX_PENDING = 64;
const MAX_PENDING_PER_ADDRESS = 16;

interface Waiting {
  address: string;
  resolve(socket: net.Socket): void;
}

export interface BulkListenerStats {
  expected: number;
  pending: number;
  accepted: number;
  refused: number;
}

export class BulkListener {
  private readonly waiting = new Map<string, Waiting>();
  private readonly pendingPerAddress = new Map<string, number>();
  private pending = 0;
  private readonly preambles = new Set<net.Socket>();
  private accepted = 0;
  private refused = 0;
  private closed = false;

  constructor(readonly server: net.Server, private readonly preambleTimeoutMs: number) {
    server.on('connection', (socket) => this.onConnection(socket));
    server.on('error', () => {}); // listen errors surface through listenBulk; later ones must not crash
  }

  get port(): number {
    const a = this.server.address();
    return a && typeof a === 'object' ? a.port : 0;
  }

  stats(): BulkListenerStats {
    return { expected: this.waiting.size, pending: this.pending, accepted: this.accepted, refused: this.refused };
  }

  /**
   * Waits up to `timeoutMs` for the connection carrying `token` (hex) from `address`;
   * resolves with its socket (paused), or undefined on timeout, `cancel()` or close.
   */
  expect(token: string, address: string, timeoutMs: number): { socket: Promise<net.Socket | undefined>; cancel(): void } {
    let cancel = () => {};
    const socket = new Promise<net.Socket | undefined>((resolve) => {
      if (this.closed) return resolve(undefined);
      const timer = setTimeout(() => cancel(), timeoutMs);
      cancel = () => {
        clearTimeout(timer);
        if (this.waiting.get(token)?.resolve === done) this.waiting.delete(token);
        resolve(undefined);
      };
      const done = (s: net.Socket) => {
        clearTimeout(timer);
        resolve(s);
      };
      this.waiting.set(token, { address: normalizeAddress(address), resolve: done });
    });
    return { socket, cancel: () => cancel() };
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      for (const w of [...this.waiting.values()]) w.resolve(undefined as unknown as net.Socket);
      this.waiting.clear();
      for (const s of this.preambles) s.destroy();
      if (this.server.listening) this.server.close();
    }
    return new Promise((resolve) => setImmediate(resolve));
  }

  private onConnection(socket: net.Socket): void {
    socket.on('error', () => {});
    const address = normalizeAddress(socket.remoteAddress);
    const fromAddress = this.pendingPerAddress.get(address) ?? 0;
    if (this.closed || this.pending >= MAX_PENDING || fromAddress >= MAX_PENDING_PER_ADDRESS) {
      this.refused++;
      socket.destroy();
      return;
    }
    this.pending++;
    this.preambles.add(socket);
    this.pendingPerAddress.set(address, fromAddress + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.pending--;
      this.preambles.delete(socket);
      const n = (this.pendingPerAddress.get(address) ?? 1) - 1;
      if (n === 0) this.pendingPerAddress.delete(address);
      else this.pendingPerAddress.set(address, n);
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', release);
    };
    const refuse = () => {
      release();
      this.refused++;
      socket.destroy();
    };
    const timer = setTimeout(refuse, this.preambleTimeoutMs);
    timer.unref();
    const got: Buffer[] = [];
    let have = 0;
    const onData = (chunk: Buffer) => {
      got.push(chunk);
      have += chunk.length;
      if (have < BULK_TOKEN_BYTES) return;
      const all = Buffer.concat(got);
      const token = all.subarray(0, BULK_TOKEN_BYTES).toString('hex');
      const w = this.waiting.get(token);
      if (!w || w.address !== address) return refuse();
      this.waiting.delete(token);
      release();
      socket.pause();
      if (all.length > BULK_TOKEN_BYTES) socket.unshift(all.subarray(BULK_TOKEN_BYTES));
      this.accepted++;
      w.resolve(socket);
    };
    socket.on('data', onData);
    socket.once('close', release);
  }
}

/** Binds a bulk listener on `host` (`port` 0 = any free port). */
export async function listenBulk(host: string, port: number, preambleTimeoutMs: number): Promise<BulkListener> {
  const server = net.createServer({ noDelay: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return new BulkListener(server, preambleTimeoutMs);
}
