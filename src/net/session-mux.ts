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
 * own deadline). A session's registration ends when its mesh is up, or when it aborts or
 * closes; connections for it that arrive later are held and dropped like any unknown
 * session's.
 *
 * Limits (the port faces the internet; see docs/security.md (the peer port)). Every connection is
 * "pending" from accept until its session has checked the peer's key and HELLO and calls
 * `established`, and only pending connections are cheap for a stranger to make, so they are
 * bounded several ways (`PeerPortLimits`, defaults in `DEFAULT_PEER_PORT_LIMITS`):
 *   - per remote address: at most `maxPendingPerAddress` pending and `maxConnectionsPerAddress`
 *     open in all, so one host's flood of idle or half-open sockets fills only its own share;
 *   - in all: at most `maxPending` pending;
 *   - per session (SNI name): at most `maxPendingPerSession` pending;
 *   - in time: the ClientHello must arrive within `handshakeTimeoutMs` of the accept (a
 *     slowloris that dribbles bytes is cut there), and the session gives the rest of the
 *     handshake and HELLO the same deadline once it has the socket;
 *   - by address: a session registers the addresses its dialing parties are known at (the
 *     plan's hosts), and a connection from elsewhere is dropped before the server's half of
 *     the TLS handshake, i.e. before any crypto is spent on it (`checkPeerAddress`).
 * A connection over any limit is dropped at once (TCP close, no TLS alert); honest dialers
 * retry until their connect deadline. `stats()` counts the refusals.
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
import { listenBulk, type BulkListener } from './bulk-listener.js';
import { normalizeAddress, resolvePeerPortOptions, type PeerPortLimits, type SessionDefaults } from './peer-port-limits.js';

export interface SessionMux {
  readonly host: string;
  readonly port: number;
  /** What sessions on this port use unless their own options say otherwise. */
  readonly sessionDefaults: Readonly<SessionDefaults>;
  /** Registrations, connections held unrouted, pending and open ones, and refusals so far. */
  stats(): MuxStats;
  /** Stops listening and drops held connections. Established sessions are not affected. */
  close(): Promise<void>;
}

export interface MuxStats {
  sessions: number;
  held: number;
  pending: number;
  open: number;
  refused: { perAddress: number; pending: number; perSession: number; address: number; timeout: number };
}

export interface SessionMuxOptions extends Partial<PeerPortLimits>, Partial<SessionDefaults> {
  /** Old name of `maxPending`. */
  maxHeld?: number;
  /**
   * Accept the sessions' bulk channels (default true; TACIT_NET_BULK=0 turns it off), on
   * `port` (default TACIT_NET_BULK_PORT, else 0: any free port, announced inside TLS).
   */
  bulk?: boolean | { port?: number };
}

/** What a session registers: how to finish the handshake as its party, and who takes the socket. */
export interface MuxRoute {
  secureContext: tls.SecureContext;
  /**
   * Receives each TLS socket routed to the session; its handshake resumes right after this
   * call. The session calls `established()` once the peer's key and HELLO are accepted.
   */
  accept(socket: tls.TLSSocket, established: () => void): void;
  /** Whether a connection from this (normalised) remote address may be for the session; absent = any. */
  allows?(address: string): boolean;
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
  acceptedAt: number;
  slot: Slot;
  /** Set once the ClientHello arrived: how to resume the handshake. */
  resume?: (context: tls.SecureContext) => void;
}

/** A connection the mux accepted, for its counters. */
interface Slot {
  address: string;
  /** The SNI name, once the ClientHello arrived. */
  name?: string;
  pending: boolean;
}

export class Mux implements SessionMux {
  readonly sessionDefaults: Readonly<SessionDefaults>;
  private readonly routes = new Map<string, MuxRoute>();
  private readonly held = new Set<Held>();
  private readonly perAddress = new Map<string, { open: number; pending: number }>();
  private readonly pendingPerName = new Map<string, number>();
  private pendingTotal = 0;
  private openTotal = 0;
  private readonly refused = { perAddress: 0, pending: 0, perSession: 0, address: 0, timeout: 0 };
  /** No certificate: only a session's context (chosen by SNI) can complete a handshake. */
  private readonly baseContext = tls.createSecureContext({ minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' });
  private closed = false;

  /**
   * Where the bulk channels (bulk-channel.ts) of the sessions on this port arrive: one plain
   * TCP listener on the same host, on an ephemeral port announced inside each link's TLS
   * HELLO (or `SessionMuxOptions.bulk.port`); undefined when bulk channels are off.
   */
  bulk: BulkListener | undefined;

  constructor(readonly server: net.Server, private readonly limits: Readonly<PeerPortLimits>, sessionDefaults: Readonly<SessionDefaults>) {
    this.sessionDefaults = Object.freeze({ ...sessionDefaults });
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

  stats(): MuxStats {
    return { sessions: this.routes.size, held: this.held.size, pending: this.pendingTotal, open: this.openTotal, refused: { ...this.refused } };
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
      if (entry.slot.name === name && entry.resume) this.route(entry, route);
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
      void this.bulk?.close();
    }
    return new Promise((resolve) => setImmediate(resolve));
  }

  private onConnection(raw: net.Socket): void {
    raw.on('error', () => {});
    if (this.closed) {
      raw.destroy();
      return;
    }
    const address = normalizeAddress(raw.remoteAddress);
    let counts = this.perAddress.get(address);
    if (!counts) this.perAddress.set(address, (counts = { open: 0, pending: 0 }));
    const l = this.limits;
    if (counts.pending >= l.maxPendingPerAddress || counts.open >= l.maxConnectionsPerAddress || this.pendingTotal >= l.maxPending) {
      if (this.pendingTotal >= l.maxPending) this.refused.pending++;
      else this.refused.perAddress++;
      if (counts.open === 0) this.perAddress.delete(address);
      raw.destroy();
      return;
    }
    const slot: Slot = { address, pending: true };
    counts.open++;
    counts.pending++;
    this.openTotal++;
    this.pendingTotal++;
    raw.once('close', () => this.release(slot, true));
    raw.setNoDelay(true);
    const socket = new tls.TLSSocket(raw, {
      isServer: true,
      secureContext: this.baseContext,
      requestCert: true,
      rejectUnauthorized: false, // self-signed: the session checks the pin
      SNICallback: (servername, cb) => this.onServername(entry, servername, cb),
    });
    socket.on('error', () => {});
    // Until the ClientHello: the handshake deadline (a slowloris is cut here).
    const entry: Held = { socket, slot, acceptedAt: Date.now(), timer: setTimeout(() => this.expire(entry), l.handshakeTimeoutMs) };
    entry.timer.unref();
    socket.once('close', () => {
      if (this.held.delete(entry)) clearTimeout(entry.timer);
    });
    this.held.add(entry);
  }

  private onServername(entry: Held, servername: string, cb: (err: Error | null, ctx?: tls.SecureContext) => void): void {
    if (!this.held.has(entry)) return; // dropped meanwhile
    const name = servername.toLowerCase();
    const n = this.pendingPerName.get(name) ?? 0;
    if (n >= this.limits.maxPendingPerSession) {
      this.refused.perSession++;
      this.drop(entry);
      return;
    }
    this.pendingPerName.set(name, n + 1);
    entry.slot.name = name;
    entry.resume = (context) => cb(null, context);
    // From here: wait for the session to register, until holdMs after the accept.
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => this.expire(entry), Math.max(0, entry.acceptedAt + this.limits.holdMs - Date.now()));
    entry.timer.unref();
    const route = this.routes.get(name);
    if (route) this.route(entry, route);
  }

  private route(entry: Held, route: MuxRoute): void {
    if (route.allows && !route.allows(entry.slot.address)) {
      this.refused.address++;
      this.drop(entry);
      return;
    }
    clearTimeout(entry.timer);
    this.held.delete(entry);
    const slot = entry.slot;
    route.accept(entry.socket, () => this.release(slot, false));
    if (!entry.socket.destroyed) entry.resume!(route.secureContext);
  }

  /** A slot stops being pending (established, or closed), and on close stops being open. */
  private release(slot: Slot, closed: boolean): void {
    const counts = this.perAddress.get(slot.address);
    if (slot.pending) {
      slot.pending = false;
      this.pendingTotal--;
      if (counts) counts.pending--;
      if (slot.name !== undefined) {
        const n = (this.pendingPerName.get(slot.name) ?? 1) - 1;
        if (n <= 0) this.pendingPerName.delete(slot.name);
        else this.pendingPerName.set(slot.name, n);
      }
    }
    if (closed && counts) {
      this.openTotal--;
      counts.open--;
      if (counts.open <= 0) this.perAddress.delete(slot.address);
    }
  }

  private expire(entry: Held): void {
    if (!this.held.has(entry)) return;
    this.refused.timeout++;
    this.drop(entry);
  }

  private drop(entry: Held): void {
    clearTimeout(entry.timer);
    this.held.delete(entry);
    entry.socket.destroy();
  }
}

/** Binds the node's long-lived peer port (`port: 0` picks a free one) for any number of sessions. */
export async function listenSessionMux(listen: { host: string; port: number }, options: SessionMuxOptions = {}): Promise<SessionMux> {
  const { limits, sessionDefaults } = resolvePeerPortOptions(options);
  const server = net.createServer({ noDelay: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: listen.port, host: listen.host, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const mux = new Mux(server, limits, sessionDefaults);
  const bulk = options.bulk ?? true;
  if (bulk !== false && process.env.TACIT_NET_BULK !== '0') {
    // A fixed port for firewalls: the option, else TACIT_NET_BULK_PORT, else any free port.
    const port = (typeof bulk === 'object' ? bulk.port : undefined) ?? Number(process.env.TACIT_NET_BULK_PORT ?? 0);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError('the bulk port (SessionMuxOptions.bulk.port or TACIT_NET_BULK_PORT) must be 0-65535');
    try {
      mux.bulk = await listenBulk(listen.host, port, limits.handshakeTimeoutMs);
    } catch (err) {
      await mux.close();
      throw err;
    }
  }
  return mux;
}
