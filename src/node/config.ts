/**
 * A node's configuration, `<dir>/node.json`: who it is (name, roles, stake), where it
 * listens (the peer TLS port other institutions connect to; the admin API, local by
 * default), which deployment it attaches to (a manifest file) and its local policy for
 * accepting tasks. The file is validated as a whole on load and every problem names its
 * field (`policy.minParties must be a positive integer`).
 *
 * Unknown fields are refused rather than ignored: a misspelt policy key
 * (`allowedAlgorithm`) would otherwise silently leave the node accepting everything.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { getAddress, isAddress, type Address } from 'viem';
import { Role } from '../chain/roles.js';
import { NodeConfigError } from './errors.js';
import { nodePaths } from './paths.js';

export type NodeRole = 'data' | 'compute' | 'receiver';
export const NODE_ROLES: readonly NodeRole[] = ['data', 'compute', 'receiver'];

export interface NodePolicy {
  /** Program names this node runs; any when omitted. */
  allowedAlgorithms?: string[];
  /** Refuse tasks with fewer parties than this. */
  minParties?: number;
  /** Accept tasks from these requesters only (checksummed addresses); anyone when omitted. */
  allowedRequesters?: Address[];
  /**
   * Refuse tasks that pay THIS NODE less than this (payment-token base units, decimal
   * string): its data payout plus, as a compute party, its equal share of the rest of the fee.
   */
  minFeePerTask?: string;
  /** MPC protocols this node takes part in (default both); e.g. ["rep3"] refuses semi2k. */
  protocols?: ('rep3' | 'semi2k')[];
  /** Guard overrides passed to each program's admission check (`minRows`, `maxEpochs` …). */
  guards?: Record<string, number | boolean | string>;
  /** Refuse tasks whose deadline is fewer than this many seconds away (default 20). */
  minSecondsToDeadline?: number;
}

export interface NodeConfig {
  /** Node name, also its party id in sessions and its name in the NodeRegistry. */
  name: string;
  /** Database and logs; relative to the node directory (default "."). */
  dataDir: string;
  /** The MPC port: TLS with pinned keys, reachable by the other nodes. */
  peer: { host: string; port: number; publicHost?: string };
  /** The admin HTTP API: keep it on loopback or an admin network. */
  api: { host: string; port: number };
  /**
   * `manifest`: deployment manifest file (relative to the node directory); `rpcUrl` overrides
   * the manifest's; `confirmations`: blocks a block needs on top of it before the node acts
   * on its events (default 0, right for the embedded chain; use more on a public chain).
   */
  chain: { manifest: string; rpcUrl?: string; confirmations?: number };
  roles: NodeRole[];
  /** Stake to lock at registration (payment-token base units, decimal string). */
  stake: string;
  policy: NodePolicy;
}

export const DEFAULT_PEER_PORT = 7700;
export const DEFAULT_API_PORT = 7701;
export const DEFAULT_HOST = '127.0.0.1';
/** 100 tokens of 18 decimals: the default minimum stake of a deployment. */
export const DEFAULT_STAKE = (100n * 10n ** 18n).toString();
const UINT128_MAX = 2n ** 128n - 1n;

const NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
const HOST = /^[A-Za-z0-9.:\-[\]%]{1,253}$/;

/** A complete configuration from the few things `tacit node init` asks for. */
export function defaultNodeConfig(input: {
  name: string;
  roles?: NodeRole[];
  peerPort?: number;
  apiPort?: number;
  peerHost?: string;
  publicHost?: string;
  manifest?: string;
  stake?: string;
}): NodeConfig {
  return validateNodeConfig({
    name: input.name,
    dataDir: '.',
    peer: {
      host: input.peerHost ?? DEFAULT_HOST,
      port: input.peerPort ?? DEFAULT_PEER_PORT,
      ...(input.publicHost !== undefined ? { publicHost: input.publicHost } : {}),
    },
    api: { host: DEFAULT_HOST, port: input.apiPort ?? DEFAULT_API_PORT },
    chain: { manifest: input.manifest ?? 'manifest.json' },
    roles: input.roles ?? [...NODE_ROLES],
    stake: input.stake ?? DEFAULT_STAKE,
    policy: {},
  });
}

