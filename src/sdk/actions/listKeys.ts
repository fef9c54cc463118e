/** Lists the threshold keys held under a key directory: one entry per key, with the members that hold a share here. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { GroupKeyInfo } from '../../keys/group-key.js';
import { listShareFiles } from '../../keys/share-store.js';

export interface KeySummary {
  keyId: string;
  groupKey: string;
  epoch: number;
  threshold: number;
  members: string[];
  /** Members with a share of this key under keyDir, and how many preprocessed nonces each has left. */
  heldBy: { member: string; epoch: number; noncesLeft: number }[];
}

/** @example const keys = listKeys({ keyDir }) */
export function listKeys(p: { keyDir: string }): KeySummary[] {
  if (!existsSync(p.keyDir)) return [];
  const byKey = new Map<string, { latest: GroupKeyInfo; heldBy: KeySummary['heldBy'] }>();
  for (const member of readdirSync(p.keyDir).sort()) {
    const dir = join(p.keyDir, member);
    if (!statSync(dir).isDirectory()) continue;
    for (const f of listShareFiles(dir)) {
      const e = byKey.get(f.key.keyId) ?? { latest: f.key, heldBy: [] };
      if (f.key.epoch > e.latest.epoch) e.latest = f.key;
      e.heldBy.push({ member, epoch: f.key.epoch, noncesLeft: Object.keys(f.nonces).length });
      byKey.set(f.key.keyId, e);
    }
  }
  return [...byKey.values()].map(({ latest, heldBy }) => ({
    keyId: latest.keyId,
    groupKey: latest.groupKey,
    epoch: latest.epoch,
    threshold: latest.threshold,
    members: latest.members.map((m) => m.name),
    heldBy,
  }));
}
