/**
 * A listening TCP endpoint that exists before the session does.
 *
 * Parties of a session start at different times and a session description needs every
 * party's port, so a node binds first (port 0 = any free port), publishes `{ host, port }`,
 * and only then calls `connectTlsNetwork`. Connections that arrive before a session claims
 * the endpoint are held (paused, unread, for at most `holdMs`) and handed over at claim time,
 * so an early dialer is not lost. TLS is layered on the raw sockets by the session.
 *
 * An endpoint serves one session (`connectTlsNetwork` takes it over and closes it). A node
 * that takes part in many sessions, possibly at once, on one advertised port uses a
 * `SessionMux` (session-mux.ts) instead.
 *
 * The session's bulk channels (bulk-channel.ts) arrive on a second listener on the same
 * host, opened on first use (`bulkListener`) and closed with the endpoint.
 */
import net from 'node:net';
import { listenBulk, type BulkListener } from './bulk-listener.js';

export interface TlsEndpoint {
  readonly host: string;
  readonly port: number;
  readonly server: net.Server;
  /** Stops listening and drops held connections. Established sessions are not affected. */
  close(): Promise<void>;
}

const MAX_HELD = 64;

export class Endpoint implements TlsEndpoint {
  private held: { socket: net.Socket; timer: NodeJS.Timeout }[] = [];
  private claimant: ((socket: net.Socket) => void) | undefined;
  private closed = false;
  private bulk: Promise<BulkListener> | undefined;
  private readonly onConnectionListener = (socket: net.Socket) => this.onConnection(socket);
  private readonly onErrorListener = () => {}; // listen errors surface through listenTlsEndpoint; later ones must not crash

  constructor(readonly server: net.Server, private readonly holdMs: number) {
    server.on('connection', this.onConnectionListener);
    server.on('error', this.onErrorListener);
  }

  get host(): string {
    const a = this.server.address();
    return a && typeof a === 'object' ? a.address : '';
  }

  get port(): number {
    const a = this.server.address();
    return a && typeof a === 'object' ? a.port : 0;
  }

  /** Routes every held and future connection to `handler` until `release()`. */
  claim(handler: (socket: net.Socket) => void): void {
    if (this.claimant) throw new Error('endpoint is already used by a session');
    this.claimant = handler;
    for (const { socket, timer } of this.held.splice(0)) {
      clearTimeout(timer);
      if (!socket.destroyed) handler(socket);
    }
  }

  release(): void {
    this.claimant = undefined;
  }

  /**
   * Stops watching a server that stays its owner's (the `net.Server` form of `listen`) and
   * drops held connections, so that the next session can wrap the same server.
   */
  detach(): void {
    this.release();
    this.closed = true;
    this.server.off('connection', this.onConnectionListener);
    this.server.off('error', this.onErrorListener);
    for (const { socket, timer } of this.held.splice(0)) {
      clearTimeout(timer);
      socket.destroy();
    }
  }

  /** The endpoint's bulk listener (bulk-listener.ts), bound on this host at `port` (0 = any) on first use. */
  bulkListener(port: number, preambleTimeoutMs: number): Promise<BulkListener> {
    if (this.closed) return Promise.reject(new Error('endpoint is closed'));
    return (this.bulk ??= listenBulk(this.host, port, preambleTimeoutMs));
  }

  close(): Promise<void> {
    if (this.bulk) void this.bulk.then((b) => b.close(), () => {});
    this.bulk = undefined;
    if (!this.closed) {
      this.closed = true;
      this.claimant = undefined;
      for (const { socket, timer } of this.held.splice(0)) {
        clearTimeout(timer);
        socket.destroy();
      }
    }
    return new Promise((resolve) => {
      if (!this.server.listening) resolve();
      else this.server.close(() => resolve());
    });
  }

  private onConnection(socket: net.Socket): void {
    socket.on('error', () => {}); // the owner attaches its own handling; never crash on a stray reset
    if (this.closed) {
      socket.destroy();
      return;
    }
    if (this.claimant) {
      this.claimant(socket);
      return;
    }
    if (this.held.length >= MAX_HELD) {
      socket.destroy();
      return;
    }
    const entry = { socket, timer: setTimeout(() => {
      this.held = this.held.filter((e) => e !== entry);
      socket.destroy();
    }, this.holdMs) };
    entry.timer.unref();
    this.held.push(entry);
  }
}

/** Binds a TCP listener (`port: 0` picks a free one) for a later `connectTlsNetwork`. */
export async function listenTlsEndpoint(listen: { host: string; port: number }, options: { holdMs?: number } = {}): Promise<TlsEndpoint> {
  const server = net.createServer({ pauseOnConnect: true, noDelay: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: listen.port, host: listen.host, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return new Endpoint(server, options.holdMs ?? 60_000);
}
