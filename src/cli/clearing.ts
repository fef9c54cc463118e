/**
 * `tacit clearing`: clearing cycles run by the bank nodes (docs/clearing.md, "In the
 * network"). A bank's operator gives its node a standing queue and the liquidity it commits
 * per cycle (`queue`, through the node's API); anyone with a chain key opens a cycle among
 * registered nodes (`open`, SDK openClearingCycle with its parameters published on-chain);
 * the nodes do the rest — lock, net under MPC, approve, settle, or expire at the deadline —
 * and `status` follows the cycle on-chain and, with --dir, this bank's own outputs.
 *
 * --json shapes (one object on stdout):
 *   open    {cycleId, txHash, deadline, banks:[address], computeParties:[address], params}
 *   status  {cycleId, state, token, deadline, banks:[{address, name, locked}],
 *            computeParties:[{address, name, approved}], node?: <the node's cycle record:
 *            status, roles, error, result {net, settled, incoming, salt}, aggregates, …>}
 *   queue   {queued, payments, total, liquidity, receivers:{to: count}, counterparties?, updatedAt}
 *   expire  {cycleId, txHash}
 * Amounts in queues, liquidity and results are whole cents; `locked` is token base units.
 */
import { resolve } from 'node:path';
import { getAddress, isAddress, type Address, type Hex } from 'viem';
import { loadManifest } from '../chain/manifest.js';
import { readApiToken } from '../node/api-token.js';
import { NodeApiClient } from '../node/api/client.js';
import { apiUrl, loadNodeConfig } from '../node/config.js';
import { createTacitClient, expireClearingCycle, getClearingCycle, listNodes, openClearingCycle, type TacitClient } from '../sdk/index.js';
import { loadSigningKey } from './signing-key.js';
import { formatFields } from './table.js';
import { dispatch, emitResult, parseFlags, UsageError } from './usage.js';

const USAGE = `usage:
  tacit clearing queue FILE --dir DIR --liquidity CENTS [--with NAME,…] [--json]
      Gives the running node at DIR (a bank) its standing payment queue and the liquidity it
      locks for each cycle it joins. FILE: id,to,amount[,priority][,deadline] with amounts in
      whole cents and "to" a bank's node name or address; the node reads it itself. Payments
      to banks outside a cycle wait for a later one; settled payments leave the queue.
      --with: the only banks it will clear with (default: any registered node).
  tacit clearing queue --dir DIR [--withdraw] [--json]
      Shows the standing queue (counts and totals), or withdraws it (the node then declines).
  tacit clearing open --manifest FILE --bank NAME|ADDR (×N) --compute NAME|ADDR (×3) --slots N
                      [--deadline SECONDS] [--iterations T] [--protocol rep3|semi2k]
                      [--keystore FILE] [--json | --field cycleId]
      Opens a cycle run by the bank nodes: banks in position order, compute parties, slots
      per bank (the most payments one bank may bring), deadline in seconds from now
      (default 600; each node's guard minSecondsToDeadline applies, 120 by default).
  tacit clearing status ID --manifest FILE [--dir DIR] [--wait [--timeout SECONDS]] [--json]
      The cycle on-chain (state, locks, approvals) and, with --dir, what that bank's node
      recorded: its status, why it declined or failed, and its own outputs.
  tacit clearing expire ID --manifest FILE [--keystore FILE] [--json]
      Returns every lock of a cycle past its deadline that did not settle (anyone may call).
The signing key is read from TACIT_PRIVATE_KEY (or --keystore with TACIT_KEYSTORE_PASSPHRASE).`;

export function clearingCommand(argv: string[]): Promise<number> {
  return dispatch('clearing', argv, { queue: queueCmd, open: openCmd, status: statusCmd, expire: expireCmd }, USAGE);
}

function split(args: string[]): { flags: string[]; positionals: string[] } {
  // parseFlags refuses positionals: take the leading ones off first.
  const positionals: string[] = [];
  while (args.length && !args[0]!.startsWith('-')) positionals.push(args.shift()!);
  return { flags: args, positionals };
}

async function chainClient(manifest: string | undefined, keystore: string | undefined, needKey: boolean): Promise<TacitClient> {
  if (!manifest) throw new UsageError('--manifest FILE is required', { hint: USAGE });
  const m = loadManifest(resolve(manifest));
  if (!m.contracts.Clearing) throw new UsageError('this deployment has no Clearing contract', { hint: 'Redeploy with a current `tacit chain deploy`.' });
  if (!needKey) return createTacitClient({ manifest: m });
  const key: Hex = await loadSigningKey(keystore ? { keystore } : {});
  return createTacitClient({ manifest: m, account: key });
}

