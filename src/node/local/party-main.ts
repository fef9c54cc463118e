/**
 * Entry point of one party process started by `tacit run` or a benchmark: makes a fresh
 * TLS identity, binds a loopback port, announces both, waits for the session plan and its
 * private inputs on stdin, runs its part and reports the result — all as JSON lines.
 * Exit code 0 on success, 1 on a failure (reported as an `error` line first).
 *
 * Every line is flushed before the process exits: a write to a pipe that the launcher has
 * not drained yet completes asynchronously, and `process.exit` would drop it (a 30,000-id
 * PSI result is ~1 MB). A receiver given `outFile` writes its output there itself, so a
 * large result never has to cross the pipe at all.
 */
import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import type { Program } from '../../algorithms/program.js';
import { createIdentity, listenTlsEndpoint } from '../../net/index.js';
import { runParty } from '../runner/run-party.js';
import type { ChildMessage, StartMessage } from './messages.js';

const id = process.argv[2];
const host = process.argv[3] ?? '127.0.0.1';

/** Writes one line; resolves once it has been handed to the OS (not merely queued). */
const say = (m: ChildMessage): Promise<void> =>
  new Promise((resolve) => {
    process.stdout.write(JSON.stringify(m) + '\n', () => resolve());
  });

async function main(): Promise<void> {
  if (!id) throw new Error('usage: party-main <party-id> [host]');
  const identity = createIdentity(id);
  const endpoint = await listenTlsEndpoint({ host, port: 0 });
  await say({ type: 'ready', id, port: endpoint.port, fingerprint: identity.fingerprint });
  const lines = createInterface({ input: process.stdin });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    lines.once('close', () => reject(new Error('the launcher closed before sending a plan')));
  });
  lines.close();
  const start = JSON.parse(first) as StartMessage;
  let programs: ReadonlyMap<string, Program> | undefined;
  if (start.programModule) {
    const mod = (await import(pathToFileURL(start.programModule).href)) as { programs: ReadonlyMap<string, Program> };
    programs = mod.programs;
  }
  let last = 0;
  const result = await runParty({
    plan: start.plan,
    identity,
    endpoint,
    local: start.local,
    programs,
    guards: start.guards,
    onProgress: (phase, done, total) => {
      const now = Date.now();
      if (done === total || now - last > 200) {
        last = now;
        void say({ type: 'progress', phase, done, total });
      }
    },
  });
  await endpoint.close();
  if (start.outFile && result.output !== undefined) {
    writeFileSync(start.outFile, JSON.stringify(result.output, null, 2) + '\n');
    result.output = { writtenTo: start.outFile };
  }
  await say({ type: 'result', result });
}

// Exit only once stdout has taken everything: writes to a pipe are asynchronous, and a
// large result line (a clearing host's payments) would otherwise be cut off by exit().
const exitAfterFlush = (code: number) => process.stdout.write('', () => process.exit(code));
main().then(
  () => process.exit(0),
  async (err: Error) => {
    const e = err as Error & { shortMessage?: string; details?: string; hint?: string };
    await say({
      type: 'error',
      name: e?.name ?? 'Error',
      message: e?.shortMessage ?? e?.message ?? String(err),
      ...(typeof e?.details === 'string' ? { details: e.details } : {}),
      ...(typeof e?.hint === 'string' ? { hint: e.hint } : {}),
    });
    process.exit(1);
  },
);
