/**
 * Per-party traffic counters (payload bytes and messages, by peer). Frame headers and TLS
 * overhead are not counted: the figures describe the protocol's communication cost, which
 * is what MPC papers and our cost model compare, not the transport's.
 */
import type { Meter } from './types.js';

export class NetMeter implements Meter {
  readonly sentTo = new Map<string, number>();
  readonly receivedFrom = new Map<string, number>();
  private sent = 0;
  private received = 0;
  private messagesOut = 0;
  private messagesIn = 0;

  constructor(peers: Iterable<string>) {
    for (const p of peers) {
      this.sentTo.set(p, 0);
      this.receivedFrom.set(p, 0);
    }
  }

  recordSent(peer: string, bytes: number): void {
    this.sentTo.set(peer, (this.sentTo.get(peer) ?? 0) + bytes);
    this.sent += bytes;
    this.messagesOut++;
  }

  recordReceived(peer: string, bytes: number): void {
    this.receivedFrom.set(peer, (this.receivedFrom.get(peer) ?? 0) + bytes);
    this.received += bytes;
    this.messagesIn++;
  }

  bytesSent(): number {
    return this.sent;
  }

  bytesReceived(): number {
    return this.received;
  }

  messagesSent(): number {
    return this.messagesOut;
  }

  /** Messages received (an addition to `Meter`). */
  messagesReceived(): number {
    return this.messagesIn;
  }
}