function nodeClient(dir: string): NodeApiClient {
  const d = resolve(dir);
  return new NodeApiClient(apiUrl(loadNodeConfig(d)), { token: readApiToken(d) });
}

const cycleIdOf = (v: string | undefined): bigint => {
  if (v === undefined || !/^[1-9][0-9]{0,19}$/.test(v)) throw new UsageError('name the cycle: a positive whole number (the id `open` printed)', { hint: USAGE });
  return BigInt(v);
};

async function queueCmd(argv: string[]): Promise<number> {
  const { flags, positionals } = split([...argv]);
  const { values: v } = parseFlags(flags, { dir: { type: 'string' }, liquidity: { type: 'string' }, with: { type: 'string' }, withdraw: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } }, USAGE);
  if (!v.dir) throw new UsageError('--dir DIR (the bank node directory) is required', { hint: USAGE });
  const api = nodeClient(v.dir);
  let out: Record<string, unknown>;
  if (positionals.length > 1) throw new UsageError('name at most one queue FILE', { hint: USAGE });
  if (positionals.length === 1) {
    if (v.withdraw) throw new UsageError('--withdraw takes no FILE');
    if (v.liquidity === undefined || !/^(0|[1-9][0-9]{0,14})$/.test(v.liquidity)) throw new UsageError('--liquidity CENTS is required: whole cents this bank locks per cycle (e.g. 150000 for 1,500.00)', { hint: USAGE });
    const counterparties = v.with?.split(',').map((s) => s.trim()).filter(Boolean);
    out = await api.request('POST', '/clearing/queue', { path: resolve(positionals[0]!), liquidity: Number(v.liquidity), ...(counterparties ? { counterparties } : {}) });
  } else if (v.withdraw) out = await api.request('DELETE', '/clearing/queue');
  else out = await api.request('GET', '/clearing/queue');
  emitResult(out, v, () => (out['queued'] === false ? 'no standing queue\n' : formatFields(out)));
  return 0;
}

async function resolveParties(client: TacitClient, list: string[] | undefined, what: string): Promise<Address[]> {
  if (!list?.length) throw new UsageError(`${what} is required (node names or addresses, repeated)`, { hint: USAGE });
  const nodes = list.some((x) => !isAddress(x, { strict: false })) ? await listNodes(client) : [];
  return list.map((x) => {
    if (isAddress(x, { strict: false })) return getAddress(x);
    const n = nodes.filter((y) => y.name === x);
    if (n.length !== 1) throw new UsageError(`${what} ${x}: ${n.length ? 'several nodes have this name; give the address' : 'no registered node of this name'}`, { hint: 'See `tacit market nodes --manifest FILE`.' });
    return n[0]!.address;
  });
}

async function openCmd(argv: string[]): Promise<number> {
  const { values: v } = parseFlags(
    argv,
    {
      manifest: { type: 'string' },
      bank: { type: 'string', multiple: true },
      compute: { type: 'string', multiple: true },
      slots: { type: 'string' },
      deadline: { type: 'string', default: '600' },
      iterations: { type: 'string' },
      protocol: { type: 'string', default: 'rep3' },
      keystore: { type: 'string' },
      json: { type: 'boolean', default: false },
      field: { type: 'string' },
    },
    USAGE,
  );
  const int = (s: string | undefined, what: string) => {
    if (s === undefined || !/^[1-9][0-9]{0,8}$/.test(s)) throw new UsageError(`${what} must be a positive whole number`, { hint: USAGE });
    return Number(s);
  };
  const slots = int(v.slots, '--slots');
  const seconds = int(v.deadline, '--deadline');
  if (v.protocol !== 'rep3' && v.protocol !== 'semi2k') throw new UsageError('--protocol must be rep3 or semi2k');
  const client = await chainClient(v.manifest, v.keystore, true);
  const banks = await resolveParties(client, v.bank, '--bank');
  const computeParties = await resolveParties(client, v.compute, '--compute');
  // The last block's time lags the clock when nothing was mined lately: take the later one.
  const now = BigInt(Math.max(Number(await client.ledger.now()), Math.floor(Date.now() / 1000)));
  const deadline = now + BigInt(seconds);
  const r = await openClearingCycle(client, {
    banks,
    computeParties,
    deadline,
    run: { slots, protocol: v.protocol, ...(v.iterations !== undefined ? { iterations: int(v.iterations, '--iterations') } : {}) },
  });
  const out = { cycleId: r.cycleId.toString(), txHash: r.txHash, deadline: deadline.toString(), banks, computeParties, params: r.params };
  emitResult(out, v, () => `opened clearing cycle ${out.cycleId} among ${banks.length} banks (deadline in ${seconds} s)\n  follow it: tacit clearing status ${out.cycleId} --manifest … --wait\n`);
  return 0;
}

