/**
 * Test-only program module (loaded by party processes through `programModule`): the real key
 * programs, except that a member whose private inputs say `cheat` deviates in one way —
 * a bad DKG share it stands by, an invalid nonce commitment, a wrong signature share — or
 * kills its own process (SIGKILL) in the middle of a DKG, right after dealing.
 */
import type { Program, ProgramContext } from '../../src/algorithms/program.js';
import { keyDkgProgram } from '../../src/algorithms/programs/key-dkg.js';
import { keySignProgram } from '../../src/algorithms/programs/key-sign.js';
import { ceremonyOptions, keyChannel, keyLocal } from '../../src/algorithms/programs/key-common.js';
import { Channel } from '../../src/keys/channel.js';
import { runDkg } from '../../src/keys/dkg.js';
import { runSign } from '../../src/keys/sign-session.js';
import type { Network } from '../../src/net/types.js';

function dyingNetwork(net: Network, atStep: string): Network {
  return new Proxy(net, {
    get(target, prop, receiver) {
      if (prop === 'recv') {
        return (peer: string, step: string, n?: number) => {
          if (step === atStep) process.kill(process.pid, 'SIGKILL');
          return target.recv(peer, step, n);
        };
      }
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

const cheatOf = (ctx: ProgramContext) => ctx.local['cheat'] as string | undefined;

const dkg: Program = {
  ...keyDkgProgram,
  async run(ctx) {
    const cheat = cheatOf(ctx);
    if (!cheat) return keyDkgProgram.run(ctx);
    const p = ctx.plan.params as { members: string[]; threshold: number };
    if (cheat === 'die-after-deal') {
      const ch = new Channel(dyingNetwork(ctx.net, 'dkg/check'), 30_000);
      await runDkg(p, ceremonyOptions(ctx, ch));
      throw new Error('unreachable');
    }
    const victim = p.members.find((m) => m !== ctx.self)!;
    const key = await runDkg(p, ceremonyOptions(ctx, keyChannel(ctx)), { dealShareTo: victim });
    return { output: { key }, stats: { seconds: 0, bytesSent: 0, rounds: 0 } };
  },
};

const sign: Program = {
  ...keySignProgram,
  async run(ctx) {
    const cheat = cheatOf(ctx);
    if (!cheat) return keySignProgram.run(ctx);
    const l = keyLocal(ctx);
    const p = ctx.plan.params as { keyId: string; message: string; signers: string[]; nonceIndex?: Record<string, number> };
    const out = await runSign(p, { channel: keyChannel(ctx), dir: l.keyDir, passphrase: l.passphrase, tamper: cheat === 'bad-commitment' ? { badCommitment: true } : { badShare: true } });
    return { output: { ...out }, stats: { seconds: 0, bytesSent: 0, rounds: 0 } };
  },
};

export const programs: ReadonlyMap<string, Program> = new Map([
  [dkg.name, dkg],
  [sign.name, sign],
]);
