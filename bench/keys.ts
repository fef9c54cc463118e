/**
 * Threshold-key benchmark: for t-of-n = 2-of-3, 3-of-5 and 14-of-20, every member a separate
 * process on loopback TLS (runLocalSession), it times the DKG, FROST signing with
 * preprocessed nonces (one round; median of several signatures in one session), a proactive
 * refresh and a resharing (all old members deal to the same member set), each as the
 * slowest member's protocol time (after the mesh is up and, for signing, after the share is
 * unlocked), with the bytes each member sent; and the gas of one on-chain verification
 * (FrostVerifier on anvil) of a signature the members made.
 *
 * Baselines measured in the same run (`baselineSeconds`): for signing, one signer holding
 * the whole key (noble's single-key FROST sign) — the floor a threshold signature is compared
 * with; for DKG, refresh and reshare, the same ceremony with all members in this one thread
 * over the in-memory network, per member (no processes, no TLS). `cpuSecondsPerParty` is the
 * CPU time a member process used, which on a shared machine says more than wall time.
 *
 * Lines: {"suite":"keys","op":"dkg"|"sign"|"refresh"|"reshare"|"verify","t","n","seconds",
 *         "bytesPerParty","gas","baselineSeconds","target"}
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FrostVerifierHarnessAbi, FrostVerifierHarnessBytecode } from '../src/chain/artifacts.js';
import { devPrivateKey } from '../src/chain/dev-accounts.js';
import { startEphemeralChain } from '../src/chain/embedded.js';
import { publicClientFor, walletClientFor } from '../src/chain/clients.js';
import { toSolidityKey, toSoliditySignature } from '../src/chain/frost-signature.js';
import type { ProgramResult } from '../src/algorithms/program.js';
import type { GroupKeyInfo } from '../src/keys/group-key.js';
import { keccak256 } from 'viem';
import { FROST, Fn, fromHex } from '../src/keys/suite.js';
import { readShareFile } from '../src/keys/share-store.js';
import { runLocalSession } from '../src/node/local/cluster.js';
import { Channel } from '../src/keys/channel.js';
import { runDkg } from '../src/keys/dkg.js';
import { runRefresh } from '../src/keys/refresh.js';
import { runReshare } from '../src/keys/reshare.js';
import { createMemoryNetworks } from '../src/net/index.js';

// Bench keystores are throw-away: the keystore's test-only escape lets them use scrypt N = 1024
// (the floor would otherwise refuse it), in this process and the member processes it spawns.
process.env.TACIT_SCRYPT_N ||= '1024';

const PROGRAM_MODULE = fileURLToPath(new URL('./keys-programs.js', import.meta.url));
const PASS = 'bench-passphrase';
const TARGETS: Record<string, Record<string, number>> = { '3-5': { dkg: 0.15, sign: 0.02 }, '14-20': { sign: 0.05 } };

export interface KeysBenchOptions {
  json: boolean;
  sizes?: [number, number][];
  signatures?: number;
}

const slowest = (rs: Map<string, ProgramResult>) => Math.max(...[...rs.values()].map((r) => r.stats.seconds));
const meanBytes = (rs: Map<string, ProgramResult>) => Math.round([...rs.values()].reduce((s, r) => s + r.stats.bytesSent, 0) / rs.size);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

type MemStore = { dir: string; passphrase: string; scryptN: number };
type Timings = { preprocessSeconds: number; storeSeconds: number };

/** Wall time of a ceremony with all members in this one thread over the in-memory network, per member (local preprocessing and storage included). */
async function inMemory<T>(names: string[], dirRoot: string, fn: (ch: Channel, store: MemStore, timings: Timings) => Promise<T>): Promise<number> {
  const nets = createMemoryNetworks(names);
  const timings: Timings = { preprocessSeconds: 0, storeSeconds: 0 };
  const t0 = performance.now();
  await Promise.all(nets.map(async (net) => {
    const r = await fn(new Channel(net, 60_000), { dir: join(dirRoot, net.self), passphrase: PASS, scryptN: 1024 }, timings);
    await net.close();
    return r;
  }));
  return (performance.now() - t0) / 1000 / names.length;
}

/** One signer holding the whole key: noble's single-key FROST sign, median of 9 (the floor a threshold signature is compared with). */
function singleKeySignSeconds(): number {
  const sk = Fn.toBytes(123456789n);
  const times: number[] = [];
  for (let i = 0; i < 9; i++) {
    const t0 = performance.now();
    FROST.sign(Buffer.from(`baseline ${i}`), sk);
    times.push((performance.now() - t0) / 1000);
  }
  return median(times);
}

