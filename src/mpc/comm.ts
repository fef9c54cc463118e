/**
 * What protocols see of the network: ring tensors in and out, a round counter, and the
 * per-session byte meter. One message per peer per round carries a whole tensor, whatever
 * its size; `round()` is called once per communication round by every compute party, so
 * `rounds` is the protocol's latency in round trips, independent of the transport.
 */
import type { Network } from '../net/types.js';
import { ownBytes } from '../net/bytes.js';

export class Comm {
  readonly net: Network;
  /** Communication rounds so far (as seen by this party). */
  rounds = 0;

  constructor(net: Network) {
    this.net = net;
  }

  get self(): string {
    return this.net.self;
  }

  /** Marks the start of a new communication round. */
  round(): void {
    this.rounds++;
  }

  bytesSent(): number {
    return this.net.meter.bytesSent();
  }

  /** Sends ring elements (or raw bytes) to `peer` under `step`. */
  send(peer: string, step: string, data: BigUint64Array | Uint8Array): void {
    const bytes = data instanceof Uint8Array ? data : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    // Backpressure is applied by the transport; a failed send surfaces on the next recv.
    this.net.send(peer, step, bytes).catch(() => {});
  }

  /**
   * Starts one message of `n` ring elements to `peer` under `step`, written in chunks as
   * they are computed (`Network.sendStream`; gathered and sent whole on a network without
   * it). Returns the function that appends the next chunk; chunks must stay unmodified
   * until the round is over. Failures surface on the next recv, as for `send`.
   */
  sendRingStream(peer: string, step: string, n: number): (chunk: BigUint64Array) => void {
    const asBytes = (c: BigUint64Array) => new Uint8Array(c.buffer, c.byteOffset, c.byteLength);
    if (this.net.sendStream) {
      const out = this.net.sendStream(peer, step, n * 8);
      out.done.catch(() => {});
      return (chunk) => out.write(asBytes(chunk));
    }
    const all = new Uint8Array(n * 8);
    let have = 0;
    return (chunk) => {
      all.set(asBytes(chunk), have);
      have += chunk.byteLength;
      if (have === all.length) this.send(peer, step, all);
    };
  }

  /**
   * Receives exactly `n` ring elements from `peer` under `step`; with `into` (of length n)
   * the transport decodes straight into it (`Network.recvInto`) and returns it.
   */
  async recvRing(peer: string, step: string, n: number, into?: BigUint64Array): Promise<BigUint64Array> {
    if (into) {
      if (into.length !== n) throw new RangeError(`recvRing: destination holds ${into.length} elements, not ${n}`);
      const dest = new Uint8Array(into.buffer, into.byteOffset, into.byteLength);
      if (this.net.recvInto) await this.net.recvInto(peer, step, dest);
      else dest.set(await this.net.recv(peer, step, n * 8));
      return into;
    }
    const bytes = await this.net.recv(peer, step, n * 8);
    if (bytes.byteOffset % 8 === 0) return new BigUint64Array(bytes.buffer, bytes.byteOffset, n);
    return new BigUint64Array(ownBytes(bytes).buffer, 0, n);
  }

  /** Receives raw bytes (length checked when `expected` is given). */
  recvBytes(peer: string, step: string, expected?: number): Promise<Uint8Array> {
    return this.net.recv(peer, step, expected);
  }
}
