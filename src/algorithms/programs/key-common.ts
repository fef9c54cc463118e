/**
 * What the key ceremony programs share: each member's private inputs (its key directory and
 * passphrase, which reach only its own process), the ceremony channel over the session's
 * TLS mesh with a per-round deadline, and the result statistics. Every member of a key
 * ceremony is a party of the session plan; the plan's parameters are public.
 */
import { Channel } from '../../keys/channel.js';
import type { CeremonyOptions } from '../../keys/holder.js';
import { ProgramError, type ProgramContext, type ProgramResult } from '../program.js';

/** Default longest wait for one member's message in one round. */
export const DEFAULT_ROUND_TIMEOUT_MS = 30_000;

export interface KeyLocal {
  keyDir: string;
  passphrase: string;
  scryptN?: number;
}

export function keyLocal(ctx: ProgramContext): KeyLocal {
  const { keyDir, passphrase, scryptN } = ctx.local as Partial<KeyLocal>;
  if (typeof keyDir !== 'string' || !keyDir) throw new ProgramError(`${ctx.plan.program}: member ${ctx.self} has no key directory (local.keyDir)`);
  if (typeof passphrase !== 'string' || passphrase.length < 8) throw new ProgramError(`${ctx.plan.program}: member ${ctx.self} needs a passphrase of at least 8 characters for its key store`);
  return { keyDir, passphrase, scryptN: typeof scryptN === 'number' ? scryptN : undefined };
}

/**
 * The ceremony channel. The round deadline is the plan's `roundTimeoutMs` (default 30 s),
 * capped by the member's own `local.roundTimeoutMs` (a node's guard): a member decides how
 * long it waits for a silent peer, not the requester.
 */
export function keyChannel(ctx: ProgramContext): Channel {
  const t = ctx.plan.params['roundTimeoutMs'];
  const cap = (ctx.local as { roundTimeoutMs?: unknown }).roundTimeoutMs;
  const asked = typeof t === 'number' && t > 0 ? t : DEFAULT_ROUND_TIMEOUT_MS;
  ctx.progress?.(ctx.plan.program, 0, 1);
  return new Channel(ctx.net, typeof cap === 'number' && cap > 0 ? Math.min(asked, cap) : asked);
}

export function ceremonyOptions(ctx: ProgramContext, ch: Channel): CeremonyOptions {
  const l = keyLocal(ctx);
  const b = ctx.plan.params['nonceBatch'];
  return {
    channel: ch,
    sessionId: ctx.plan.sessionId,
    store: { dir: l.keyDir, passphrase: l.passphrase, scryptN: l.scryptN },
    nonceBatch: typeof b === 'number' ? b : undefined,
    timings: { preprocessSeconds: 0, storeSeconds: 0 },
  };
}

/** CPU seconds this process used since `since` (process.cpuUsage), for benchmarks on shared machines. */
export function cpuSecondsSince(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1e6;
}

/**
 * Statistics of a ceremony: `seconds` is the protocol itself (rounds and their arithmetic);
 * making the first nonce batch and encrypting the share (scrypt) are reported apart in the
 * output's `timings`, since they are local work that does not depend on the other members.
 */
export function keyStats(ctx: ProgramContext, ch: Channel, t0: number, bytes0: number, o?: CeremonyOptions): ProgramResult['stats'] {
  const local = o?.timings ? o.timings.preprocessSeconds + o.timings.storeSeconds : 0;
  return { seconds: (performance.now() - t0) / 1000 - local, bytesSent: ctx.net.meter.bytesSent() - bytes0, rounds: ch.rounds };
}

export const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
export const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0;
