/**
 * Network errors. Every failure of a session names the peer it concerns and the protocol
 * step that was in progress, so an operator can tell "institution B's node died during the
 * Beaver-triple step" from "our own node sent garbage".
 *
 * None of these messages may carry payload bytes, shares or keys: only party ids, step
 * labels, sizes and error names. The reason string of an ABORT frame is built by
 * `abortInfoOf()` below, which only ever forwards a Tacit error's name and short message
 * (by convention free of data) and withholds the message of any other error.
 */
import { TacitError, type TacitErrorOptions } from '../errors.js';

/** Base of every error about one peer of a session. */
export class PeerError extends TacitError {
  override name = 'PeerError';
  /** The party id this error concerns (or a description such as `unknown key from 10.0.0.5:4433`). */
  readonly peer: string;
  /** The protocol step being run (a step label, or `connect` / `close` around the session). */
  readonly step: string;
  /**
   * True when the error itself proves that `peer` broke the protocol (a malformed or
   * oversized message, a desync, data before HELLO from its pinned key): the failure is
   * attributable to it. False for what a network fault can also cause (disconnect, timeout).
   */
  get blamesPeer(): boolean {
    return false;
  }

  constructor(what: string, peer: string, step: string, options: TacitErrorOptions = {}) {
    super(`${what} (peer '${peer}', step '${step}')`, options);
    this.peer = peer;
    this.step = step;
  }
}

/** The peer's connection closed or failed before the session was over. */
export class PeerDisconnectedError extends PeerError {
  override name = 'PeerDisconnectedError';
  constructor(peer: string, step: string, options: TacitErrorOptions = {}) {
    super(`Peer '${peer}' disconnected`, peer, step, {
      hint: 'Check that the peer\'s node is running and reachable; the session has to be restarted.',
      ...options,
    });
  }
}

/** Nothing arrived from the peer within the idle or connect timeout. */
export class PeerTimeoutError extends PeerError {
  override name = 'PeerTimeoutError';
  constructor(peer: string, step: string, timeoutMs: number, options: TacitErrorOptions = {}) {
    super(`Timed out after ${timeoutMs} ms waiting for peer '${peer}'`, peer, step, {
      hint: 'The peer may be down, overloaded or on a different step; raise idleTimeoutMs / connectTimeoutMs if it is only slow.',
      ...options,
    });
  }
}

/** A frame or message broke the wire format or its limits (bad magic, unknown type, oversized, wrong size). */
export class MalformedMessageError extends PeerError {
  override name = 'MalformedMessageError';
  override get blamesPeer(): boolean {
    return true;
  }
  constructor(peer: string, step: string, problem: string, options: TacitErrorOptions = {}) {
    super(`Malformed message from peer '${peer}': ${problem}`, peer, step, {
      hint: 'Both nodes must run the same Tacit version and protocol; a size mismatch usually means a protocol bug on one side.',
      ...options,
    });
  }
}

/** The next message from the peer carries a different step label than the one we are at. */
export class ProtocolDesyncError extends PeerError {
  override name = 'ProtocolDesyncError';
  override get blamesPeer(): boolean {
    return true;
  }
  readonly expected: string;
  readonly received: string;
  constructor(peer: string, expected: string, received: string, options: TacitErrorOptions = {}) {
    super(`Protocol desync with peer '${peer}': expected step '${expected}', got '${received}'`, peer, expected, {
      hint: 'The parties are running different programs or inputs of different shapes; check that every party runs the same job version and parameters.',
      ...options,
    });
    this.expected = expected;
    this.received = received;
  }
}

/**
 * The peer sent more than this party may hold for it: a message larger than the step
 * expects or than the per-message cap, or more unread data than the session's buffer
 * budget. Refused before anything is allocated; the session aborts and blames the peer.
 */
export class PeerLimitError extends MalformedMessageError {
  override name = 'PeerLimitError';
  /** Which limit: `step-size` (the size the step expects), `message` (per-message cap) or `buffer` (session budget). */
  readonly limit: 'step-size' | 'message' | 'buffer';
  constructor(peer: string, step: string, limit: PeerLimitError['limit'], problem: string, options: TacitErrorOptions = {}) {
    super(peer, step, problem, {
      hint: limit === 'step-size'
        ? 'The peer announced a message of another size than this protocol step receives: it runs another program or deviates on purpose.'
        : 'The peer sent more than the configured limits allow (maxMessageBytes, maxBufferedBytes); raise them only if the job legitimately needs it.',
      ...options,
    });
    this.limit = limit;
  }
}

