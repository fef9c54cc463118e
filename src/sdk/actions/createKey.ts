/** Creates a threshold key among members by distributed key generation (no one holds the whole key). */
import type { GroupKeyInfo } from '../../keys/group-key.js';
import { checkThreshold } from '../../keys/group-key.js';
import { runKeySession, type KeyStoreParameters } from './keySession.js';

export interface CreateKeyParameters extends KeyStoreParameters {
  members: string[];
  threshold: number;
}
export interface CreateKeyReturnType {
  key: GroupKeyInfo;
  seconds: number;
  bytesPerParty: number;
}

/** @example const { key } = await createKey({ keyDir, passphrase, members: ['a','b','c'], threshold: 2 }) */
export async function createKey(p: CreateKeyParameters): Promise<CreateKeyReturnType> {
  checkThreshold(p.threshold, p.members.length);
  const rs = await runKeySession('key-dkg', { members: p.members, threshold: p.threshold }, p.members, p);
  const first = rs.get(p.members[0]!)!;
  return { key: first.output!['key'] as GroupKeyInfo, ...figures(rs) };
}

export function figures(rs: Map<string, { stats: { seconds: number; bytesSent: number } }>): { seconds: number; bytesPerParty: number } {
  const all = [...rs.values()];
  return { seconds: Math.max(...all.map((r) => r.stats.seconds)), bytesPerParty: Math.round(all.reduce((s, r) => s + r.stats.bytesSent, 0) / all.length) };
}
