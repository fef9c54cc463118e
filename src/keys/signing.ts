/**
 * FROST signing (RFC 9591 §5) on noble's implementation, arranged for a network of members:
 * nonces are made ahead of time in batches (§5.1 `commit`, run "preprocessing" style as in
 * the FROST paper, Komlo & Goldberg 2020 §5.3), so a signature needs one round once the
 * commitments are known; every signer checks every commitment it is given and every share
 * it receives (§5.4 `verify_signature_share`), so a member that sends an invalid
 * commitment or a wrong share is named, not merely detected.
 */
import type { FrostSecret, NonceCommitments, Nonces } from '@noble/curves/abstract/frost.js';
import { MisbehavingMemberError } from './errors.js';
import { toFrostPublic, type GroupKeyInfo } from './group-key.js';
import { FROST, fromHex, toHex, tryPoint, tryScalar } from './suite.js';

/** A nonce commitment as members store and exchange it: [hiding, binding], compressed hex. */
export type CommitmentPair = [string, string];

export interface NonceBatch {
  /** Secret nonce pairs, index → [hiding, binding] scalars (hex). */
  secrets: Record<number, [string, string]>;
  commitments: Record<number, CommitmentPair>;
}

/** Makes `count` fresh nonce pairs with indices start..start+count-1 (RFC 9591 §5.1 commit()). */
export function makeNonceBatch(secret: FrostSecret, start: number, count: number): NonceBatch {
  const out: NonceBatch = { secrets: {}, commitments: {} };
  for (let i = 0; i < count; i++) {
    const g = FROST.commit(secret);
    out.secrets[start + i] = [toHex(g.nonces.hiding), toHex(g.nonces.binding)];
    out.commitments[start + i] = [toHex(g.commitments.hiding), toHex(g.commitments.binding)];
  }
  return out;
}

/** Builds the commitment list, naming any signer whose commitment is not a valid curve point. */
export function commitmentList(info: GroupKeyInfo, bySigner: Map<string, CommitmentPair | undefined>, step: string): NonceCommitments[] {
  const bad: string[] = [];
  const list: NonceCommitments[] = [];
  for (const [name, pair] of bySigner) {
    const m = info.members.find((x) => x.name === name)!;
    if (!Array.isArray(pair) || !tryPoint(pair[0]) || !tryPoint(pair[1])) {
      bad.push(name);
      continue;
    }
    list.push({ identifier: m.identifier, hiding: fromHex(pair[0]), binding: fromHex(pair[1]) });
  }
  if (bad.length) throw new MisbehavingMemberError(bad, step, 'sent a nonce commitment that is not a valid curve point');
  return list;
}

/** This member's signature share z_i (RFC 9591 §5.2); consumes (zeroes) the nonces. */
export function signShare(info: GroupKeyInfo, secret: FrostSecret, nonces: [string, string], list: NonceCommitments[], message: Uint8Array): string {
  const n: Nonces = { hiding: fromHex(nonces[0]), binding: fromHex(nonces[1]) };
  return toHex(FROST.signShare(secret, toFrostPublic(info), n, list, message));
}

/**
 * Aggregates (RFC 9591 §5.3) after checking every share (§5.4) so that a cheater is named
 * even when its share happens to be well-formed. Returns the 65-byte signature R ‖ z.
 */
export function aggregateChecked(info: GroupKeyInfo, list: NonceCommitments[], message: Uint8Array, shares: Map<string, string | undefined>, step: string): Uint8Array {
  const pub = toFrostPublic(info);
  const byId: Record<string, Uint8Array> = {};
  const bad: string[] = [];
  for (const [name, hex] of shares) {
    const m = info.members.find((x) => x.name === name)!;
    if (tryScalar(hex) === null) {
      bad.push(name);
      continue;
    }
    byId[m.identifier] = fromHex(hex!);
  }
  if (bad.length) throw new MisbehavingMemberError(bad, step, 'sent a malformed signature share');
  try {
    return FROST.aggregate(pub, list, message, byId);
  } catch (err) {
    const cheaters = (err as { cheaters?: string[] }).cheaters ?? [];
    const names = info.members.filter((m) => cheaters.includes(m.identifier)).map((m) => m.name);
    if (names.length) throw new MisbehavingMemberError(names, step, 'sent a signature share that fails verification against its verifying share', { cause: err });
    throw new MisbehavingMemberError([...shares.keys()], step, 'the signature did not aggregate and no single share could be blamed', { cause: err });
  }
}

/** Verifies a 65-byte FROST signature under a compressed group key (RFC 9591 §6.5). */
export function verifySignature(signature: Uint8Array, message: Uint8Array, groupKey: Uint8Array): boolean {
  try {
    return FROST.verify(signature, message, groupKey);
  } catch {
    return false;
  }
}
