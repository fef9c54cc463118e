/**
 * What this party saw of a session, as the link digests it commits to on-chain
 * (contracts/CommitReveal.sol): the Network handed to the program is wrapped so that every
 * message sent to and received from each peer is hashed, per direction, in order. The
 * Network contract (net/types.ts) makes each link a FIFO whose n-th received message is the
 * peer's n-th sent one, so both endpoints of a link hash the same bytes in the same order and
 * arrive at the same link digest by themselves — no party takes the value from another.
 *
 * Each message enters the hash as len(step) ‖ step ‖ len(data) ‖ data (lengths as 64-bit
 * big-endian), so step labels and message boundaries are bound too. The wrapper forwards
 * every other member (meter, parties, abort …) to the real network untouched.
 */
import { createHash, type Hash } from 'node:crypto';
import type { Hex } from 'viem';
import type { Network } from '../../net/index.js';
import { linkDigest } from '../../chain/commit-reveal.js';

export interface RecordedNetwork {
  /** The network to hand to the program. */
  net: Network;
  /** The link digest with `peer` over the traffic so far (call after the session). */
  linkDigest(peer: string): Hex;
}

function frame(h: Hash, step: string, data: Uint8Array): void {
  const s = Buffer.from(step, 'utf8');
  const len = Buffer.alloc(16);
  len.writeBigUInt64BE(BigInt(s.length), 0);
  len.writeBigUInt64BE(BigInt(data.byteLength), 8);
  h.update(len.subarray(0, 8)).update(s).update(len.subarray(8)).update(data);
}

export function recordTranscript(inner: Network): RecordedNetwork {
  const sent = new Map<string, Hash>();
  const received = new Map<string, Hash>();
  const of = (m: Map<string, Hash>, peer: string) => {
    let h = m.get(peer);
    if (!h) m.set(peer, (h = createHash('sha256')));
    return h;
  };
  const send = (peer: string, step: string, data: Uint8Array) => {
    frame(of(sent, peer), step, data);
    return inner.send(peer, step, data);
  };
  const recv = async (peer: string, step: string, expectedBytes?: number) => {
    const data = await inner.recv(peer, step, expectedBytes);
    frame(of(received, peer), step, data);
    return data;
  };
  const net = new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'send') return send;
      if (prop === 'recv') return recv;
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return {
    net,
    linkDigest(peer) {
      return linkDigest(inner.self, peer, of(sent, peer).copy().digest(), of(received, peer).copy().digest());
    },
  };
}
