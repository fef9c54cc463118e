/**
 * What a node reports on-chain when its session fails (TaskMarket.reportFailure): the phase,
 * what it saw, and the peer it blames — only for a fault it observed ITSELF on its own link
 * with that peer (the peer disconnected, went silent, sent a malformed or out-of-step
 * message, or presented the wrong key). An abort relayed by another party names its origin
 * and culprit, but this node cannot check that claim, so it blames nobody: a lying party
 * then cannot recruit honest ones into blaming an innocent (FaultRules rule 2 needs more
 * than half of all compute parties). Reports carry codes and an address, never data.
 * A key ceremony's `SilentMemberError` is such a fault on its own link (the member sent
 * nothing to THIS node within the round deadline, or its connection to this node dropped);
 * a `MisbehavingMemberError` can rest on what other members reported, so it blames nobody.
 */
import type { Address } from 'viem';
import { zeroAddress } from 'viem';
import { FailurePhase, FailureReason } from '../../chain/commit-reveal.js';
import {
  MalformedMessageError,
  PeerAuthError,
  PeerDisconnectedError,
  PeerError,
  PeerTimeoutError,
  ProtocolDesyncError,
  SessionAbortedError,
} from '../../net/index.js';
import { SilentMemberError } from '../../keys/errors.js';

export interface FailureReport {
  phase: number;
  reason: number;
  /** A party of the task, or the zero address. */
  blamed: Address;
}

/**
 * The report for `err`, raised while connecting (`connecting`) or computing. `members` are
 * the session's party ids (lowercase addresses); a peer outside them is never blamed.
 */
export function failureReport(err: unknown, connecting: boolean, members: ReadonlySet<string>, self: string): FailureReport {
  const phase = connecting ? FailurePhase.Connect : FailurePhase.Compute;
  if (err instanceof SessionAbortedError) return { phase, reason: FailureReason.Aborted, blamed: zeroAddress };
  if (err instanceof SilentMemberError) {
    const peer = err.member.toLowerCase();
    const reason = err.cause instanceof PeerDisconnectedError ? FailureReason.Disconnected : FailureReason.Timeout;
    return { phase, reason, blamed: members.has(peer) && peer !== self ? (peer as Address) : zeroAddress };
  }
  if (err instanceof PeerError) {
    const reason =
      err instanceof PeerDisconnectedError ? FailureReason.Disconnected
      : err instanceof PeerTimeoutError ? FailureReason.Timeout
      : err instanceof MalformedMessageError || err instanceof ProtocolDesyncError ? FailureReason.Malformed
      : err instanceof PeerAuthError ? FailureReason.Auth
      : FailureReason.Local;
    const peer = err.peer.toLowerCase();
    const blamed = members.has(peer) && peer !== self ? (peer as Address) : zeroAddress;
    return { phase, reason, blamed: reason === FailureReason.Local ? zeroAddress : blamed };
  }
  return { phase, reason: FailureReason.Local, blamed: zeroAddress };
}
