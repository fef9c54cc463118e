/**
 * Program `key-dkg` v1: the members jointly create a threshold key (FROST DKG, src/keys/dkg.ts).
 * Parameters: members (names, in identifier order), threshold. Each member's output: the
 * public key state { key }; its share goes only to its own encrypted key store.
 */
import { admitKeyCeremony, KEY_GUARDS } from './key-admit.js';
import { runDkg } from '../../keys/dkg.js';
import { param, type Program } from '../program.js';
import { ceremonyOptions, cpuSecondsSince, isCount, isStringArray, keyChannel, keyStats } from './key-common.js';

export const keyDkgProgram: Program = {
  name: 'key-dkg',
  version: '1.0.0',
  summary: 'distributed generation of a FROST(secp256k1) threshold key; each member keeps only its share',
  moduleUrl: import.meta.url,
  admit: admitKeyCeremony,
  defaultGuards: KEY_GUARDS,
  async run(ctx) {
    const members = param(ctx.plan, 'members', isStringArray, 'a list of member names');
    const threshold = param(ctx.plan, 'threshold', isCount, 'a positive integer');
    const ch = keyChannel(ctx);
    const co = ceremonyOptions(ctx, ch);
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const b0 = ctx.net.meter.bytesSent();
    const key = await runDkg({ members, threshold }, co);
    return { output: { key, timings: co.timings, cpuSeconds: cpuSecondsSince(cpu0) }, stats: keyStats(ctx, ch, t0, b0, co) };
  },
};