/** Checks a parsed node.json and returns it with defaults filled in and addresses checksummed. */
export function validateNodeConfig(value: unknown, source = 'node.json'): NodeConfig {
  const bad = (field: string, why: string): never => {
    throw new NodeConfigError(field, why, { details: `in ${source}`, hint: 'fix the field and try again (see docs/operations.md)' });
  };
  const object = (v: unknown, field: string, allowed: readonly string[]): Record<string, unknown> => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return bad(field, 'must be a JSON object');
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) if (!allowed.includes(k)) bad(field === 'document' ? k : `${field}.${k}`, 'is not a known field');
    return o;
  };
  const string = (v: unknown, field: string, re?: RegExp, what = 'a non-empty string'): string => {
    if (typeof v !== 'string' || v.length === 0 || (re && !re.test(v))) return bad(field, `must be ${what}`);
    return v as string;
  };
  const port = (v: unknown, field: string): number => {
    if (!Number.isInteger(v) || (v as number) < 1 || (v as number) > 65535) return bad(field, 'must be an integer port in 1..65535');
    return v as number;
  };
  const uint = (v: unknown, field: string, max?: bigint): string => {
    if (typeof v !== 'string' || !/^(0|[1-9][0-9]*)$/.test(v)) return bad(field, 'must be a decimal integer string (token base units)');
    if (max !== undefined && BigInt(v as string) > max) bad(field, `must be at most ${max}`);
    return v as string;
  };

  const c = object(value, 'document', ['name', 'dataDir', 'peer', 'api', 'chain', 'roles', 'stake', 'policy']);
  const name = string(c.name, 'name', NAME, '1-64 characters of [A-Za-z0-9._:-] starting with a letter or digit');
  const dataDir = c.dataDir === undefined ? '.' : string(c.dataDir, 'dataDir');

  const p = object(c.peer ?? {}, 'peer', ['host', 'port', 'publicHost']);
  const peer: NodeConfig['peer'] = {
    host: p.host === undefined ? DEFAULT_HOST : string(p.host, 'peer.host', HOST, 'a host name or IP address'),
    port: p.port === undefined ? DEFAULT_PEER_PORT : port(p.port, 'peer.port'),
  };
  if (p.publicHost !== undefined) peer.publicHost = string(p.publicHost, 'peer.publicHost', HOST, 'a host name or IP address');
  if ((peer.host === '0.0.0.0' || peer.host === '::') && peer.publicHost === undefined) {
    bad('peer.publicHost', `is required when peer.host is the wildcard ${peer.host} (it is the address other nodes dial, registered on-chain)`);
  }

  const a = object(c.api ?? {}, 'api', ['host', 'port']);
  const api = {
    host: a.host === undefined ? DEFAULT_HOST : string(a.host, 'api.host', HOST, 'a host name or IP address'),
    port: a.port === undefined ? DEFAULT_API_PORT : port(a.port, 'api.port'),
  };
  if (api.port === peer.port && (api.host === peer.host || api.host === '0.0.0.0' || peer.host === '0.0.0.0')) {
    bad('api.port', 'must differ from peer.port');
  }

  if (c.chain === undefined) bad('chain', 'is missing (it names the deployment manifest: { "manifest": "manifest.json" })');
  const ch = object(c.chain, 'chain', ['manifest', 'rpcUrl', 'confirmations']);
  const chain: NodeConfig['chain'] = { manifest: string(ch.manifest, 'chain.manifest', undefined, 'the path of the deployment manifest') };
  if (ch.rpcUrl !== undefined) chain.rpcUrl = string(ch.rpcUrl, 'chain.rpcUrl', /^(https?|wss?):\/\/\S+$/, 'an http(s) or ws(s) URL');
  if (ch.confirmations !== undefined) {
    if (!Number.isInteger(ch.confirmations) || (ch.confirmations as number) < 0 || (ch.confirmations as number) > 1000) bad('chain.confirmations', 'must be an integer in 0..1000');
    chain.confirmations = ch.confirmations as number;
  }

  if (!Array.isArray(c.roles) || c.roles.length === 0) bad('roles', `must be a non-empty array of ${NODE_ROLES.join(', ')}`);
  const roles: NodeRole[] = [];
  (c.roles as unknown[]).forEach((r, i) => {
    if (!NODE_ROLES.includes(r as NodeRole)) bad(`roles[${i}]`, `must be one of ${NODE_ROLES.join(', ')}`);
    if (roles.includes(r as NodeRole)) bad(`roles[${i}]`, 'is listed twice');
    roles.push(r as NodeRole);
  });

  const stake = c.stake === undefined ? DEFAULT_STAKE : uint(c.stake, 'stake', UINT128_MAX);

  const po = object(c.policy ?? {}, 'policy', ['allowedAlgorithms', 'minParties', 'allowedRequesters', 'minFeePerTask', 'protocols', 'guards', 'minSecondsToDeadline']);
  const policy: NodePolicy = {};
  if (po.allowedAlgorithms !== undefined) {
    if (!Array.isArray(po.allowedAlgorithms)) bad('policy.allowedAlgorithms', 'must be an array of program names');
    policy.allowedAlgorithms = (po.allowedAlgorithms as unknown[]).map((x, i) => string(x, `policy.allowedAlgorithms[${i}]`));
  }
  if (po.minParties !== undefined) {
    if (!Number.isInteger(po.minParties) || (po.minParties as number) < 1) bad('policy.minParties', 'must be a positive integer');
    policy.minParties = po.minParties as number;
  }
  if (po.allowedRequesters !== undefined) {
    if (!Array.isArray(po.allowedRequesters)) bad('policy.allowedRequesters', 'must be an array of addresses');
    policy.allowedRequesters = (po.allowedRequesters as unknown[]).map((x, i) => {
      if (typeof x !== 'string' || !isAddress(x, { strict: false })) return bad(`policy.allowedRequesters[${i}]`, 'must be a 0x-prefixed 20-byte address');
      return getAddress(x as string);
    });
  }
  if (po.minFeePerTask !== undefined) policy.minFeePerTask = uint(po.minFeePerTask, 'policy.minFeePerTask');
  if (po.protocols !== undefined) {
    if (!Array.isArray(po.protocols)) bad('policy.protocols', 'must be an array of "rep3" and/or "semi2k"');
    policy.protocols = (po.protocols as unknown[]).map((x, i) => {
      if (x !== 'rep3' && x !== 'semi2k') return bad(`policy.protocols[${i}]`, 'must be "rep3" or "semi2k"');
      return x as 'rep3' | 'semi2k';
    });
  }
  if (po.guards !== undefined) {
    const g = object(po.guards, 'policy.guards', Object.keys(po.guards as object));
    policy.guards = {};
    for (const [k, v] of Object.entries(g)) {
      if (!/^[A-Za-z][A-Za-z0-9]{0,63}$/.test(k)) bad(`policy.guards.${k}`, 'is not a guard name');
      if (typeof v !== 'number' && typeof v !== 'boolean' && typeof v !== 'string') bad(`policy.guards.${k}`, 'must be a number, boolean or string');
      if (typeof v === 'number' && !Number.isFinite(v)) bad(`policy.guards.${k}`, 'must be a finite number');
      policy.guards[k] = v as number | boolean | string;
    }
  }
  if (po.minSecondsToDeadline !== undefined) {
    if (!Number.isInteger(po.minSecondsToDeadline) || (po.minSecondsToDeadline as number) < 0) bad('policy.minSecondsToDeadline', 'must be a non-negative integer');
    policy.minSecondsToDeadline = po.minSecondsToDeadline as number;
  }

  return { name, dataDir, peer, api, chain, roles, stake, policy };
}

