/**
 * Entry point of one party process started by `tacit run` or a benchmark: makes a fresh
 * TLS identity, binds a loopback port, announces both, waits for the session plan and its
 * private inputs on stdin, runs its part and reports the result — all as JSON lines.
 * Exit code 0 on success, 1 on a failure (reported as an `error` line first).
 */
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import type { Program } from '../../algorithms/program.js';
import { createIdentity, listenTlsEndpoint } from '../../net/index.js';
import { runParty } from '../runner/run-party.js';
import type { ChildMessage, StartMessage } from './messages.js';

const id = process.argv[2];
const host = process.argv[3] ?? '127.0.0.1';
const say = (m: ChildMessage) => process.stdout.write(JSON.stringify(m) + '\n');

async function main(): Promise<void> {
  if (!id) throw new Error('usage: party-main <party-id> [host]');
  const identity = createIdentity(id);
  const endpoint = await listenTlsEndpoint({ host, port: 0 });
  say({ type: 'ready', id, port: endpoint.port, fingerprint: identity.fingerprint });
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
    onProgress: (phase, done, total) => {
      const now = Date.now();
      if (done === total || now - last > 200) {
        last = now;
        say({ type: 'progress', phase, done, total });
      }
    },
  });
  await endpoint.close();
  say({ type: 'result', result });
}

// Exit only once stdout has taken everything: writes to a pipe are asynchronous, and a
// large result line (a clearing host's payments) would otherwise be cut off by exit().
const exitAfterFlush = (code: number) => process.stdout.write('', () => process.exit(code));
main().then(
  () => exitAfterFlush(0),
  (err: Error) => {
    say({ type: 'error', name: err?.name ?? 'Error', message: err?.message ?? String(err) });
    exitAfterFlush(1);
  },
);
