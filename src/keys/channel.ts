/**
 * The message layer of the key ceremonies over a session `Network` (the nodes' pinned TLS
 * mesh): each round, a party sends at most one JSON message to each peer and receives at
 * most one from each, with a per-round deadline. A peer that stays silent past the deadline
 * or whose connection drops becomes a `SilentMemberError` naming it; a message that does not
 * parse becomes a `MisbehavingMemberError` naming its sender. Either ends the ceremony: the
 * caller aborts the network, so every member stops at the same round.
 */
import type { Network } from '../net/types.js';
import { PeerError, SessionAbortedError } from '../net/errors.js';
import { MisbehavingMemberError, SilentMemberError } from './errors.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

export class Channel {
  rounds = 0;
  constructor(
    readonly net: Network,
    /** Longest wait for one peer's message in one round. */
    readonly roundTimeoutMs: number,
  ) {}

  get self(): string {
    return this.net.self;
  }

  /** Sends `outgoing` (peer → message) and returns what each peer in `from` sent, in that order. */
  async exchange<T>(step: string, outgoing: Map<string, unknown>, from: readonly string[]): Promise<Map<string, T>> {
    this.rounds++;
    for (const [peer, msg] of outgoing) if (peer !== this.self) void this.net.send(peer, step, enc.encode(JSON.stringify(msg)));
    const got = new Map<string, T>();
    for (const peer of from) {
      if (peer === this.self) continue;
      got.set(peer, await this.recvOne<T>(peer, step));
    }
    return got;
  }

  /** The same message to every peer in `to`. */
  async broadcast<T>(step: string, msg: unknown, to: readonly string[], from: readonly string[]): Promise<Map<string, T>> {
    return this.exchange<T>(step, new Map(to.map((p) => [p, msg])), from);
  }

  private async recvOne<T>(peer: string, step: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new SilentMemberError(peer, step, `sent nothing within ${this.roundTimeoutMs} ms`)), this.roundTimeoutMs);
    });
    let bytes: Uint8Array;
    try {
      bytes = await Promise.race([this.net.recv(peer, step), timeout]);
    } catch (err) {
      if (err instanceof SilentMemberError) throw err;
      if (err instanceof SessionAbortedError) throw err; // a peer already named the culprit
      if (err instanceof PeerError) throw new SilentMemberError(err.peer, step, 'dropped out (its connection failed)', { cause: err });
      throw err;
    } finally {
      clearTimeout(timer);
    }
    try {
      return JSON.parse(dec.decode(bytes)) as T;
    } catch {
      throw new MisbehavingMemberError([peer], step, 'sent a message that is not valid JSON');
    }
  }
}