export async function runKeysBench(o: KeysBenchOptions): Promise<void> {
  const sizes = o.sizes ?? [[2, 3], [3, 5], [14, 20]];
  const count = o.signatures ?? 9;
  const out = (line: Record<string, unknown>) => {
    if (o.json) process.stdout.write(JSON.stringify({ suite: 'keys', ...line }) + '\n');
    else console.log(`${String(line['op']).padEnd(8)} ${line['t']}-of-${line['n']}  ${typeof line['seconds'] === 'number' ? ((line['seconds'] as number) * 1000).toFixed(1) + ' ms' : ''}  ${line['bytesPerParty'] ?? ''} B/party${line['gas'] ? `  ${line['gas']} gas` : ''}`);
  };
  const chain = await startEphemeralChain();
  const root = mkdtempSync(join(tmpdir(), 'tacit-bench-keys-'));
  try {
    const wallet = walletClientFor({ rpcUrl: chain.rpcUrl, chainId: 31337, account: devPrivateKey(0), pollingInterval: 20 });
    const pub = publicClientFor({ rpcUrl: chain.rpcUrl, chainId: 31337, pollingInterval: 20 });
    const receipt = await pub.waitForTransactionReceipt({ hash: await wallet.deployContract({ abi: FrostVerifierHarnessAbi, bytecode: FrostVerifierHarnessBytecode }) });
    const harness = receipt.contractAddress!;
    for (const [t, n] of sizes) {
      const members = Array.from({ length: n }, (_, i) => `m${String(i + 1).padStart(2, '0')}`);
      const signers = members.slice(0, t);
      const dir = join(root, `${t}-of-${n}`);
      const parties = (ids: string[]) => ids.map((id) => ({ id, roles: ['compute' as const], local: { keyDir: join(dir, id), passphrase: PASS, scryptN: 1024 } }));
      const session = (program: string, params: Record<string, unknown>, ids: string[]) => runLocalSession({ program, params: { ...params, roundTimeoutMs: 120_000 }, parties: parties(ids), programModule: PROGRAM_MODULE });
      const target = (op: string) => TARGETS[`${t}-${n}`]?.[op];

      // Baselines: the same ceremonies in this process over the in-memory network.
      const mem = join(dir, 'memory');
      let memKey!: GroupKeyInfo;
      const bDkg = await inMemory(members, mem, async (ch, store, timings) => (memKey = await runDkg({ members, threshold: t }, { channel: ch, sessionId: 'b', store, timings })));
      const bSign = singleKeySignSeconds();
      const bRefresh = await inMemory(members, mem, (ch, store, timings) => runRefresh({ keyId: memKey.keyId, epoch: 0 }, { channel: ch, sessionId: 'b2', store, timings }));
      const refreshedMem = readShareFile(join(mem, members[0]!), memKey.keyId).key;
      const bReshare = await inMemory(members, mem, (ch, store, timings) => runReshare({ previous: refreshedMem, dealers: members, members, threshold: t }, { channel: ch, sessionId: 'b3', store, timings }));

      const dkg = await session('key-dkg', { members, threshold: t }, members);
      const key = dkg.get(members[0]!)!.output!['key'] as GroupKeyInfo;
      const local = (rs: Map<string, ProgramResult>) => {
        const ts = [...rs.values()].map((r) => r.output!['timings'] as Timings);
        const cpu = [...rs.values()].map((r) => r.output!['cpuSeconds'] as number);
        return { preprocessSeconds: Math.max(...ts.map((x) => x.preprocessSeconds)), storeSeconds: Math.max(...ts.map((x) => x.storeSeconds)), cpuSecondsPerParty: cpu.reduce((a, b) => a + b, 0) / cpu.length };
      };
      out({ op: 'dkg', t, n, seconds: slowest(dkg), bytesPerParty: meanBytes(dkg), gas: null, baselineSeconds: bDkg, target: target('dkg') ?? null, ...local(dkg) });

      const sign = await session('key-sign-bench', { keyId: key.keyId, signers, count }, signers);
      const perSig = [...sign.values()].map((r) => r.output!['seconds'] as number[]);
      const slowestPerSig = perSig[0]!.map((_, k) => Math.max(...perSig.map((s) => s[k]!)));
      const cpuPerSig = [...sign.values()].map((r) => median(r.output!['cpu'] as number[]));
      out({ op: 'sign', t, n, seconds: median(slowestPerSig), cpuSecondsPerParty: cpuPerSig.reduce((a, b) => a + b, 0) / cpuPerSig.length, bytesPerParty: meanBytes(sign), gas: null, baselineSeconds: bSign, target: target('sign') ?? null, signatures: count, preprocessed: true });
      const signature = sign.get(signers[0]!)!.output!['signature'] as string;
      const msg = Buffer.from(`bench message ${count - 1}`);
      const v0 = performance.now();
      const ok = FROST.verify(fromHex(signature), msg, fromHex(key.groupKey));
      const verifySeconds = (performance.now() - v0) / 1000;
      // The members sign a 32-byte digest (what the contracts take); its on-chain verification's gas.
      const digest = keccak256(msg);
      const signedDigest = await session('key-sign', { keyId: key.keyId, message: digest.slice(2), signers, nonceIndex: Object.fromEntries(signers.map((s) => [s, count])) }, signers);
      const sigDigest = signedDigest.get(signers[0]!)!.output!['signature'] as string;
      const [valid, gas] = (await pub.readContract({ address: harness, abi: FrostVerifierHarnessAbi, functionName: 'measureDigest', args: [toSolidityKey(key.groupKey), digest, toSoliditySignature(sigDigest)] })) as [boolean, bigint];
      if (!ok || !valid) throw new Error('bench: a member-made signature did not verify');
      out({ op: 'verify', t, n, seconds: verifySeconds, bytesPerParty: 0, gas: Number(gas), target: 6000 });

      const refresh = await session('key-refresh', { keyId: key.keyId, epoch: 0 }, members);
      const refreshed = refresh.get(members[0]!)!.output!['key'] as GroupKeyInfo;
      out({ op: 'refresh', t, n, seconds: slowest(refresh), bytesPerParty: meanBytes(refresh), gas: null, baselineSeconds: bRefresh, ...local(refresh) });
      const reshare = await session('key-reshare', { previous: refreshed, dealers: members, members, threshold: t }, members);
      out({ op: 'reshare', t, n, seconds: slowest(reshare), bytesPerParty: meanBytes(reshare), gas: null, baselineSeconds: bReshare, ...local(reshare) });
    }
  } finally {
    await chain.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const json = process.argv.includes('--json');
  const only = process.argv.find((a) => a.startsWith('--sizes='))?.slice(8);
  await runKeysBench({ json, sizes: only ? (only.split(',').map((s) => s.split('-of-').map(Number)) as [number, number][]) : undefined });
}
