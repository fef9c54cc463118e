/**
 * One listening port for many sessions.
 *
 * A node advertises one peer port (in the on-chain registry) and takes part in many
 * sessions over time, several at once. `listenSessionMux` binds that port for the node's
 * lifetime; each `connectTlsNetwork({ listen: mux, ... })` registers its session with the
 * mux while it builds its mesh, and the mux hands it the connections meant for it.
 *
 * Routing: TLS SNI. Every dialer puts `sessionServername(sessionId, peer)` in the
 * server_name extension (RFC 6066 §3) of its ClientHello: a DNS name derived from
 * SHA-256(session id, the party being dialed) — `<52 base32 chars>.tacit.invalid`. The mux
 * wraps each accepted TCP socket in a server-side TLS socket that has no certificate of its
 * own; Node's asynchronous `SNICallback` pauses the handshake right after the ClientHello,
 * the mux looks the name up, and resumes the handshake with the registered session's own
 * secure context (its key and certificate). From there the socket belongs to the session,
 * which runs exactly the checks it runs on a dedicated endpoint: the client's key must be
 * pinned for a party that dials it, then HELLO must name this session and that party. SNI
 * only picks which session looks at a connection; it grants nothing. The name is cleartext
 * and reveals which session (and which of the node's parties) a connection is for, which
 * is public anyway (session ids are on chain); hashing just makes any id a valid host name.
 *
 * Why SNI. The alternatives were a cleartext preamble before TLS (a wire format of our own,
 * which every acceptor, including the single-session endpoint, would have to parse) and
 * terminating TLS in the mux (the mux would need the node's key, and would bind every
 * session on the port to that one identity). With SNI the wire stays plain TLS 1.3, the
 * key stays with the session, a dedicated endpoint simply ignores the name, and the mux
 * never parses a byte itself: OpenSSL parses the ClientHello. A connection without SNI
 * fails its handshake (there is no certificate to present).
 *
 * The key includes the party being dialed, not just the session, so one mux can also serve
 * several parties of one session (tests, or a node holding two roles).
 *
 * Holding. A connection whose session has not registered yet (peers start at different
 * times) is held with its handshake paused until the session registers or `holdMs` after it
 * was accepted, whichever comes first; on expiry it is dropped (the dialer retries until its
 * own deadline). At most `maxHeld` connections are held at once — those waiting for their
 * ClientHello included — and beyond that new connections are dropped at once. A session's
 * registration ends when its mesh is up, or when it aborts or closes; connections for it
 * that arrive later are held and dropped like any unknown session's.
 *
 * `close()` stops listening and drops held connections. Sessions already connected (or
 * still handshaking on a routed connection) keep their sockets; a session still waiting for
 * peers gets no new connections and fails at its connect deadline; registering with a closed
 * mux throws.
 */
import { createHash } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { TacitError } from '../errors.js';

export interface SessionMux {
  readonly host: string;
  readonly port: number;
  /** Sessions (party registrations) currently accepting, and connections held unrouted. */
  stats(): { sessions: number; held: number };
  /** Stops listening and drops held connections. Established sessions are not affected. */
  close(): Promise<void>;
}

export interface SessionMuxOptions {
  /** How long a connection may wait for its ClientHello and its session (default 10 000 ms). */
  holdMs?: number;
  /** Most connections held unrouted at once; beyond, new ones are dropped (default 64). */
  maxHeld?: number;
}

