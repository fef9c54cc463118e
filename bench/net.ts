/**
 * Network throughput over loopback TLS 1.3. First raw TLS against Tacit's transport for the
 * same bytes between the same processes (bench/net-ring.ts: 2 and 3 processes each sending
 * 8 MB to the next per repetition, the traffic of one rep3 multiplication of 1e6 elements):
 *   {"suite":"net","op":"ring","parties":3,"bytes":…,"channel":"bulk","rawTcpSeconds":…,"rawTlsSeconds":…,"tacitSeconds":…,"tacitVsRawTls":…,"tacitTlsSeconds":…}
 * (`channel`: what the default session used; `tacitTls…`: the same session with `bulk: false`).
 * Then, between two OS processes: one 1 GiB message, then many 8 MiB messages. This process is party `a` (the sender); it spawns this same
 * file as party `b` (the receiver), which checks each message's size and a SHA-256 of the
 * 1 GiB message, and reports its receive times. One JSON line per measurement:
 *   {"suite":"net","op":"transfer","bytes":…,"seconds":…,"gbps":…}
 * `gbps` is gigabytes (10^9 bytes) per second of payload, timed by the sender from the first
 * send call until the receiver's one-byte acknowledgement of the last message arrives.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { connectTlsNetwork, createIdentity, listenTlsEndpoint, loadIdentity, type TlsNetworkOptions } from '../src/net/index.js';
import { runRing } from './net-ring.js';

const HOST = '127.0.0.1';
/** TACIT_BENCH_SMALL=1: 1/16 of the sizes, to check the code runs on a busy machine. */
const SMALL = process.env.TACIT_BENCH_SMALL === '1';
const BIG = SMALL ? 2 ** 26 : 2 ** 30;
const MEDIUM = 8 * 2 ** 20;
const MEDIUM_COUNT = SMALL ? 8 : 128;
const RING_BYTES = 8_000_000;
const RING_REPS = SMALL ? 5 : 15;

interface Result { suite: 'net'; op: string; bytes: number; messages: number; seconds: number; gbps: number }

export async function runNetBench(opts: { json: boolean }): Promise<Result[]> {
  for (const parties of [2, 3]) {
    const r = await runRing({ parties, bytes: RING_BYTES, reps: RING_REPS });
    const line = {
      suite: 'net', op: 'ring', ...r, rawTcpSeconds: round(r.rawTcpSeconds), rawTlsSeconds: round(r.rawTlsSeconds), tacitSeconds: round(r.tacitSeconds), tacitVsRawTls: round(r.tacitSeconds / r.rawTlsSeconds),
      tacitTlsSeconds: round(r.tacitTlsSeconds), tacitTlsVsRawTls: round(r.tacitTlsSeconds / r.rawTlsSeconds), tacitTlsCpuSeconds: round(r.tacitTlsCpuSeconds),
      rawTcpCpuSeconds: round(r.rawTcpCpuSeconds), rawTlsCpuSeconds: round(r.rawTlsCpuSeconds), tacitCpuSeconds: round(r.tacitCpuSeconds), tacitVsRawTlsCpu: round(r.tacitCpuSeconds / r.rawTlsCpuSeconds),
    };
    console.log(opts.json ? JSON.stringify(line) : `net ring of ${parties}: ${RING_BYTES} B each way, raw TLS ${line.rawTlsSeconds} s, raw TCP ${line.rawTcpSeconds} s, Tacit on ${r.channel} ${line.tacitSeconds} s (x${line.tacitVsRawTls}), Tacit on TLS ${line.tacitTlsSeconds} s`);
  }
  const a = createIdentity('a');
  const b = createIdentity('b');
  const endpoint = await listenTlsEndpoint({ host: HOST, port: 0 });
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--net-bench-child'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const next = (() => {
    const it = lines[Symbol.asyncIterator]();
    return async () => {
      const r = await it.next();
      if (r.done) throw new Error('benchmark child exited early');
      return JSON.parse(r.value) as Record<string, unknown>;
    };
  })();
  try {
    child.stdin!.write(`${JSON.stringify({ id: b.id, keyPem: b.keyPem, certPem: b.certPem, peer: { id: 'a', host: HOST, port: endpoint.port, fingerprint: a.fingerprint } })}\n`);
    const { port } = (await next()) as { port: number };
    const net = await connectTlsNetwork({
      sessionId: 'net-bench', self: a, listen: endpoint, connectTimeoutMs: 20_000, idleTimeoutMs: 0,
      peers: [{ id: 'b', host: HOST, port, fingerprint: b.fingerprint }],
    } satisfies TlsNetworkOptions);
    const results: Result[] = [];
    const report = (op: string, bytes: number, messages: number, seconds: number) => {
      const r: Result = { suite: 'net', op, bytes, messages, seconds: round(seconds), gbps: round(bytes / seconds / 1e9) };
      results.push(r);
      console.log(opts.json ? JSON.stringify(r) : `net ${op}: ${messages} × ${bytes / messages} B in ${r.seconds} s = ${r.gbps} GB/s`);
    };

    const big = new Uint8Array(BIG);
    for (let i = 0; i < BIG; i += 4096) big[i] = (i >>> 12) & 0xff;
    const digest = createHash('sha256').update(big).digest('hex');
    await net.recv('b', 'ready');
    let t0 = performance.now();
    await net.send('b', 'big', big);
    await net.recv('b', 'big-received', 1);
    const bigSeconds = (performance.now() - t0) / 1000;
    const reply = await net.recv('b', 'big-digest');
    const got = JSON.parse(Buffer.from(reply).toString()) as { digest: string };
    if (got.digest !== digest) throw new Error('1 GiB message arrived corrupted');
    report('transfer', BIG, 1, bigSeconds);

    const medium = big.subarray(0, MEDIUM);
    t0 = performance.now();
    for (let i = 0; i < MEDIUM_COUNT; i++) void net.send('b', 'medium', medium);
    await net.recv('b', 'medium-done', 1);
    report('transfer', MEDIUM * MEDIUM_COUNT, MEDIUM_COUNT, (performance.now() - t0) / 1000);
    await net.close();
    return results;
  } finally {
    await endpoint.close();
    if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
  }
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

async function child(): Promise<void> {
  const lines = createInterface({ input: process.stdin });
  const first = await new Promise<string>((resolve) => lines.once('line', resolve));
  lines.close();
  const d = JSON.parse(first) as { id: string; keyPem: string; certPem: string; peer: TlsNetworkOptions['peers'][number] };
  const self = loadIdentity(d.id, d.keyPem, d.certPem);
  const endpoint = await listenTlsEndpoint({ host: HOST, port: 0 });
  process.stdout.write(`${JSON.stringify({ port: endpoint.port })}\n`);
  const net = await connectTlsNetwork({ sessionId: 'net-bench', self, listen: endpoint, peers: [d.peer], connectTimeoutMs: 20_000, idleTimeoutMs: 0 });
  await net.send('a', 'ready', new Uint8Array(1));
  const big = await net.recv('a', 'big', BIG);
  await net.send('a', 'big-received', new Uint8Array(1));
  const digest = createHash('sha256').update(big).digest('hex');
  await net.send('a', 'big-digest', Buffer.from(JSON.stringify({ digest })));
  for (let i = 0; i < MEDIUM_COUNT; i++) await net.recv('a', 'medium', MEDIUM);
  await net.send('a', 'medium-done', new Uint8Array(1));
  await net.close();
}

if (process.argv.includes('--net-bench-child')) await child();
else if (process.argv[1] === fileURLToPath(import.meta.url)) await runNetBench({ json: process.argv.includes('--json') });
