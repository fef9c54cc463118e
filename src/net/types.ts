/**
 * The contract between the MPC engine and whatever carries its bytes.
 *
 * A `Network` is one party's view of a session: a FIFO message channel to every other
 * party, a meter, and an abort that tears the whole session down. Protocols are SPMD:
 * every party runs the same program, so the n-th message a party receives from a peer is
 * always the n-th the peer sent; each message carries a step label so that a desync is
 * caught at once (as a `ProtocolDesyncError`) instead of being computed on.
 *
 * Two implementations share this interface and one compliance suite
 * (`test/net/compliance.ts`): TLS 1.3 over TCP with pinned peer keys (`tls-network.ts`)
 * and an in-memory one for unit tests (`memory-network.ts`).
 *
 * Notes from the implementations (the interface itself is unchanged):
 *  - `parties` of a TLS network is the sorted id list (sorted order also decides who dials
 *    whom); a memory network keeps the order it was created with.
 *  - `send` copies small messages (≤ 512 KiB) at once; the TLS network copies larger ones
 *    frame by frame as it writes them, so `data` must not be modified until the promise
 *    settles (the memory network always copies). `sendStream` chunks likewise.
 *  - Every fatal error, including a desync or a size mismatch seen by `recv`, aborts the
 *    whole session; `close()` and `abort()` never reject.
 *  - Implementations add a few members outside this contract: `peers`, and on the TLS
 *    network `sessionId`, `protocolWith(peer)`, `verifiedFingerprintOf(peer)`, `socketOf(peer)`;
 *    `NetMeter` adds `messagesReceived()`; `MemoryNetwork.crash()` is a test hook.
 */

/** Counts what a party put on the wire. Rounds are counted by protocols, not here. */
export interface Meter {
  /** Payload bytes this party has sent, by peer id. */
  readonly sentTo: Map<string, number>;
  /** Payload bytes this party has received, by peer id. */
  readonly receivedFrom: Map<string, number>;
  /** Total payload bytes sent to all peers. */
  bytesSent(): number;
  /** Total bytes received. */
  bytesReceived(): number;
  /** Messages sent. */
  messagesSent(): number;
}

/** A message being streamed to a peer (`Network.sendStream`). */
export interface OutgoingMessage {
  /**
   * Appends the message's next bytes, in order. The transport may hold `chunk` without
   * copying until it is framed: do not modify it before `done` settles. Throws a RangeError
   * past the announced total.
   */
  write(chunk: Uint8Array): void;
  /** Resolves once every byte is flushed to the socket buffer; rejects if the session fails (marked handled). */
  readonly done: Promise<void>;
}

export interface Network {
  /** This party's id. */
  readonly self: string;
  /** Every party in the session, self included, in session order. */
  readonly parties: readonly string[];
  readonly meter: Meter;
  /**
   * Queues `data` for `peer`, labelled `step`. Never blocks; ordering per peer is FIFO.
   * The caller may reuse `data` once the returned promise (which resolves when the data is
   * flushed to the socket buffer, i.e. backpressure) settles; callers that do not care may
   * ignore it (it is marked handled, so an abort cannot surface as an unhandled rejection).
   */
  send(peer: string, step: string, data: Uint8Array): Promise<void>;
  /**
   * The next message from `peer`. Rejects with `ProtocolDesyncError` if its step label is
   * not `step`, with `MalformedMessageError` if `expectedBytes` is given and differs, and
   * with a `PeerError` if the peer disconnects, times out or the session aborts.
   */
  recv(peer: string, step: string, expectedBytes?: number): Promise<Uint8Array>;
  /**
   * Optional: one message of exactly `totalBytes` to `peer`, labelled `step`, whose bytes
   * are written in chunks as they are produced (the TLS network frames and encrypts each
   * chunk at once, so computing the rest overlaps the wire). To the receiver it is one
   * ordinary message. Fewer bytes than announced leave the message unfinished (the peer's
   * recv times out), so write them all or abort the session.
   */
  sendStream?(peer: string, step: string, totalBytes: number): OutgoingMessage;
  /**
   * Optional: like `recv` with `expectedBytes = into.length`, but the message is written
   * straight into `into` (no allocation; the TLS network decodes into it as frames arrive)
   * and the promise resolves with a view of it. If the promise rejects, `into` holds
   * unspecified bytes.
   */
  recvInto?(peer: string, step: string, into: Uint8Array): Promise<Uint8Array>;
  /** Tells every peer the session is over because of `reason`, then closes. Idempotent. */
  abort(reason: Error): Promise<void>;
  /** Orderly close once every party is done. */
  close(): Promise<void>;
  /** Set once the session has been aborted, locally or by a peer. */
  readonly aborted: Error | undefined;
}