async function statusCmd(argv: string[]): Promise<number> {
  const { flags, positionals } = split([...argv]);
  const { values: v } = parseFlags(flags, { manifest: { type: 'string' }, dir: { type: 'string' }, wait: { type: 'boolean', default: false }, timeout: { type: 'string' }, json: { type: 'boolean', default: false } }, USAGE);
  const id = cycleIdOf(positionals[0]);
  const client = await chainClient(v.manifest, undefined, false);
  let c = await getClearingCycle(client, { cycleId: id });
  if (v.wait) {
    const limit = v.timeout !== undefined ? Number(v.timeout) : Number(c.deadline) - Math.floor(Date.now() / 1000) + 120;
    if (!Number.isFinite(limit) || limit < 0) throw new UsageError('--timeout must be seconds');
    const end = Date.now() + limit * 1000;
    while (c.state === 'Open' && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 1000));
      c = await getClearingCycle(client, { cycleId: id });
    }
    if (c.state === 'Open') throw new UsageError(`cycle ${id} is still open after ${limit} s`, { hint: 'After its deadline any involved node expires it; or run `tacit clearing expire`.' });
  }
  const nodes = await listNodes(client);
  const nameOf = (a: string) => nodes.find((n) => n.address.toLowerCase() === a.toLowerCase())?.name ?? '';
  const out: Record<string, unknown> = {
    cycleId: id.toString(),
    state: c.state,
    token: c.token,
    deadline: c.deadline.toString(),
    banks: c.banks.map((b, i) => ({ address: b, name: nameOf(b), locked: c.locked[i]!.toString() })),
    computeParties: c.computeParties.map((p, i) => ({ address: p, name: nameOf(p), approved: BigInt(c.approvals[i]!) === 0n ? null : c.approvals[i] })),
  };
  if (v.dir) {
    // The node may not have recorded it yet (it acts on confirmed blocks): say so, don't fail.
    out['node'] = await nodeClient(v.dir).request<Record<string, unknown>>('GET', `/clearing/cycles/${id}`).catch((err: Error) => ({ unavailable: err.message.split('\n')[0] }));
  }
  emitResult(out, v, () => {
    const lines = [`cycle ${out.cycleId}: ${c.state} (deadline ${new Date(Number(c.deadline) * 1000).toISOString()})`];
    for (const b of out.banks as { address: string; name: string; locked: string }[]) lines.push(`  bank    ${(b.name || b.address).padEnd(16)} locked ${b.locked}`);
    for (const p of out.computeParties as { address: string; name: string; approved: string | null }[]) lines.push(`  compute ${(p.name || p.address).padEnd(16)} ${p.approved ? `approved ${p.approved.slice(0, 18)}…` : 'not approved'}`);
    const n = out['node'] as Record<string, unknown> | undefined;
    if (n) {
      lines.push(`  this node: ${String(n['status'] ?? n['unavailable'])}${n['error'] ? ` — ${String(n['error'])}` : ''}`);
      const r = n['result'] as { net: number; settled: string[]; incoming: { id: string; from: string; amount: number }[] } | undefined;
      if (r) lines.push(`    net ${r.net} cents; ${r.settled.length} own payments settle; ${r.incoming.length} settled payments to it`);
    }
    return lines.join('\n') + '\n';
  });
  return 0;
}

async function expireCmd(argv: string[]): Promise<number> {
  const { flags, positionals } = split([...argv]);
  const { values: v } = parseFlags(flags, { manifest: { type: 'string' }, keystore: { type: 'string' }, json: { type: 'boolean', default: false } }, USAGE);
  const id = cycleIdOf(positionals[0]);
  const client = await chainClient(v.manifest, v.keystore, true);
  const r = await expireClearingCycle(client, { cycleId: id });
  const out = { cycleId: id.toString(), ...(r as unknown as Record<string, unknown>) };
  emitResult(out, v, () => `cycle ${id} expired: every lock returned\n`);
  return 0;
}
