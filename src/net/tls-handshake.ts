/**
 * The pieces of a TLS session's connection set-up that do not depend on the session's
 * state (tls-network.ts holds that state and decides): the TLS 1.3 contexts and the dial
 * attempt, the checks of a HELLO on either side, the sink that reads frames until HELLO,
 * and the refusal of a socket with an ABORT. See tls-network.ts for the protocol (RFC 8446
 * mutual authentication with pinned keys, then HELLO).
 */
import tls from 'node:tls';
import { Connection } from './connection.js';
import { encodeAbort, parseAbort, parseHello } from './control.js';
import { MalformedMessageError, PeerAuthError, SessionAbortedError, type AbortInfo } from './errors.js';
import type { FrameSink } from './framing.js';
import type { Identity } from './identity.js';
import type { TlsPeer } from './tls-options.js';

/** How long an aborting party waits for a peer to take its ABORT before dropping the socket. */
export const ABORT_GRACE_MS = 1000;

/** The server side's TLS 1.3 context: this party's key and certificate. */
export function serverContext(identity: Identity): tls.SecureContext {
  return tls.createSecureContext({ key: identity.keyPem, cert: identity.certPem, minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' });
}

/**
 * One TCP + TLS handshake attempt to `address`, sending `servername` (SNI, which routes the
 * connection on a SessionMux); undefined on any failure before the handshake completed.
 * The socket is in `handshaking` while it handshakes.
 */
export function tlsConnect(address: TlsPeer, identity: Identity, servername: string, timeoutMs: number, handshaking: Set<tls.TLSSocket>): Promise<tls.TLSSocket | undefined> {
  return new Promise((resolve) => {
    const socket = tls.connect({
      host: address.host,
      port: address.port,
      servername,
      key: identity.keyPem,
      cert: identity.certPem,
      minVersion: 'TLSv1.3',
      maxVersion: 'TLSv1.3',
      rejectUnauthorized: false, // self-signed: the pin is checked by the caller
    });
    socket.setNoDelay(true);
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    const finish = (result: tls.TLSSocket | undefined) => {
      clearTimeout(timer);
      handshaking.delete(socket);
      socket.off('secureConnect', onSecure);
      socket.off('close', onFail);
      if (!result) socket.destroy();
      resolve(result);
    };
    const onSecure = () => finish(socket);
    const onFail = () => finish(undefined);
    socket.on('error', () => {});
    socket.once('secureConnect', onSecure);
    socket.once('close', onFail);
    handshaking.add(socket);
  });
}

/** What is wrong with the HELLO a dialer sent an acceptor (`self`), if anything. */
export function acceptorHelloProblem(hello: Buffer, sessionId: string, peer: string, self: string, alreadyLinked: boolean): string | undefined {
  const parsed = parseHello(hello);
  if (typeof parsed === 'string') return parsed;
  if (parsed.session !== sessionId) return 'HELLO names another session';
  if (parsed.from !== peer) return `key is pinned for '${peer}' but HELLO claims '${String(parsed.from).slice(0, 64)}'`;
  if (parsed.to !== self) return 'HELLO is addressed to another party';
  if (alreadyLinked) return 'a second connection for an already connected party';
  return undefined;
}

/** What is wrong with the HELLO an acceptor answered a dialer (`self`) with, if anything. */
export function dialerHelloProblem(hello: Buffer, sessionId: string, peer: string, self: string): string | undefined {
  const parsed = parseHello(hello);
  if (typeof parsed === 'string') return parsed;
  if (parsed.session !== sessionId) return 'the answering HELLO names another session';
  if (parsed.from !== peer || parsed.to !== self) return 'the answering HELLO names other parties';
  return undefined;
}

/** Sends an ABORT on a socket that never became a session link, then ends it (bounded). */
export function abortSocket(socket: tls.TLSSocket, info: AbortInfo): void {
  const c = new Connection(socket, { message() {}, control() {} }, { activity() {}, malformed() {}, closed() {} }, 0);
  c.sendControl('ABORT', encodeAbort(info), true);
  void c.end(ABORT_GRACE_MS);
}

/**
 * Acceptor-side refusal: tells the dialer why (an ABORT, no data), then drops the connection
 * (`conn` if it is already wrapped). A stranger learns only that it was refused (`problem`
 * undefined); a pinned party also learns why.
 */
export function refuseConnection(socket: tls.TLSSocket, self: string, problem: string | undefined, conn?: Connection): void {
  const info = { origin: self, error: 'PeerAuthError', reason: `PeerAuthError: connection refused by '${self}': ${problem ?? 'key not pinned'}` };
  if (conn) {
    conn.sendControl('ABORT', encodeAbort(info), true);
    void conn.end(ABORT_GRACE_MS);
  } else {
    abortSocket(socket, info);
  }
}

/**
 * Wraps a freshly authenticated socket for the HELLO exchange: the first frame must be the
 * peer's HELLO (`onHello`), an ABORT is the peer's refusal, anything else is malformed
 * (`onFail` with the error), and a close before HELLO is `onFail(undefined)` (worth a retry).
 * At most one of the two callbacks is called, once.
 */
export function helloConnection(socket: tls.TLSSocket, peer: string, maxMessageBytes: number, frameBytes: number, onHello: (payload: Buffer) => void, onFail: (err: Error | undefined) => void): Connection {
  let done = false;
  const once = <A extends unknown[]>(fn: (...a: A) => void) => (...a: A) => {
    if (done) return;
    done = true;
    fn(...a);
  };
  const hello = once(onHello);
  const failed = once(onFail);
  const sink: FrameSink = {
    message: () => failed(new MalformedMessageError(peer, 'connect', 'data before HELLO')),
    control: (type, payload) => {
      if (type === 'HELLO') hello(payload);
      else if (type === 'ABORT') {
        const info = parseAbort(peer, payload);
        failed(info.error === 'PeerAuthError'
          ? new PeerAuthError(peer, 'connect', `refused by '${peer}': ${info.reason}`)
          : new SessionAbortedError(peer, 'connect', info));
      } else failed(new MalformedMessageError(peer, 'connect', `${type} before HELLO`));
    },
  };
  return new Connection(socket, sink, {
    activity: () => {},
    malformed: (problem) => failed(new MalformedMessageError(peer, 'connect', problem)),
    closed: () => failed(undefined),
  }, maxMessageBytes, frameBytes);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves when `p` does or after `ms`, whichever is first (never rejects). */
export function withTimeout(p: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    void p.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
