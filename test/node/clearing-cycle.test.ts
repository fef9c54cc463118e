/**
 * Clearing cycles run by bank nodes, end to end: a real anvil and four `tacit node start`
 * processes (every one a bank, the first three also compute). Each bank's operator gives its
 * node a standing queue (one with `tacit clearing queue`, a real CLI process, the others
 * through the node API it calls); a cycle is opened with `tacit clearing open`; the nodes lock, net under MPC over their TLS mesh, approve and
 * settle by themselves. Checked against the plaintext rule (clearBounded, the algorithm the
 * MPC computes): every bank's on-chain balance moves by exactly its plaintext net position,
 * each node holds exactly its own outputs, settled payments leave the standing queues.
 * Then an attack: a compute node is killed; the cycle cannot settle, expires at its
 * deadline, every lock comes back and no stake moves.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Address } from 'viem';
import { NodeRegistryAbi } from '../../src/chain/artifacts.js';
import { devAccount, devPrivateKey } from '../../src/chain/dev-accounts.js';
import { generateQueues, writeQueues } from '../../src/algorithms/clearing/generate.js';
import { clearBounded } from '../../src/algorithms/clearing/plaintext.js';
import { startLocalNetwork, type LocalNetwork } from '../../src/node/local/network.js';
import { createTacitClient, getClearingCycle, openClearingCycle } from '../../src/sdk/index.js';

const TACIT = fileURLToPath(new URL('../../../bin/tacit.mjs', import.meta.url));
const UNIT = 10n ** 16n; // token base units per cent (18 decimals)
const NAMES = ['bankA', 'bankB', 'bankC', 'bankD'];
const T = 16;
let net: LocalNetwork;
let dir: string;
const queues = generateQueues({ banks: 4, payments: 40, seed: 11, gridlock: true, names: NAMES, maxAmount: 2_000_000 });

function tacit(args: string[]): { status: number; out: unknown; stderr: string } {
  const r = spawnSync(process.execPath, [TACIT, ...args], { encoding: 'utf8', env: { ...process.env, TACIT_PRIVATE_KEY: devPrivateKey(7) } });
  let out: unknown;
  try {
    out = JSON.parse(r.stdout);
  } catch {
    out = r.stdout;
  }
  return { status: r.status ?? -1, out, stderr: r.stderr };
}

/**
 * A node API call, retried when the connection drops: under heavy load a pooled keep-alive
 * connection can be closed by the node just as it is reused (every call here is idempotent).
 */
async function api<T>(name: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await net.node(name).api.request<T>(method, path, body);
    } catch (err) {
      if ((err as Error).name !== 'NodeNotRunningError' || i >= 3) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

const balance = (a: Address) => net.ledger.balanceOf(net.manifest.contracts.PaymentToken, a);
const stake = async (a: Address) => (await net.ledger.pub.readContract({ address: net.manifest.contracts.NodeRegistry, abi: NodeRegistryAbi, functionName: 'getNode', args: [a] })).stake;

async function waitState(cycleId: bigint, timeoutMs: number): Promise<string> {
  const client = createTacitClient({ manifest: net.manifest, rpcUrl: net.rpcUrl });
  const end = Date.now() + timeoutMs;
  for (;;) {
    const c = await getClearingCycle(client, { cycleId });
    if (c.state !== 'Open' || Date.now() > end) return c.state;
    await new Promise((r) => setTimeout(r, 500));
  }
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tacit-clearing-nodes-'));
  net = await startLocalNetwork({
    dir: join(dir, 'net'),
    // Short test deadlines: the nodes accept cycles with 20 s left (default guard 120 s).
    nodes: NAMES.map((name) => ({ name, roles: ['data', 'compute', 'receiver'] as ('data' | 'compute' | 'receiver')[], policy: { guards: { minSecondsToDeadline: 20 } } })),
    funds: 10_000_000n * 10n ** 18n,
  });
});

after(async () => {
  await net?.stop();
  if (dir && !process.env.TACIT_KEEP) rmSync(dir, { recursive: true, force: true });
});

