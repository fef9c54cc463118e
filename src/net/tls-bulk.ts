/**
 * Moving a TLS link onto its bulk channel (bulk-channel.ts): the ordered switch after
 * HELLO, both sides, and the settings that turn it on.
 *
 * The exchange (D dials, A accepts; every step on the authenticated TLS link until SWITCH):
 *   1. D → A  HELLO {…, bulk: true}            D asks for a bulk channel (if its own setting allows)
 *   2. A → D  HELLO {…, bulk: {port, token}}   A offers one (if its setting allows and it has a
 *                                              bulk listener); without the field both sides are
 *                                              established on TLS at once, as before
 *   3. D: TCP connect to (A's host, port), send the 32-byte token, then wait (read nothing)
 *   4. A: the listener hands over the socket carrying the token, from D's address (bulk-listener.ts),
 *         or nothing within `timeoutMs`
 *   5. A → D  SWITCH 1 (bulk) or SWITCH 0 (stay on TLS): A's last frame on TLS. A then moves
 *         to the bulk channel (or not) and is established; D does the same when SWITCH arrives.
 * D sends nothing between its HELLO and SWITCH, A nothing between its HELLO and SWITCH, and
 * neither anything on TLS after it; any frame there is a violation that fails the session
 * (it comes from a pinned key). Both ends switch before the link is established, so no data
 * frame ever travels on TLS when the bulk channel is used. If D cannot connect (the port is
 * blocked, a middlebox), A waits `timeoutMs`, says SWITCH 0 and both stay on TLS (a warning
 * is emitted, with no secrets): a blocked port costs only speed and that delay.
 *
 * Settings: `TlsNetworkOptions.bulk` (default on; `false`, or TACIT_NET_BULK=0 in the
 * environment, keeps every link on TLS). A session accepts bulk channels on its endpoint's or
 * its mux's bulk listener, else on its own listener on the TLS listener's host; an ephemeral
 * port unless one is configured. `advertisePort` announces another port than the listener's
 * (a forwarded port; the tests use it to put a proxy in between).
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { deriveBulkKeys } from './bulk-channel.js';
import type { BulkListener } from './bulk-listener.js';
import type { Connection } from './connection.js';
import { encodeHello, parseAbort } from './control.js';
import { MalformedMessageError, PeerAuthError, SessionAbortedError } from './errors.js';

/** How long an acceptor waits for the dialer's bulk connection before staying on TLS. */
export const DEFAULT_BULK_TIMEOUT_MS = 2000;

export interface BulkOptions {
  /** Wait this long for the dialer's bulk connection before falling back to TLS (default 2000 ms). */
  timeoutMs?: number;
  /** Port of this session's own bulk listener when it has to open one (default 0: any free port). */
  port?: number;
  /** Port announced to dialers instead of the listener's (port forwarding, test proxies). */
  advertisePort?: number;
}

export interface BulkSettings {
  enabled: boolean;
  timeoutMs: number;
  port: number;
  advertisePort: number | undefined;
}

/** Resolves `TlsNetworkOptions.bulk` with the environment (TACIT_NET_BULK=0 turns it off). */
export function resolveBulk(option: boolean | BulkOptions | undefined, env: NodeJS.ProcessEnv = process.env): BulkSettings {
  const o = typeof option === 'object' ? option : {};
  const enabled = option !== false && env.TACIT_NET_BULK !== '0';
  const timeoutMs = o.timeoutMs ?? DEFAULT_BULK_TIMEOUT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) throw new RangeError('bulk.timeoutMs must be a positive integer');
  for (const [name, p] of [['bulk.port', o.port ?? 0], ['bulk.advertisePort', o.advertisePort ?? 1]] as const) {
    if (!Number.isInteger(p) || p < 0 || p > 65535) throw new RangeError(`${name} must be a port 0-65535`);
  }
  return { enabled, timeoutMs, port: o.port ?? 0, advertisePort: o.advertisePort };
}

/**
 * Reads a link between HELLO and SWITCH: a SWITCH goes to `onSwitch` (the dialer's side;
 * undefined on the acceptor, where any frame is a violation), an ABORT or any other frame
 * fails through `onFail(err)`, a close is `onFail(undefined)`. At most one callback, once.
 */
