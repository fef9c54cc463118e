/**
 * Raw TLS against Tacit's transport, for the same bytes between the same processes.
 *
 * `k` OS processes on loopback in a ring (with k = 2, both ways): in each repetition every
 * party sends `bytes` to the next and receives `bytes` from the previous one at the same
 * time — the traffic of one MPC round such as rep3's multiplication (8 MB a party for 1e6
 * elements). Three transports run in turn on the same processes:
 *   - raw-tcp: plain node:net sockets, one `write` of the whole buffer, the receiver only
 *     counts bytes — no encryption at all: what the kernel and libuv cost, the floor under
 *     any encrypted channel (a TLS or AES-GCM transport adds its cipher's work to this);
 *   - raw-tls: node:tls sockets (TLS 1.3, the same keys), one `write` of the whole buffer,
 *     the receiver only counts bytes (the least any TLS transport can do);
 *   - tacit: `TlsNetwork.send` / `recv` with the size hint, as the engine's `Comm` uses them,
 *     on the channel a session gets by default (`channel`: 'bulk' for the bulk AEAD channel of
 *     src/net/bulk-channel.ts, 'tls' if it is off, e.g. TACIT_NET_BULK=0);
 *   - tacit-tls: the same with `bulk: false`, every frame on node:tls (the transport before
 *     the bulk channel), on a second session between the same processes.
 * Repetitions are separated by a barrier; a repetition's time is the slowest party's, and
 * the figure is the median over repetitions (the machine is shared: compare the two
 * transports' medians from the same run, not absolute times across runs). CPU seconds
 * (user + system of the busiest party) are reported too: they hardly depend on other load.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import nodeNet from 'node:net';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { connectTlsNetwork, createIdentity, listenTlsEndpoint, loadIdentity, type TlsNetwork, type TlsPeer } from '../src/net/index.js';

const HOST = '127.0.0.1';

export interface RingResult {
  parties: number;
  bytes: number;
  reps: number;
  rawTcpSeconds: number;
  rawTlsSeconds: number;
  tacitSeconds: number;
  tacitTlsSeconds: number;
  /** Which channel the default session used ('bulk' or 'tls'). */
  channel: string;
  /** CPU seconds (user + system) of the busiest party per repetition, median: insensitive to other load. */
  rawTcpCpuSeconds: number;
  rawTlsCpuSeconds: number;
  tacitCpuSeconds: number;
  tacitTlsCpuSeconds: number;
}

