/**
 * What OT protocols see of the network: one peer, labelled messages, FIFO. The session's
 * `Comm` gives one ordered queue per peer in each direction, so two-party protocols that
 * run both roles at once (each party a sender in one instance and a receiver in the other)
 * keep their sends and receives in the same order at both ends.
 */
import type { Comm } from '../mpc/comm.js';

export interface OtChannel {
  readonly self: string;
  readonly peer: string;
  send(step: string, data: Uint8Array | BigUint64Array): void;
  recv(step: string, bytes?: number): Promise<Uint8Array>;
  recvWords(step: string, n: number): Promise<BigUint64Array>;
}

export function channelTo(comm: Comm, peer: string): OtChannel {
  return {
    self: comm.self,
    peer,
    send: (step, data) => comm.send(peer, step, data),
    recv: (step, bytes) => comm.recvBytes(peer, step, bytes),
    recvWords: (step, n) => comm.recvRing(peer, step, n),
  };
}
