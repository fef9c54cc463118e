/**
 * Reshares a threshold key to new members and a new threshold under the same group key.
 * The dealers are the old members that take part (by default all old members); members that
 * leave deal and then delete their shares once every new holder has confirmed.
 */
import type { GroupKeyInfo } from '../../keys/group-key.js';
import { checkThreshold } from '../../keys/group-key.js';
import { figures } from './createKey.js';
import { checkNames, memberRecord, runKeySession, type KeyStoreParameters } from './keySession.js';

export interface ReshareKeyParameters extends KeyStoreParameters {
  keyId: string;
  members: string[];
  threshold: number;
  /** Old holders that deal (default: every old member). */
  dealers?: string[];
}
export interface ReshareKeyReturnType {
  key: GroupKeyInfo;
  previous: GroupKeyInfo;
  seconds: number;
  bytesPerParty: number;
}

/** @example const { key } = await reshareKey({ keyDir, passphrase, keyId, members: ['b','c','d'], threshold: 2 }) */
export async function reshareKey(p: ReshareKeyParameters): Promise<ReshareKeyReturnType> {
  checkNames(p.members, 'member');
  checkThreshold(p.threshold, p.members.length);
  const dealers0 = p.dealers;
  const anyOld = dealers0?.[0];
  let previous: GroupKeyInfo | undefined;
  if (anyOld) previous = memberRecord(p.keyDir, anyOld, p.keyId).key;
  else {
    for (const m of p.members) {
      try {
        previous = memberRecord(p.keyDir, m, p.keyId).key;
        break;
      } catch {
        /* a newcomer holds nothing yet */
      }
    }
  }
  if (!previous) previous = memberRecord(p.keyDir, p.members[0]!, p.keyId).key; // throws the clear "no share" error
  const dealers = dealers0 ?? previous.members.map((m) => m.name);
  const parties = [...new Set([...dealers, ...p.members])];
  const rs = await runKeySession('key-reshare', { previous, dealers, members: p.members, threshold: p.threshold }, parties, p);
  return { key: rs.get(p.members[0]!)!.output!['key'] as GroupKeyInfo, previous, ...figures(rs) };
}
