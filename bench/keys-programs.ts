/**
 * Program module for the keys benchmark (loaded by the party processes through
 * `programModule`): the real key programs, plus `key-sign-bench`, which signs `count`
 * messages one after another in one session with the nonces the DKG preprocessed (index k
 * for the k-th signature), reporting each signature's protocol time — so process start and
 * the TLS handshake are paid once, as on a node that keeps its mesh.
 */
import type { Program } from '../src/algorithms/program.js';
import { PROGRAMS } from '../src/algorithms/programs/index.js';
import { keyChannel, keyLocal } from '../src/algorithms/programs/key-common.js';
import { runSign } from '../src/keys/sign-session.js';

const signBench: Program = {
  name: 'key-sign-bench',
  version: '1.0.0',
  summary: 'benchmark: sign `count` messages with preprocessed nonces in one session',
  moduleUrl: import.meta.url,
  async run(ctx) {
    const { keyId, signers, count } = ctx.plan.params as { keyId: string; signers: string[]; count: number };
    const l = keyLocal(ctx);
    const ch = keyChannel(ctx);
    const seconds: number[] = [];
    const cpu: number[] = [];
    const b0 = ctx.net.meter.bytesSent();
    let signature = '';
    for (let k = 0; k < count; k++) {
      const message = Buffer.from(`bench message ${k}`).toString('hex');
      const c0 = process.cpuUsage();
      const out = await runSign({ keyId, message, signers, nonceIndex: Object.fromEntries(signers.map((s) => [s, k])) }, { channel: ch, dir: l.keyDir, passphrase: l.passphrase });
      seconds.push(out.protocolSeconds);
      const d = process.cpuUsage(c0);
      cpu.push((d.user + d.system) / 1e6);
      signature = out.signature;
    }
    return { output: { seconds, cpu, signature }, stats: { seconds: seconds.reduce((a, b) => a + b, 0), bytesSent: (ctx.net.meter.bytesSent() - b0) / count, rounds: ch.rounds } };
  },
};

export const programs: ReadonlyMap<string, Program> = new Map([...PROGRAMS, [signBench.name, signBench]]);
