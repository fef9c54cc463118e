/**
 * Parties of a TLS session as separate OS processes (test/net/fixtures/party.ts), for the
 * multi-process tests: spawn them, hand them their peers, read their JSON-line events.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Identity } from '../../src/net/index.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/party.js', import.meta.url));

export interface Party {
  id: string;
  child: ChildProcess;
  next(event?: string): Promise<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

export function spawnParty(identity: Identity, setup: Record<string, unknown>): Party {
  const child = spawn(process.execPath, [FIXTURE], { stdio: ['pipe', 'pipe', 'inherit'] });
  const queue: Record<string, unknown>[] = [];
  const waiters: ((v: Record<string, unknown>) => void)[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const msg = JSON.parse(line) as Record<string, unknown>;
    const w = waiters.shift();
    if (w) w(msg);
    else queue.push(msg);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() }));
  });
  child.stdin!.write(`${JSON.stringify({ id: identity.id, keyPem: identity.keyPem, certPem: identity.certPem, ...setup })}\n`);
  return {
    id: identity.id,
    child,
    exited,
    async next(event) {
      const msg = queue.shift() ?? await new Promise<Record<string, unknown>>((resolve, reject) => {
        waiters.push(resolve);
        void exited.then(() => reject(new Error(`party ${identity.id} exited while the test waited for ${event ?? 'output'}`)));
      });
      if (event) assert.equal(msg.event, event, `party ${identity.id}: ${JSON.stringify(msg)}`);
      return msg;
    },
  };
}

/** Starts one process per identity; `pins` are the fingerprints every party pins (default: the real ones). */
export async function startSession(identities: Identity[], setup: Record<string, unknown>, pins?: Map<string, string>, perParty: Record<string, Record<string, unknown>> = {}): Promise<Party[]> {
  const sessionId = `proc-${Date.now()}`;
  const parties = identities.map((id) => spawnParty(id, { sessionId, ...setup, ...perParty[id.id] }));
  const ports = await Promise.all(parties.map(async (p) => (await p.next('listening')).port as number));
  parties.forEach((p, i) => {
    const peers = identities.flatMap((other, j) => (j === i ? [] : [{ id: other.id, host: '127.0.0.1', port: ports[j], fingerprint: pins?.get(other.id) ?? other.fingerprint }]));
    p.child.stdin!.end(`${JSON.stringify({ peers })}\n`);
  });
  return parties;
}

export const withDeadline = <T>(p: Promise<T>, ms: number, what: string) => Promise.race([
  p,
  new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms).unref()),
]);