export function switchingPhase(conn: Connection, peer: string, onFail: (err: Error | undefined) => void, onSwitch?: (bulk: boolean) => void): void {
  let done = false;
  const once = <A extends unknown[]>(fn: (...a: A) => void) => (...a: A) => {
    if (done) return;
    done = true;
    fn(...a);
  };
  const failed = once(onFail);
  const switched = onSwitch && once(onSwitch);
  conn.sink = {
    message: () => failed(new MalformedMessageError(peer, 'connect', 'data before the channel switch')),
    control: (type, payload) => {
      if (type === 'SWITCH' && switched && payload.length === 1 && (payload[0] === 0 || payload[0] === 1)) switched(payload[0] === 1);
      else if (type === 'ABORT') {
        const info = parseAbort(peer, payload);
        failed(info.error === 'PeerAuthError' ? new PeerAuthError(peer, 'connect', `refused by '${peer}': ${info.reason}`) : new SessionAbortedError(peer, 'connect', info));
      } else failed(new MalformedMessageError(peer, 'connect', `${type} ${switched ? 'before' : 'after'} the channel switch`));
    },
  };
  conn.events = {
    activity: () => {},
    malformed: (problem) => failed(new MalformedMessageError(peer, 'connect', problem)),
    closed: () => failed(undefined),
  };
}

/**
 * The acceptor's steps 2, 4 and 5: answers `peer`'s HELLO with a bulk offer (a fresh token
 * for this link), waits for the connection carrying it, then sends SWITCH and moves the link
 * (or stays on TLS, with a warning) and calls `hooks.established`. `hooks.abandoned` gets the
 * failure (an error, or undefined if the link merely closed) if the link breaks first;
 * `hooks.live` says whether the session still wants this link.
 */
export function offerBulk(
  conn: Connection, peer: string,
  o: { sessionId: string; self: string; settings: BulkSettings; listener: BulkListener },
  hooks: { live(): boolean; abandoned(err: Error | undefined): void; established(): void },
): void {
  const token = randomBytes(32).toString('hex');
  const wait = o.listener.expect(token, conn.socket.remoteAddress ?? '', o.settings.timeoutMs);
  conn.sendControl('HELLO', encodeHello(o.sessionId, o.self, peer, { port: o.settings.advertisePort ?? o.listener.port, token }));
  switchingPhase(conn, peer, (err) => {
    wait.cancel();
    hooks.abandoned(err);
  });
  void wait.socket.then((bulk) => {
    if (conn.closed || !hooks.live()) {
      bulk?.destroy();
      return;
    }
    conn.sendControl('SWITCH', Uint8Array.of(bulk ? 1 : 0));
    if (bulk) conn.useBulk(bulk, deriveBulkKeys(conn.socket, o.sessionId, peer, o.self, false));
    else warnFallback(o.self, peer, `no bulk connection within ${o.settings.timeoutMs} ms`);
    hooks.established();
  });
}

/**
 * The dialer's bulk connection: TCP to `host:port`, the token written first, then paused
 * (nothing is read before SWITCH). Resolves undefined if it cannot connect within `timeoutMs`.
 */
export function connectBulk(host: string, port: number, token: string, timeoutMs: number): Promise<net.Socket | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, noDelay: true });
    socket.pause();
    socket.on('error', () => {});
    const timer = setTimeout(() => finish(false), timeoutMs);
    const finish = (ok: boolean) => {
      clearTimeout(timer);
      socket.off('connect', onConnect);
      socket.off('close', onClose);
      if (!ok) socket.destroy();
      resolve(ok ? socket : undefined);
    };
    const onConnect = () => {
      socket.write(Buffer.from(token, 'hex'));
      finish(true);
    };
    const onClose = () => finish(false);
    socket.once('connect', onConnect);
    socket.once('close', onClose);
  });
}

/** The fallback warning (party ids and the reason only). */
export function warnFallback(self: string, peer: string, reason: string): void {
  process.emitWarning(`link '${self}'–'${peer}' stays on TLS: ${reason} (slower, equally secure)`, { code: 'TACIT_NET_BULK_FALLBACK' });
}
