/**
 * Program `key-refresh` v1: every member re-randomises its share (proactive refresh,
 * Herzberg et al. 1995; src/keys/refresh.ts). Parameters: keyId, epoch (the one being
 * refreshed). Output: the new public key state { key } (epoch + 1, same group key).
 */
import { admitKeyCeremony, KEY_GUARDS } from './key-admit.js';
import { runRefresh } from '../../keys/refresh.js';
import { param, type Program } from '../program.js';
import { ceremonyOptions, cpuSecondsSince, keyChannel, keyStats } from './key-common.js';

export const keyRefreshProgram: Program = {
  name: 'key-refresh',
  version: '1.0.0',
  summary: 'proactive refresh of a threshold key: new shares, same group key, old shares useless',
  moduleUrl: import.meta.url,
  admit: admitKeyCeremony,
  defaultGuards: KEY_GUARDS,
  async run(ctx) {
    const keyId = param(ctx.plan, 'keyId', (v): v is string => typeof v === 'string', 'a hex key id');
    const epoch = param(ctx.plan, 'epoch', (v): v is number => Number.isInteger(v) && (v as number) >= 0, 'a non-negative integer');
    const ch = keyChannel(ctx);
    const co = ceremonyOptions(ctx, ch);
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const b0 = ctx.net.meter.bytesSent();
    const key = await runRefresh({ keyId, epoch }, co);
    return { output: { key, timings: co.timings, cpuSeconds: cpuSecondsSince(cpu0) }, stats: keyStats(ctx, ch, t0, b0, co) };
  },
};