/** Runs the ring with `parties` processes; returns the median seconds per transport. */
export async function runRing(opts: { parties: number; bytes: number; reps: number }): Promise<RingResult> {
  const ids = Array.from({ length: opts.parties }, (_, i) => createIdentity(`r${i}`));
  const kids = ids.map((id, i) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--ring-child'], { stdio: ['pipe', 'pipe', 'inherit'] });
    const it = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    const next = async () => {
      const r = await it.next();
      if (r.done) throw new Error(`ring party ${i} exited early`);
      return JSON.parse(r.value as string) as Record<string, unknown>;
    };
    child.stdin!.write(`${JSON.stringify({ index: i, parties: opts.parties, bytes: opts.bytes, reps: opts.reps, id: id.id, keyPem: id.keyPem, certPem: id.certPem })}\n`);
    return { child, next, exit: new Promise((r) => child.once('exit', r)) };
  });
  const ports = await Promise.all(kids.map((k) => k.next()));
  const peers = ids.map((id, i) => ({ id: id.id, host: HOST, port: ports[i]!.port as number, rawPort: ports[i]!.rawPort as number, tcpPort: ports[i]!.tcpPort as number, tlsPort: ports[i]!.tlsPort as number, fingerprint: id.fingerprint }));
  for (const k of kids) k.child.stdin!.end(`${JSON.stringify({ peers })}\n`);
  const reports = await Promise.all(kids.map((k) => k.next()));
  await Promise.all(kids.map((k) => k.exit));
  const slowest = (key: string) => Array.from({ length: opts.reps }, (_, r) => Math.max(...reports.map((x) => (x[key] as number[])[r]!)));
  return {
    parties: opts.parties, bytes: opts.bytes, reps: opts.reps,
    rawTcpSeconds: median(slowest('tcp')), rawTlsSeconds: median(slowest('raw')), tacitSeconds: median(slowest('tacit')), tacitTlsSeconds: median(slowest('tacitTls')),
    channel: String(reports[0]!.channel),
    rawTcpCpuSeconds: median(slowest('tcpCpu')), rawTlsCpuSeconds: median(slowest('rawCpu')), tacitCpuSeconds: median(slowest('tacitCpu')), tacitTlsCpuSeconds: median(slowest('tacitTlsCpu')),
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

async function child(): Promise<void> {
  const it = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  const d = JSON.parse((await it.next()).value as string) as { index: number; parties: number; bytes: number; reps: number; id: string; keyPem: string; certPem: string };
  const self = loadIdentity(d.id, d.keyPem, d.certPem);
  const endpoint = await listenTlsEndpoint({ host: HOST, port: 0 });
  const endpointTls = await listenTlsEndpoint({ host: HOST, port: 0 });
  const server = tls.createServer({ key: self.keyPem, cert: self.certPem, minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' });
  await new Promise<void>((r) => server.listen(0, HOST, r));
  const rawIn = new Promise<tls.TLSSocket>((r) => server.once('secureConnection', r));
  const tcpServer = nodeNet.createServer();
  await new Promise<void>((r) => tcpServer.listen(0, HOST, r));
  const tcpIn = new Promise<nodeNet.Socket>((r) => tcpServer.once('connection', r));
  process.stdout.write(`${JSON.stringify({ port: endpoint.port, tlsPort: endpointTls.port, rawPort: (server.address() as { port: number }).port, tcpPort: (tcpServer.address() as { port: number }).port })}\n`);
  const { peers } = JSON.parse((await it.next()).value as string) as { peers: (TlsPeer & { rawPort: number; tcpPort: number; tlsPort: number })[] };
  const next = peers[(d.index + 1) % d.parties]!;
  const prev = peers[(d.index + d.parties - 1) % d.parties]!;
  const frame = process.env.TACIT_BENCH_FRAME ? { frameBytes: Number(process.env.TACIT_BENCH_FRAME) } : {};
  const net = await connectTlsNetwork({ sessionId: 'ring', self, listen: endpoint, peers: peers.filter((p) => p.id !== d.id), idleTimeoutMs: 0, ...frame });
  const netTls = await connectTlsNetwork({ sessionId: 'ring-tls', self, listen: endpointTls, peers: peers.filter((p) => p.id !== d.id).map((p) => ({ ...p, port: p.tlsPort })), idleTimeoutMs: 0, bulk: false, ...frame });
  const out = tls.connect({ host: HOST, port: next.rawPort, key: self.keyPem, cert: self.certPem, rejectUnauthorized: false, minVersion: 'TLSv1.3' });
  await new Promise((r) => out.once('secureConnect', r));
  const inSock = await rawIn;
  const tcpOut = nodeNet.connect({ host: HOST, port: next.tcpPort });
  await new Promise((r) => tcpOut.once('connect', r));
  const tcpInSock = await tcpIn;
  for (const s of [out, inSock, tcpOut, tcpInSock]) s.setNoDelay(true);
  const data = new Uint8Array(d.bytes).fill(d.index + 1);
  const others = net.peers as readonly string[];
  let tick = 0;
  const barrier = async () => {
    const step = `b${tick++}`;
    await Promise.all(others.map((p) => net.send(p, step, new Uint8Array(1))));
    await Promise.all(others.map((p) => net.recv(p, step, 1)));
  };
  // raw TLS and TCP: count bytes from the previous party; a repetition ends when `bytes` arrived.
  let have = 0;
  let wake: (() => void) | undefined;
  const count = (chunk: Buffer) => {
    have += chunk.length;
    if (have >= d.bytes && wake) {
      const w = wake;
      wake = undefined;
      w();
    }
  };
  inSock.on('data', count);
  tcpInSock.on('data', count);
  const rawRep = async (sock: nodeNet.Socket) => {
    const arrived = new Promise<void>((resolve) => (have >= d.bytes ? resolve() : (wake = resolve)));
    sock.write(data);
    await arrived;
    have -= d.bytes;
  };
  const tcp: number[] = [];
  const tcpCpu: number[] = [];
  const raw: number[] = [];
  const tacit: number[] = [];
  const rawCpu: number[] = [];
  const tacitCpu: number[] = [];
  const tacitTls: number[] = [];
  const tacitTlsCpu: number[] = [];
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  for (let r = 0; r < d.reps + 1; r++) {
    await barrier();
    let t0 = performance.now();
    let c0 = cpu();
    await rawRep(tcpOut);
    if (r > 0) tcp.push((performance.now() - t0) / 1000);
    if (r > 0) tcpCpu.push(cpu() - c0);
    await barrier();
    t0 = performance.now();
    c0 = cpu();
    await rawRep(out);
    if (r > 0) raw.push((performance.now() - t0) / 1000); // the first repetition warms up
    if (r > 0) rawCpu.push(cpu() - c0);
    await barrier();
    t0 = performance.now();
    c0 = cpu();
    const got = net.recv(prev.id, 'ring', d.bytes);
    void net.send(next.id, 'ring', data);
    await got;
    if (r > 0) tacit.push((performance.now() - t0) / 1000);
    if (r > 0) tacitCpu.push(cpu() - c0);
    await barrier();
    t0 = performance.now();
    c0 = cpu();
    const gotTls = netTls.recv(prev.id, 'ring', d.bytes);
    void netTls.send(next.id, 'ring', data);
    await gotTls;
    if (r > 0) tacitTls.push((performance.now() - t0) / 1000);
    if (r > 0) tacitTlsCpu.push(cpu() - c0);
  }
  await barrier();
  process.stdout.write(`${JSON.stringify({ tcp, raw, tacit, tacitTls, tcpCpu, rawCpu, tacitCpu, tacitTlsCpu, channel: net.channelWith(next.id) })}\n`);
  out.end();
  inSock.end();
  tcpOut.end();
  tcpInSock.end();
  server.close();
  tcpServer.close();
  await Promise.all([net.close(), netTls.close()]);
  await Promise.all([endpoint.close(), endpointTls.close()]);
}

if (process.argv.includes('--ring-child')) await child();
