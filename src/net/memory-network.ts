/**
 * An in-process `Network` for unit tests: the same semantics as the TLS network (labels,
 * size checks, FIFO order, abort propagation, orderly close, metering: all in
 * `BaseNetwork`), with delivery through `setImmediate` so that sends and receives
 * interleave as they would over sockets. Sent data is copied into a fresh, 8-byte aligned
 * buffer at `send` time, so the sender may reuse its buffer at once.
 *
 * `crash()` is a test hook: the party vanishes without an ABORT, as a killed process would,
 * and its peers see `PeerDisconnectedError`.
 */
import { assertPartyId } from './identity.js';
import { abortInfoOf, PeerDisconnectedError, type AbortInfo } from './errors.js';
import { BaseNetwork, DEFAULT_MAX_BUFFERED_BYTES } from './base-network.js';
import { DEFAULT_MAX_MESSAGE_BYTES } from './framing.js';
import { TacitError } from '../errors.js';

export interface MemoryNetworkOptions {
  /** Default 60 000 ms, as for TLS; 0 = wait forever. */
  idleTimeoutMs?: number;
  maxMessageBytes?: number;
  /** Default 1 GiB, as for TLS. */
  maxBufferedBytes?: number;
}

export class MemoryNetwork extends BaseNetwork {
  private gone = false;
  private crashed = false;

  constructor(self: string, parties: readonly string[], private readonly hub: Map<string, MemoryNetwork>, options: Required<MemoryNetworkOptions>) {
    super(self, parties, options);
  }

  /** Test hook: disappear without a word, like a killed process. */
  crash(): void {
    if (this.gone) return;
    this.gone = true;
    this.crashed = true;
    this.closing = true;
    this.fail(new TacitError(`Party '${this.self}' crashed (test hook)`));
    for (const p of this.peers) setImmediate(() => this.hub.get(p)!.peerVanished(this.self));
  }

  protected transmit(peer: string, step: string, data: Uint8Array): Promise<void> {
    const copy = new Uint8Array(data.length); // own ArrayBuffer: aligned, and the sender may reuse `data`
    copy.set(data);
    const from = this.self;
    setImmediate(() => this.hub.get(peer)!.arrive(from, step, copy));
    return Promise.resolve();
  }

  protected teardown(err: Error): Promise<void> {
    this.gone = true;
    if (!this.crashed) {
      const info = abortInfoOf(this.self, err);
      for (const p of this.peers) setImmediate(() => this.hub.get(p)!.abortFrom(this.self, info));
    }
    return Promise.resolve();
  }

  protected closeTransport(): Promise<void> {
    this.gone = true;
    for (const p of this.peers) setImmediate(() => this.hub.get(p)!.closeFrom(this.self));
    return new Promise((resolve) => setImmediate(resolve));
  }

  private arrive(from: string, step: string, data: Uint8Array): void {
    if (this.gone) return;
    const inbox = this.inboxes.get(from)!;
    let into: Uint8Array | undefined;
    try {
      into = inbox.admit(step, data.length); // the same limits as over TLS (here judged after the copy)
    } catch (err) {
      if (!this.closing && !this.aborted) this.fail(err as Error);
      return;
    }
    if (into) into.set(data); // a waiting recvInto's destination
    inbox.deliver(step, into ?? data);
  }

  private abortFrom(from: string, info: AbortInfo): void {
    if (!this.gone) this.peerAborted(from, JSON.parse(JSON.stringify(info)) as AbortInfo);
  }

  private closeFrom(from: string): void {
    if (!this.gone) this.inboxes.get(from)!.end();
  }

  private peerVanished(peer: string): void {
    if (!this.gone) this.fail(new PeerDisconnectedError(peer, this.stepFor(peer), { details: 'the connection ended without CLOSE or ABORT' }));
  }
}

/** One `Network` per party id, in the given order, all connected to each other in memory. */
export function createMemoryNetworks(partyIds: readonly string[], options: MemoryNetworkOptions = {}): MemoryNetwork[] {
  for (const id of partyIds) assertPartyId(id);
  if (new Set(partyIds).size !== partyIds.length) throw new RangeError('party ids must be distinct');
  if (partyIds.length < 2) throw new RangeError('a session needs at least two parties');
  const opts = {
    idleTimeoutMs: options.idleTimeoutMs ?? 60_000,
    maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    maxBufferedBytes: options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES,
  };
  const hub = new Map<string, MemoryNetwork>();
  for (const id of partyIds) hub.set(id, new MemoryNetwork(id, partyIds, hub, opts));
  return partyIds.map((id) => hub.get(id)!);
}
