/**
 * `tacit key … --manifest FILE --node-api URL`: the same subcommands as the local mode, run
 * as on-chain tasks among member NODES (`tacit node start` daemons): every member's node vets
 * the request, consents on-chain and takes part with the share it keeps in its own data
 * directory. The requester (TACIT_PRIVATE_KEY) pays and submits registrations; the node at
 * --node-api (a member) receives the public outcome, sealed to the requester. The requester
 * keeps each key's PUBLIC state (group key, members, verifying shares — nothing secret) in
 * `<dir>/.network/<keyId>.json`, to name the members and epoch of later ceremonies.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getAddress, isAddress, type Address, type Hex } from 'viem';
import { KeyRegistryAbi } from '../chain/artifacts.js';
import type { GroupKeyInfo } from '../keys/group-key.js';
import { NodeApiClient } from '../node/api/client.js';
import { createTacitClient, listNodes, type TacitClient } from '../sdk/index.js';
import { createKeyOnNodes } from '../sdk/actions/createKeyOnNodes.js';
import { signWithKeyOnNodes } from '../sdk/actions/signWithKeyOnNodes.js';
import { refreshKeyOnNodes } from '../sdk/actions/refreshKeyOnNodes.js';
import { reshareKeyOnNodes } from '../sdk/actions/reshareKeyOnNodes.js';
import { resolveKeyId } from '../sdk/actions/keySession.js';
import type { KeyTaskOptions } from '../sdk/actions/keyTask.js';
import { UsageError } from './usage.js';

export const NETWORK_FLAGS = {
  manifest: { type: 'string' },
  'node-api': { type: 'string' },
  fee: { type: 'string' },
  deadline: { type: 'string' },
  'no-register': { type: 'boolean', default: false },
} as const;

export interface NetworkFlags {
  manifest?: string;
  'node-api'?: string;
  fee?: string;
  deadline?: string;
  'no-register'?: boolean;
}

export interface NetworkContext {
  client: TacitClient;
  options: KeyTaskOptions;
  stateDir: string;
  /** Node names (as registered) or addresses → lowercase addresses. */
  resolve(names: string[]): Promise<Address[]>;
}

export async function networkContext(v: NetworkFlags, dir: string, usage: string): Promise<NetworkContext> {
  const pk = process.env['TACIT_PRIVATE_KEY'];
  if (!pk) throw new UsageError('the network mode (--manifest) needs the requester key in TACIT_PRIVATE_KEY', { hint: usage });
  if (!v['node-api']) throw new UsageError('--node-api URL: the API of the member node that receives the outcome', { hint: usage });
  const client = createTacitClient({ manifest: v.manifest!, account: pk as Hex });
  const node = await new NodeApiClient(v['node-api']).node();
  const fee = v.fee === undefined ? 0n : BigInt(v.fee);
  const options: KeyTaskOptions = {
    receiver: { address: getAddress(node.address), url: v['node-api'] },
    fee,
    ...(v.deadline ? { deadlineSeconds: Number(v.deadline) } : {}),
  };
  let nodes: Awaited<ReturnType<typeof listNodes>> | undefined;
  const resolve = async (names: string[]) => {
    const out: Address[] = [];
    for (const n of names) {
      if (isAddress(n, { strict: false })) {
        out.push(getAddress(n));
        continue;
      }
      nodes ??= await listNodes(client);
      const hit = nodes.filter((x) => x.name === n);
      if (hit.length !== 1) throw new UsageError(hit.length ? `node name ${n} is registered more than once; give its address` : `no registered node named ${n}`, { hint: '`tacit market nodes --manifest FILE` lists them' });
      out.push(hit[0]!.address);
    }
    return out;
  };
  return { client, options, stateDir: join(dir, '.network'), resolve };
}

export function saveState(ctx: NetworkContext, key: GroupKeyInfo): void {
  mkdirSync(ctx.stateDir, { recursive: true });
  writeFileSync(join(ctx.stateDir, `${key.keyId}.json`), JSON.stringify(key, null, 1) + '\n');
}

export function listStates(stateDir: string): GroupKeyInfo[] {
  if (!existsSync(stateDir)) return [];
  return readdirSync(stateDir).filter((f) => /^[0-9a-f]{64}\.json$/.test(f)).map((f) => JSON.parse(readFileSync(join(stateDir, f), 'utf8')) as GroupKeyInfo);
}

export function loadState(ctx: NetworkContext, prefix: string | undefined, usage: string): GroupKeyInfo {
  if (!prefix) throw new UsageError('give --key ID (see `tacit key list --manifest …`)', { hint: usage });
  const states = listStates(ctx.stateDir);
  const id = resolveKeyId(states.map((k) => ({ key: k })), prefix);
  return states.find((k) => k.keyId === id)!;
}

export async function networkCreate(ctx: NetworkContext, members: string[], threshold: number, register: boolean) {
  const r = await createKeyOnNodes(ctx.client, { ...ctx.options, members: await ctx.resolve(members), threshold, register });
  saveState(ctx, r.key);
  return r;
}

export async function networkSign(ctx: NetworkContext, key: GroupKeyInfo, message: string, signers?: string[]) {
  return signWithKeyOnNodes(ctx.client, { ...ctx.options, key, message, ...(signers ? { signers: await ctx.resolve(signers) } : {}) });
}

export async function networkRefresh(ctx: NetworkContext, key: GroupKeyInfo) {
  const r = await refreshKeyOnNodes(ctx.client, { ...ctx.options, key });
  saveState(ctx, r.key);
  return r;
}

export async function networkReshare(ctx: NetworkContext, key: GroupKeyInfo, members: string[], threshold: number, dealers?: string[]) {
  const r = await reshareKeyOnNodes(ctx.client, { ...ctx.options, key, members: await ctx.resolve(members), threshold, ...(dealers ? { dealers: await ctx.resolve(dealers) } : {}) });
  saveState(ctx, r.key);
  return r;
}

/** The requester's known keys, each with the epoch the KeyRegistry holds (null: not registered). */
export async function networkList(ctx: Pick<NetworkContext, 'client' | 'stateDir'>): Promise<(GroupKeyInfo & { registeredEpoch: number | null })[]> {
  const registry = ctx.client.manifest.contracts.KeyRegistry;
  return Promise.all(
    listStates(ctx.stateDir).map(async (k) => {
      let registeredEpoch: number | null = null;
      if (registry) {
        try {
          const s = await ctx.client.ledger.pub.readContract({ address: registry, abi: KeyRegistryAbi, functionName: 'keyOf', args: [`0x${k.keyId}`] });
          registeredEpoch = Number(s.epoch);
        } catch {
          registeredEpoch = null;
        }
      }
      return { ...k, registeredEpoch };
    }),
  );
}