/** Reads and validates `<dir>/node.json`. Throws NodeConfigError naming the field. */
export function loadNodeConfig(dir: string): NodeConfig {
  const file = nodePaths(dir).config;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new NodeConfigError('document', `cannot read ${file}`, {
      hint: 'create the node first with `tacit node init --dir DIR --name NAME`, or pass the right --dir',
      cause,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new NodeConfigError('document', `${file} is not valid JSON`, { cause, hint: 'fix the syntax error (a trailing comma?)' });
  }
  return validateNodeConfig(json, file);
}

/** Validates and writes `<dir>/node.json` atomically. */
export function writeNodeConfig(dir: string, config: NodeConfig): void {
  const valid = validateNodeConfig(config);
  const file = nodePaths(dir).config;
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(valid, null, 2)}\n`, { mode: 0o644 });
  renameSync(tmp, file);
}

/** The NodeRegistry role mask of `roles`. */
export function roleMask(roles: readonly NodeRole[]): number {
  let mask = 0;
  for (const r of roles) mask |= r === 'data' ? Role.Data : r === 'compute' ? Role.Compute : Role.Receiver;
  return mask;
}

/** `host:port` other nodes dial: the public host when set, else the listening host. */
export function peerEndpoint(config: NodeConfig): string {
  const host = config.peer.publicHost ?? config.peer.host;
  return `${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${config.peer.port}`;
}

/** Base URL of the node's API as a local client reaches it (a wildcard bind is reached on loopback). */
export function apiUrl(config: NodeConfig): string {
  const h = config.api.host;
  const host = h === '0.0.0.0' ? '127.0.0.1' : h === '::' ? '[::1]' : h.includes(':') && !h.startsWith('[') ? `[${h}]` : h;
  return `http://${host}:${config.api.port}`;
}
