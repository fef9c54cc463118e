/**
 * The dialing side of a TLS session's links (tls-network.ts holds the session's state and the
 * accepting side): connect with retries until the deadline, pin the server's key, exchange
 * HELLO, and — when the acceptor offers one — move the link to its bulk channel at the
 * acceptor's SWITCH (tls-bulk.ts). Split from tls-network.ts along the dial/accept seam; the
 * session hands in what it needs as a `DialContext`.
 */
import type tls from 'node:tls';
import type { Connection } from './connection.js';
import { encodeAbort, encodeHello, parseHello, type Hello } from './control.js';
import { deriveBulkKeys } from './bulk-channel.js';
import { PeerAuthError, PeerDisconnectedError } from './errors.js';
import { fingerprintOfCert, type Identity } from './identity.js';
import { sessionServername } from './session-mux.js';
import { connectBulk, switchingPhase, warnFallback, type BulkSettings } from './tls-bulk.js';
import { ABORT_GRACE_MS, abortSocket, dialerHelloProblem, sleep, tlsConnect } from './tls-handshake.js';
import type { TlsPeer } from './tls-options.js';

export interface DialContext {
  readonly self: string;
  readonly sessionId: string;
  readonly identity: Identity;
  readonly bulk: BulkSettings;
  readonly handshaking: Set<tls.TLSSocket>;
  address(peer: string): TlsPeer;
  pin(peer: string): string | undefined;
  aborted(): boolean;
  linked(peer: string): boolean;
  fail(err: Error): void;
  /** Wraps an authenticated socket for HELLO (tls-handshake.ts `helloConnection`) and tracks it as set-up. */
  setupConnection(socket: tls.TLSSocket, peer: string, onHello: (payload: Buffer) => void, onFail: (err: Error | undefined) => void): Connection;
  dropSetup(conn: Connection): void;
  established(peer: string, conn: Connection): void;
}

/** Dials `peer` until linked, the session aborts, or `deadline` (then the session's connect deadline reports it). */
export async function dialPeer(ctx: DialContext, peer: string, deadline: number): Promise<void> {
  const address = ctx.address(peer);
  for (let attempt = 0; !ctx.aborted() && !ctx.linked(peer); attempt++) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) return;
    const socket = await tlsConnect(address, ctx.identity, sessionServername(ctx.sessionId, peer), remaining, ctx.handshaking);
    if (ctx.aborted()) {
      socket?.destroy();
      return;
    }
    if (!socket) {
      await sleep(Math.min(50 * 2 ** Math.min(attempt, 4), 500, Math.max(deadline - Date.now(), 0)));
      continue;
    }
    const cert = socket.getPeerX509Certificate();
    const fp = cert ? fingerprintOfCert(cert) : undefined;
    if (fp !== ctx.pin(peer)) {
      const err = new PeerAuthError(peer, 'connect', fp ? `the server at ${address.host}:${address.port} presented key ${fp.slice(0, 16)}…, which is not the key pinned for '${peer}'` : 'the server presented no certificate');
      abortSocket(socket, { origin: ctx.self, error: 'PeerAuthError', reason: `PeerAuthError: '${ctx.self}' refused the server key presented for '${peer}'` });
      ctx.fail(err);
      return;
    }
    const outcome = await new Promise<'ok' | 'retry'>((resolve) => {
      const lost = (conn: Connection, err: Error | undefined) => {
        ctx.dropSetup(conn);
        conn.destroy();
        if (err) ctx.fail(err);
        resolve(err ? 'ok' : 'retry');
      };
      const conn = ctx.setupConnection(socket, peer, (hello) => {
        const problem = dialerHelloProblem(hello, ctx.sessionId, peer, ctx.self);
        if (problem) {
          ctx.dropSetup(conn);
          conn.sendControl('ABORT', encodeAbort({ origin: ctx.self, error: 'PeerAuthError', reason: `PeerAuthError: ${problem}` }), true);
          void conn.end(ABORT_GRACE_MS);
          ctx.fail(new PeerAuthError(peer, 'connect', problem));
          resolve('ok');
          return;
        }
        const offer = (parseHello(hello) as Hello).bulk;
        if (!offer || offer === true || !ctx.bulk.enabled) {
          ctx.established(peer, conn);
          resolve('ok');
          return;
        }
        // The acceptor offered a bulk channel: connect, then wait (silent) for its SWITCH.
        const bulk = connectBulk(address.host, offer.port, offer.token, ctx.bulk.timeoutMs);
        switchingPhase(conn, peer, (err) => {
          void bulk.then((s) => s?.destroy());
          lost(conn, err);
        }, (useBulk) => void bulk.then((s) => {
          if (ctx.aborted() || conn.closed) {
            s?.destroy();
            lost(conn, undefined);
          } else if (useBulk && !s) {
            lost(conn, new PeerDisconnectedError(peer, 'connect', { details: 'the acceptor switched to a bulk connection this party could not make' }));
          } else {
            if (s && useBulk) conn.useBulk(s, deriveBulkKeys(conn.socket, ctx.sessionId, ctx.self, peer, true));
            else {
              s?.destroy();
              warnFallback(ctx.self, peer, s ? 'the acceptor did not take the bulk connection in time' : `no bulk connection to port ${offer.port}`);
            }
            ctx.established(peer, conn);
            resolve('ok');
          }
        }));
      }, (err) => lost(conn, err));
      conn.sendControl('HELLO', encodeHello(ctx.sessionId, ctx.self, peer, ctx.bulk.enabled ? true : undefined));
    });
    if (outcome === 'retry') await sleep(Math.min(100, Math.max(deadline - Date.now(), 0)));
  }
}
