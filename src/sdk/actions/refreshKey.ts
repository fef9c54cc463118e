/** Proactively refreshes a threshold key: every member gets a new share, the group key stays, old shares become useless. */
import type { GroupKeyInfo } from '../../keys/group-key.js';
import { figures } from './createKey.js';
import { memberRecord, runKeySession, type KeyStoreParameters } from './keySession.js';

export interface RefreshKeyParameters extends KeyStoreParameters {
  keyId: string;
  /** Any member (its record names all members). */
  member: string;
}
export interface RefreshKeyReturnType {
  key: GroupKeyInfo;
  seconds: number;
  bytesPerParty: number;
}

/** @example const { key } = await refreshKey({ keyDir, passphrase, keyId, member: 'a' }) */
export async function refreshKey(p: RefreshKeyParameters): Promise<RefreshKeyReturnType> {
  const current = memberRecord(p.keyDir, p.member, p.keyId).key;
  const members = current.members.map((m) => m.name);
  const rs = await runKeySession('key-refresh', { keyId: p.keyId, epoch: current.epoch }, members, p);
  return { key: rs.get(members[0]!)!.output!['key'] as GroupKeyInfo, ...figures(rs) };
}
