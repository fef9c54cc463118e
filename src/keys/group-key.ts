/**
 * The public description of a threshold key at one epoch — the same at every member and
 * safe to publish: the group key, the threshold, the members with their FROST identifiers
 * and verifying shares (s_i·G), and the Feldman commitments of the epoch's sharing
 * polynomial (commitments[0] is the group key). Its digest is what members acknowledge
 * after a ceremony and what the KeyRegistry contract's state is checked against.
 */
import type { FrostPublic } from '@noble/curves/abstract/frost.js';
import { KeyUsageError } from './errors.js';
import { evaluateCommitment } from './feldman.js';
import { normalizeZ } from '@noble/curves/abstract/curve.js';
import { Point, digest, fromHex, identifierScalar, pointToHex, toHex, tryPoint, utf8 } from './suite.js';

export interface KeyMember {
  name: string;
  /** FROST identifier (hex scalar). */
  identifier: string;
  /** s_i·G, compressed hex. */
  verifyingShare: string;
}

export interface GroupKeyInfo {
  /** Stable name of the key across epochs (hex): sha256 of the first group key and the creating session. */
  keyId: string;
  /** Compressed group public key (hex, 33 bytes). */
  groupKey: string;
  epoch: number;
  threshold: number;
  members: KeyMember[];
  /** Feldman commitments of this epoch's polynomial (hex); commitments[0] === groupKey. */
  commitments: string[];
}

export const MAX_MEMBERS = 255;

export function checkThreshold(threshold: number, members: number): void {
  if (!Number.isInteger(threshold) || !Number.isInteger(members)) throw new KeyUsageError('threshold and member count must be integers');
  if (members < 2 || members > MAX_MEMBERS) throw new KeyUsageError(`a threshold key needs 2..${MAX_MEMBERS} members (got ${members})`);
  if (threshold < 2 || threshold > members) {
    throw new KeyUsageError(`threshold must be between 2 and the member count ${members} (got ${threshold})`, {
      hint: 'A 1-of-n key is an ordinary key held n times; use --threshold 2 or more.',
    });
  }
}

/**
 * Builds the info from merged commitments: verifying shares are the commitment polynomial at
 * each identifier. All points are brought to affine form with one shared inversion
 * (Montgomery's trick) before they are encoded.
 */
export function buildGroupKeyInfo(keyId: string, epoch: number, members: { name: string; identifier: string }[], commitments: Point[]): GroupKeyInfo {
  const shares = members.map((m) => evaluateCommitment(commitments, identifierScalar(m.identifier)));
  const affine = normalizeZ(Point, [...commitments, ...shares]).map(pointToHex);
  return {
    keyId,
    groupKey: affine[0]!,
    epoch,
    threshold: commitments.length,
    members: members.map((m, i) => ({ ...m, verifyingShare: affine[commitments.length + i]! })),
    commitments: affine.slice(0, commitments.length),
  };
}

/** SHA-256 over a canonical encoding of the info; what members acknowledge. */
export function groupKeyDigest(info: GroupKeyInfo): string {
  const canonical = JSON.stringify([info.keyId, info.groupKey, info.epoch, info.threshold, info.members.map((m) => [m.name, m.identifier, m.verifyingShare]), info.commitments]);
  return toHex(digest(utf8('tacit/keys/group-key/v1'), utf8(canonical)));
}

/** noble's FROST public package for signing with this key. */
export function toFrostPublic(info: GroupKeyInfo): FrostPublic {
  return {
    signers: { min: info.threshold, max: info.members.length },
    commitments: info.commitments.map(fromHex),
    verifyingShares: Object.fromEntries(info.members.map((m) => [m.identifier, fromHex(m.verifyingShare)])),
  };
}

export function memberOf(info: GroupKeyInfo, name: string): KeyMember {
  const m = info.members.find((x) => x.name === name);
  if (!m) throw new KeyUsageError(`${name} is not a member of key ${info.keyId.slice(0, 16)}… at epoch ${info.epoch}`);
  return m;
}

/** Parsed commitments of an info (throws on a corrupt record). */
export function commitmentPoints(info: GroupKeyInfo): Point[] {
  return info.commitments.map((c, k) => {
    const p = tryPoint(c);
    if (!p) throw new KeyUsageError(`key record ${info.keyId.slice(0, 16)}… has an invalid commitment #${k}`);
    return p;
  });
}