/** What a session registers: how to finish the handshake as its party, and who takes the socket. */
export interface MuxRoute {
  secureContext: tls.SecureContext;
  /** Receives each TLS socket routed to the session; its handshake resumes right after this call. */
  accept(socket: tls.TLSSocket): void;
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** The SNI host name that routes a connection to `party` of session `sessionId` on a mux. */
export function sessionServername(sessionId: string, party: string): string {
  const digest = createHash('sha256').update(`tacit-session-v1\0${sessionId}\0${party}`, 'utf8').digest();
  let out = '';
  let bits = 0;
  let acc = 0;
  for (const byte of digest) {
    acc = (acc << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32[(acc >>> bits) & 31];
    }
  }
  if (bits > 0) out += BASE32[(acc << (5 - bits)) & 31];
  return `${out}.tacit.invalid`; // 52 characters: one DNS label; .invalid is reserved (RFC 2606)
}

interface Held {
  socket: tls.TLSSocket;
  timer: NodeJS.Timeout;
  /** Set once the ClientHello arrived: its server name and how to resume the handshake. */
  name?: string;
  resume?: (context: tls.SecureContext) => void;
}

export class Mux implements SessionMux {
  private readonly routes = new Map<string, MuxRoute>();
  private readonly held = new Set<Held>();
  /** No certificate: only a session's context (chosen by SNI) can complete a handshake. */
  private readonly baseContext = tls.createSecureContext({ minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' });
  private closed = false;

  constructor(readonly server: net.Server, private readonly holdMs: number, private readonly maxHeld: number) {
    server.on('connection', (socket) => this.onConnection(socket));
    server.on('error', () => {}); // listen errors surface through listenSessionMux; later ones must not crash
  }

  get host(): string {
    const a = this.server.address();
    return a && typeof a === 'object' ? a.address : '';
  }

  get port(): number {
    const a = this.server.address();
    return a && typeof a === 'object' ? a.port : 0;
  }

  stats(): { sessions: number; held: number } {
    return { sessions: this.routes.size, held: this.held.size };
  }

  /**
   * Routes connections for `party` of `sessionId` (held ones at once) to `route` until the
   * returned function is called. Throws if the mux is closed or the pair is already registered.
   */
  register(sessionId: string, party: string, route: MuxRoute): () => void {
    if (this.closed) throw new TacitError('the session mux is closed', { hint: 'Open the peer port again with listenSessionMux().' });
    const name = sessionServername(sessionId, party);
    if (this.routes.has(name)) throw new TacitError(`session '${sessionId}' already accepts connections for '${party}' on this port`, { hint: 'Each party of a session runs once per node.' });
    this.routes.set(name, route);
    for (const entry of this.held) {
      if (entry.name === name && entry.resume) this.route(entry, route);
    }
    return () => {
      if (this.routes.get(name) === route) this.routes.delete(name);
    };
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.routes.clear();
      for (const entry of this.held) this.drop(entry);
      // Not server.close(cb): its callback waits for every connection ever accepted to end,
      // sessions' included. The port is released as soon as the listening handle closes.
      if (this.server.listening) this.server.close();
    }
    return new Promise((resolve) => setImmediate(resolve));
  }

  private onConnection(raw: net.Socket): void {
    raw.on('error', () => {});
    if (this.closed || this.held.size >= this.maxHeld) {
      raw.destroy();
      return;
    }
    raw.setNoDelay(true);
    const socket = new tls.TLSSocket(raw, {
      isServer: true,
      secureContext: this.baseContext,
      requestCert: true,
      rejectUnauthorized: false, // self-signed: the session checks the pin
      SNICallback: (servername, cb) => this.onServername(entry, servername, cb),
    });
    socket.on('error', () => {});
    const entry: Held = { socket, timer: setTimeout(() => this.drop(entry), this.holdMs) };
    entry.timer.unref();
    socket.once('close', () => {
      if (this.held.delete(entry)) clearTimeout(entry.timer);
    });
    this.held.add(entry);
  }

  private onServername(entry: Held, servername: string, cb: (err: Error | null, ctx?: tls.SecureContext) => void): void {
    if (!this.held.has(entry)) return; // dropped meanwhile
    entry.name = servername.toLowerCase();
    entry.resume = (context) => cb(null, context);
    const route = this.routes.get(entry.name);
    if (route) this.route(entry, route);
  }

  private route(entry: Held, route: MuxRoute): void {
    clearTimeout(entry.timer);
    this.held.delete(entry);
    route.accept(entry.socket);
    if (!entry.socket.destroyed) entry.resume!(route.secureContext);
  }

  private drop(entry: Held): void {
    clearTimeout(entry.timer);
    this.held.delete(entry);
    entry.socket.destroy();
  }
}

/** Binds the node's long-lived peer port (`port: 0` picks a free one) for any number of sessions. */
export async function listenSessionMux(listen: { host: string; port: number }, options: SessionMuxOptions = {}): Promise<SessionMux> {
  const holdMs = options.holdMs ?? 10_000;
  const maxHeld = options.maxHeld ?? 64;
  if (!Number.isFinite(holdMs) || holdMs <= 0) throw new RangeError('holdMs must be a positive number of milliseconds');
  if (!Number.isInteger(maxHeld) || maxHeld < 1) throw new RangeError('maxHeld must be a positive integer');
  const server = net.createServer({ noDelay: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: listen.port, host: listen.host, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return new Mux(server, holdMs, maxHeld);
}