describe('a clearing cycle among bank nodes', () => {
  it('gridlocked queues settle through the nodes; balances and outputs equal the plaintext rule', async () => {
    const files = writeQueues(join(dir, 'queues'), queues);
    // One operator through the CLI, the others through the node API it calls (spawns are slow under load).
    const r = tacit(['clearing', 'queue', files.bankA!, '--dir', net.node('bankA').dir, '--liquidity', String(queues[0]!.balance), '--json']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal((r.out as { payments: number }).payments, queues[0]!.payments.length);
    for (const q of queues.slice(1)) {
      const s = await api<{ payments: number }>(q.bank, 'POST', '/clearing/queue', { path: files[q.bank], liquidity: q.balance });
      assert.equal(s.payments, q.payments.length);
    }
    const ref = clearBounded(queues, T);
    const addrs = NAMES.map((n) => net.node(n).address);
    const before = await Promise.all(addrs.map(balance));
    const stakes = await Promise.all(addrs.map(stake));
    const slots = Math.max(...queues.map((q) => q.payments.length));
    const opened = tacit(['clearing', 'open', '--manifest', net.manifestPath, ...NAMES.flatMap((n) => ['--bank', n]), ...NAMES.slice(0, 3).flatMap((n) => ['--compute', n]), '--slots', String(slots), '--iterations', String(T), '--deadline', '90', '--json']);
    assert.equal(opened.status, 0, opened.stderr);
    const cycleId = BigInt((opened.out as { cycleId: string }).cycleId);
    assert.equal(await waitState(cycleId, 100_000), 'Settled');

    const afterB = await Promise.all(addrs.map(balance));
    NAMES.forEach((n, i) => assert.equal(afterB[i]! - before[i]!, ref.banks[i]!.net * UNIT, `${n}: on-chain net equals the plaintext net`));
    assert.equal(await balance(net.manifest.contracts.Clearing!), 0n, 'the contract holds nothing');
    assert.deepEqual(await Promise.all(addrs.map(stake)), stakes, 'no stake moved');

    // Each node holds its own outputs, equal to the plaintext ones, and nothing of the others'.
    for (const [i, n] of NAMES.entries()) {
      await waitFor(async () => ((await net.node(n).api.request('GET', `/clearing/cycles/${cycleId}`)) as { status: string }).status === 'settled');
      type Seen = { status: string; result: { net: number; settled: string[]; incoming: { id: string; from: string; amount: number }[] } };
      let seen: Seen;
      if (n === 'bankA') {
        const st = tacit(['clearing', 'status', String(cycleId), '--manifest', net.manifestPath, '--dir', net.node(n).dir, '--json']);
        assert.equal(st.status, 0, st.stderr);
        const s = st.out as { state: string; banks: { name: string; locked: string }[]; node: Seen };
        assert.equal(s.state, 'Settled');
        assert.deepEqual(s.banks.map((b) => b.name), NAMES);
        seen = s.node;
      } else seen = await api<Seen>(n, 'GET', `/clearing/cycles/${cycleId}`);
      const r = seen.result;
      assert.equal(BigInt(r.net), ref.banks[i]!.net, `${n} net`);
      assert.deepEqual([...r.settled].sort(), [...ref.banks[i]!.settled].sort(), `${n} settled`);
      const key = (x: { id: string; from: string; amount: number }) => `${x.from}/${x.id}/${x.amount}`;
      assert.deepEqual(r.incoming.map(key).sort(), ref.banks[i]!.incoming.map(key).sort(), `${n} incoming`);
      // Settled payments left the standing queue; the rest stay for the next cycle.
      const q = await api<{ payments: number }>(n, 'GET', '/clearing/queue');
      assert.equal(q.payments, queues[i]!.payments.length - ref.banks[i]!.settled.length);
    }
    // The unauthenticated list shows no outputs.
    const list = (await (await fetch(`${net.node('bankD').apiUrl}/clearing/cycles`)).json()) as { cycles: Record<string, unknown>[] };
    assert.equal(list.cycles[0]!['status'], 'settled');
    assert.equal(list.cycles[0]!['result'], undefined);
  });

  it('a compute node killed before the cycle: no settlement; the cycle expires, every lock returns, no stake moves', async () => {
    const addrs = NAMES.map((n) => net.node(n).address);
    const before = await Promise.all(addrs.map(balance));
    const stakes = await Promise.all(addrs.map(stake));
    await net.node('bankC').kill(true);
    // Opened through the SDK this time.
    const client = createTacitClient({ manifest: net.manifest, rpcUrl: net.rpcUrl, account: devAccount(7) });
    const { cycleId } = await openClearingCycle(client, {
      banks: addrs,
      computeParties: addrs.slice(0, 3),
      deadline: BigInt(Math.floor(Date.now() / 1000) + 24),
      run: { slots: 16, iterations: T },
    });
    // The live banks that commit liquidity lock it (their standing queues are the same).
    const lockers = queues.filter((q) => q.bank !== 'bankC' && q.balance > 0).length;
    assert.ok(lockers > 0);
    await waitFor(async () => (await getClearingCycle(client, { cycleId })).locked.filter((l) => l > 0n).length === lockers);
    assert.equal(await waitState(cycleId, 90_000), 'Expired');
    assert.deepEqual(await Promise.all(addrs.map(balance)), before, 'every lock returned: no bank lost anything');
    assert.equal(await balance(net.manifest.contracts.Clearing!), 0n);
    assert.deepEqual(await Promise.all(addrs.map(stake)), stakes, 'nobody slashed');
    // The live compute nodes saw the session fail (the killed peer never connected) and say so.
    await waitFor(async () => ((await net.node('bankA').api.request('GET', `/clearing/cycles/${cycleId}`)) as { status: string }).status === 'expired');
    const rec = await api<{ error?: string; result?: unknown }>('bankA', 'GET', `/clearing/cycles/${cycleId}`);
    assert.match(rec.error ?? '', /session failed/);
    assert.equal(rec.result, undefined, 'no outputs from a cycle that did not compute');
    // The killed node comes back, catches up from the chain and records the cycle as expired.
    await net.node('bankC').restart();
    await waitFor(async () => ((await net.node('bankC').api.request('GET', `/clearing/cycles/${cycleId}`)) as { status: string }).status === 'expired');
  });
});

async function waitFor(cond: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  // A poll that fails (an API busy under load) counts as "not yet".
  while (!(await cond().catch(() => false))) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 300));
  }
}