/** The peer's key is not the one pinned for it, or its HELLO claims another id or session. Refused. */
export class PeerAuthError extends PeerError {
  override name = 'PeerAuthError';
  // Not `blamesPeer`: a refusal may come from a stranger or be this party's own misconfiguration.
  constructor(peer: string, step: string, problem: string, options: TacitErrorOptions = {}) {
    super(`Peer authentication failed for '${peer}': ${problem}`, peer, step, {
      hint: 'Check the session description: every party must pin the SPKI fingerprint of the others\' current keys, and all must use the same session id.',
      ...options,
    });
  }
}

/** Another party aborted the session; `reason` is its (data-free) explanation. */
export class SessionAbortedError extends PeerError {
  override name = 'SessionAbortedError';
  /** The party that first aborted (may differ from `peer`, the one that told us). */
  readonly origin: string;
  /** The error name the origin reported, e.g. `PeerDisconnectedError`. */
  readonly remoteError: string;
  /** The peer the origin's error named, if any (e.g. the party that crashed). */
  readonly culprit: string | undefined;
  /** The origin's reason: an error name and short message, never data. */
  readonly reason: string;

  constructor(peer: string, step: string, info: AbortInfo, options: TacitErrorOptions = {}) {
    const relayed = info.origin === peer ? '' : ` (relayed by '${peer}')`;
    super(`Session aborted by party '${info.origin}'${relayed}: ${info.reason}`, peer, step, {
      hint: 'See the aborting party\'s logs for the cause; the whole session has to be restarted.',
      ...options,
    });
    this.origin = info.origin;
    this.remoteError = info.error;
    this.culprit = info.culprit;
    this.reason = info.reason;
  }
}

/** `send`/`recv` after `close()`. */
export class NetworkClosedError extends TacitError {
  override name = 'NetworkClosedError';
  constructor(self: string, options: TacitErrorOptions = {}) {
    super(`Network of party '${self}' is closed`, { hint: 'Do not send or receive after close().', ...options });
  }
}

/** What an ABORT frame says: who aborted first, the error's name, whom it blamed, and a short reason. */
export interface AbortInfo {
  origin: string;
  error: string;
  culprit?: string;
  reason: string;
}

export const MAX_REASON_CHARS = 400;

/** Strips control characters and bounds length: reasons come from peers and end up in logs. */
export function sanitizeReason(s: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = s.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
  return clean.length > MAX_REASON_CHARS ? `${clean.slice(0, MAX_REASON_CHARS - 1)}…` : clean;
}

/**
 * The data-free description of `err` that is sent to peers. A Tacit error contributes its
 * name and short message (which by convention name only ids, steps and sizes); any other
 * error contributes its name only, since its message may quote data.
 */
export function abortInfoOf(self: string, err: unknown): AbortInfo {
  if (err instanceof SessionAbortedError) {
    // Relaying: keep the original party's account.
    return { origin: err.origin, error: err.remoteError, reason: err.reason, ...(err.culprit === undefined ? {} : { culprit: err.culprit }) };
  }
  if (err instanceof TacitError) {
    const info: AbortInfo = { origin: self, error: sanitizeReason(err.name), reason: sanitizeReason(`${err.name}: ${err.shortMessage}`) };
    if (err instanceof PeerError) info.culprit = err.peer;
    return info;
  }
  const name = err instanceof Error ? sanitizeReason(err.name || 'Error') : 'Error';
  return { origin: self, error: name, reason: `${name} (message withheld: it may contain data)` };
}

/**
 * A record on a link's bulk channel (bulk-channel.ts) failed authentication or broke the
 * record format: altered, reordered, replayed, dropped, reflected or over-long. Whoever can
 * touch the TCP connection can cause this, so it does not blame the peer.
 */
export class ChannelIntegrityError extends PeerError {
  override name = 'ChannelIntegrityError';
  constructor(peer: string, step: string, problem: string, options: TacitErrorOptions = {}) {
    super(`The channel with peer '${peer}' failed its integrity check: ${problem}`, peer, step, {
      hint: 'Something between the two nodes altered, dropped or replayed traffic (or a node is faulty); check the network path, then restart the session.',
      ...options,
    });
  }
}
