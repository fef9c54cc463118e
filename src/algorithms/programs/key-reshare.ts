/**
 * Program `key-reshare` v1: old holders hand the key to a new member set with a new
 * threshold, same group key (src/keys/reshare.ts). Parameters: previous (the current public
 * key state), dealers (old holders, ≥ old threshold), members (new), threshold (new).
 * Output: the new public key state { key }.
 */
import { admitKeyCeremony, KEY_GUARDS } from './key-admit.js';
import type { GroupKeyInfo } from '../../keys/group-key.js';
import { runReshare } from '../../keys/reshare.js';
import { param, type Program } from '../program.js';
import { ceremonyOptions, cpuSecondsSince, isCount, isStringArray, keyChannel, keyStats } from './key-common.js';

const isKeyInfo = (v: unknown): v is GroupKeyInfo =>
  typeof v === 'object' && v !== null && typeof (v as GroupKeyInfo).keyId === 'string' && Array.isArray((v as GroupKeyInfo).members) && Array.isArray((v as GroupKeyInfo).commitments);

export const keyReshareProgram: Program = {
  name: 'key-reshare',
  version: '1.0.0',
  summary: 'reshare a threshold key to new members and a new threshold under the same group key',
  moduleUrl: import.meta.url,
  admit: admitKeyCeremony,
  defaultGuards: KEY_GUARDS,
  async run(ctx) {
    const previous = param(ctx.plan, 'previous', isKeyInfo, 'the current public key state');
    const dealers = param(ctx.plan, 'dealers', isStringArray, 'a list of old holders');
    const members = param(ctx.plan, 'members', isStringArray, 'a list of new member names');
    const threshold = param(ctx.plan, 'threshold', isCount, 'a positive integer');
    const ch = keyChannel(ctx);
    const co = ceremonyOptions(ctx, ch);
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const b0 = ctx.net.meter.bytesSent();
    const key = await runReshare({ previous, dealers, members, threshold }, co);
    return { output: { key, timings: co.timings, cpuSeconds: cpuSecondsSince(cpu0) }, stats: keyStats(ctx, ch, t0, b0, co) };
  },
};
