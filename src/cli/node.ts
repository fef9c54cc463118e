/**
 * `tacit node`: create a node directory (`init`: keys, API token, configuration, database)
 * and describe one (`info`). Running the node is `tacit node start` (the daemon).
 *
 * `init` asks for the passphrase twice on the terminal, or takes TACIT_PASSPHRASE; it
 * prints only public things (address, TLS fingerprint, file paths) and never overwrites an
 * existing node. `info` needs no passphrase: it reads the public half of the keystore, the
 * configuration, the manifest, the database read-only, and asks the API whether it is up.
 * With `--json` each prints exactly one JSON object on stdout and nothing else.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadManifest, type TacitManifest } from '../chain/manifest.js';
import { createApiToken } from '../node/api-token.js';
import { NodeApiClient } from '../node/api/client.js';
import { apiUrl, defaultNodeConfig, loadNodeConfig, NODE_ROLES, peerEndpoint, roleMask, writeNodeConfig, type NodeRole } from '../node/config.js';
import { addStake, readOnChainStake } from '../node/stake.js';
import { NodeDirectoryInUseError } from '../node/errors.js';
import { initNodeKeys, readNodePublicKeys } from '../node/keys.js';
import { readPassphrase } from '../node/passphrase.js';
import { nodePaths, resolveInNodeDir } from '../node/paths.js';
import { ensurePrivateDir } from '../node/secret-file.js';
import { NodeStore } from '../node/store/index.js';
import { parseFlags, dispatch, emitResult, UsageError } from './usage.js';
import { TacitError } from '../errors.js';

class NodeNotReadyError extends TacitError {
  override name = 'NodeNotReadyError';
}

const USAGE = `usage:
  tacit node init --dir DIR --name NAME [--peer-port N] [--api-port N] [--peer-host HOST]
                  [--public-host HOST] [--manifest FILE] [--roles data,compute,receiver]
                  [--stake UNITS] [--json]
      Creates a node in DIR: its chain key and TLS identity (encrypted with the passphrase
      from TACIT_PASSPHRASE, or asked on the terminal), the API token, node.json and the
      database. Prints the node's address and TLS fingerprint. Never overwrites a node.
  tacit node info --dir DIR [--json | --field NAME]
      Shows the node's identity, configuration, deployment, database, whether it runs, and
      its stake and eligibility as the NodeRegistry holds them (after any slash or top-up).
  tacit node wait --dir DIR [--timeout SECONDS]
      Waits until the node answers on its API, which it serves once registered on-chain (for scripts that
      start a node in the background); exits 1 with the reason at the timeout (default 60).
  tacit node stake --dir DIR --add UNITS [--json]
      Adds UNITS (payment-token base units) to the node's locked stake; needs the node's
      passphrase (TACIT_PASSPHRASE or the terminal) to sign.
  tacit node start --dir DIR
      Runs the node in the foreground until interrupted (SIGINT/SIGTERM): registers or
      updates it in the NodeRegistry, serves its peer port and API, and takes part in the
      tasks its policy accepts. Logs go to stdout and DIR's logs/node.log.`;

export function nodeCommand(argv: string[]): Promise<number> {
  return dispatch('node', argv, { init: initCommand, info: infoCommand, wait: waitCommand, stake: stakeCommand, start: startCommand }, USAGE);
}

async function initCommand(args: string[]): Promise<number> {
  const { values } = parseFlags(
    args,
    {
      dir: { type: 'string' },
      name: { type: 'string' },
      'peer-port': { type: 'string' },
      'api-port': { type: 'string' },
      'peer-host': { type: 'string' },
      'public-host': { type: 'string' },
      manifest: { type: 'string' },
      roles: { type: 'string' },
      stake: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    USAGE,
  );
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (!values.dir) throw new UsageError('--dir DIR is required', { hint: USAGE });
  if (!values.name) throw new UsageError('--name NAME is required', { hint: USAGE });
  const dir = resolve(values.dir);
  const paths = nodePaths(dir);
  for (const f of [paths.config, paths.keystore, paths.apiToken, paths.database]) {
    if (existsSync(f)) {
      throw new NodeDirectoryInUseError(`${dir} already holds a node (${f} exists)`, {
        hint: 'use another --dir; `tacit node init` never overwrites keys',
      });
    }
  }
  let manifest: TacitManifest | undefined;
  let manifestPath = 'manifest.json';
  if (values.manifest !== undefined) {
    manifestPath = resolve(values.manifest);
    manifest = loadManifest(manifestPath); // fail now, not at the first start
  }
  const roles = values.roles === undefined ? undefined : parseRoles(values.roles);
  if (values.stake !== undefined && !/^(0|[1-9][0-9]*)$/.test(values.stake)) throw new UsageError('--stake must be a decimal integer (payment-token base units)');
  const config = defaultNodeConfig({
    name: values.name,
    ...(roles ? { roles } : {}),
    ...(values['peer-port'] !== undefined ? { peerPort: port(values['peer-port'], '--peer-port') } : {}),
    ...(values['api-port'] !== undefined ? { apiPort: port(values['api-port'], '--api-port') } : {}),
    ...(values['peer-host'] !== undefined ? { peerHost: values['peer-host'] } : {}),
    ...(values['public-host'] !== undefined ? { publicHost: values['public-host'] } : {}),
    manifest: manifestPath,
    stake: values.stake ?? manifest?.parameters.minStake,
  });

  const passphrase = await readPassphrase({ confirm: true, creating: true });
  const created: string[] = [];
  let keys: Awaited<ReturnType<typeof initNodeKeys>>;
  try {
    ensurePrivateDir(dir);
    if (!values.json) process.stderr.write('creating keys (the keystore KDF takes a few seconds)...\n');
    created.push(paths.keystore);
    // TACIT_SCRYPT_N lowers the keystore KDF cost for throw-away sandboxes and tests only.
    const scryptN = process.env.TACIT_SCRYPT_N ? Number(process.env.TACIT_SCRYPT_N) : undefined;
    keys = await initNodeKeys(dir, passphrase, config.name, scryptN ? { scrypt: { n: scryptN } } : {});
    created.push(paths.apiToken);
    createApiToken(dir);
    created.push(paths.database, `${paths.database}-wal`, `${paths.database}-shm`);
    NodeStore.open(paths.database).close();
    mkdirSync(paths.logs, { recursive: true, mode: 0o700 });
    created.push(paths.config);
    writeNodeConfig(dir, config);
  } catch (err) {
    for (const f of created) rmSync(f, { force: true });
    throw err;
  }

  const out = {
    dir,
    name: config.name,
    address: keys.address,
    fingerprint: keys.fingerprint,
    roles: config.roles,
    peer: { host: config.peer.host, port: config.peer.port, endpoint: peerEndpoint(config) },
    api: { url: apiUrl(config) },
    manifest: manifest ? manifestPath : null,
    stake: config.stake,
    files: { config: paths.config, keystore: paths.keystore, apiToken: paths.apiToken, database: paths.database },
  };
  if (values.json) {
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return 0;
  }
  const lines = [
    `node "${out.name}" created in ${dir}`,
    `  address      ${out.address}   (fund it with gas and the stake before registering)`,
    `  fingerprint  ${out.fingerprint}   (TLS key, pinned by peers)`,
    `  roles        ${out.roles.join(', ')}`,
    `  peer         ${out.peer.endpoint}   (must be reachable by the other nodes)`,
    ...(config.peer.host.startsWith('127.') && config.peer.publicHost === undefined
      ? ['               listening on loopback only: for a real network set --peer-host 0.0.0.0 --public-host HOST (peer in node.json)']
      : []),
    `  api          ${out.api.url}   (admin only; token in ${paths.apiToken})`,
    manifest ? `  chain        ${manifest.chainId} (manifest ${manifestPath})` : `  chain        no manifest yet: put it at ${resolveInNodeDir(dir, manifestPath)} or set chain.manifest in node.json`,
    'Back up keystore.json and remember the passphrase: without both the node\'s account and stake are lost.',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

async function infoCommand(args: string[]): Promise<number> {
  const { values } = parseFlags(
    args,
    { dir: { type: 'string' }, json: { type: 'boolean', default: false }, field: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
    USAGE,
  );
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (!values.dir) throw new UsageError('--dir DIR is required', { hint: USAGE });
  const dir = resolve(values.dir);
  const config = loadNodeConfig(dir);
  const keys = readNodePublicKeys(dir);
  // The identity needs neither the chain nor the API: answer it at once (scripts ask often).
  if (values.field === 'address' || values.field === 'fingerprint' || values.field === 'name') {
    emitResult({ address: keys.address, fingerprint: keys.fingerprint, name: config.name }, { field: values.field }, () => '');
    return 0;
  }
  const paths = nodePaths(dir, config.dataDir);

  const manifestPath = resolveInNodeDir(dir, config.chain.manifest);
  let chain: Record<string, unknown>;
  try {
    const m = loadManifest(manifestPath);
    chain = { manifest: manifestPath, chainId: m.chainId, rpcUrl: config.chain.rpcUrl ?? m.rpcUrl ?? null, contracts: m.contracts };
  } catch (err) {
    chain = { manifest: manifestPath, error: (err as { shortMessage?: string }).shortMessage ?? String(err) };
  }

  let onChain: Record<string, unknown> = { error: 'no deployment' };
  if (!chain.error && chain.rpcUrl) {
    try {
      const { LocalLedger } = await import('../chain/local-ledger.js');
      const s = await readOnChainStake(new LocalLedger(String(chain.rpcUrl), loadManifest(manifestPath)), keys.address, roleMask(config.roles));
      onChain = { registered: s.registered, stake: s.stake.toString(), minStake: s.minStake.toString(), eligible: s.eligible, exiting: s.exiting, ...(s.reason ? { reason: s.reason } : {}) };
    } catch (err) {
      onChain = { error: `chain not reachable at ${String(chain.rpcUrl)} (${(err as { shortMessage?: string }).shortMessage ?? (err as Error).message})` };
    }
  }

  const url = apiUrl(config);
  let api: Record<string, unknown> = { url, running: false };
  try {
    const h = await new NodeApiClient(url, { timeoutMs: 2000 }).health();
    api = { url, running: true, version: h.version, uptime: h.uptime };
  } catch {
    // not running: reported as such
  }

  let store: Record<string, unknown> = { path: paths.database };
  if (existsSync(paths.database)) {
    try {
      const s = NodeStore.open(paths.database, { readonly: true });
      try {
        store = { path: paths.database, schemaVersion: s.schemaVersion(), datasets: s.listDatasets().length, tasks: s.countTasksByStatus() };
      } finally {
        s.close();
      }
    } catch (err) {
      store = { path: paths.database, error: (err as { shortMessage?: string }).shortMessage ?? String(err) };
    }
  } else {
    store = { path: paths.database, error: 'missing' };
  }

  const out = {
    dir,
    name: config.name,
    address: keys.address,
    fingerprint: keys.fingerprint,
    roles: config.roles,
    stake: config.stake,
    onChain,
    peer: { ...config.peer, endpoint: peerEndpoint(config) },
    api,
    chain,
    policy: config.policy,
    store,
  };
  if (values.json || values.field !== undefined) {
    emitResult(out, values, () => '');
    return 0;
  }
  const lines = [
    `node "${out.name}" (${dir})`,
    `  address      ${out.address}`,
    `  fingerprint  ${out.fingerprint}`,
    `  roles        ${out.roles.join(', ')}`,
    onChain.error
      ? `  stake        ${out.stake} in node.json; on-chain: ${String(onChain.error)}`
      : onChain.registered
        ? `  stake        ${String(onChain.stake)} on-chain (minimum ${String(onChain.minStake)}) — ${onChain.eligible ? 'eligible for tasks' : `NOT eligible: ${String(onChain.reason)}`}`
        : `  stake        not registered yet (node.json stake ${out.stake} is locked at the first \`tacit node start\`)`,
    `  peer         ${out.peer.endpoint} (listens on ${config.peer.host}:${config.peer.port})`,
    `  api          ${url} — ${api.running ? `running, version ${String(api.version)}` : 'not running'}`,
    chain.error ? `  chain        ${String(chain.error)}` : `  chain        ${String(chain.chainId)} via ${String(chain.rpcUrl ?? '(no RPC URL)')} (manifest ${manifestPath})`,
    store.error ? `  database     ${paths.database}: ${String(store.error)}` : `  database     ${paths.database}: schema v${String(store.schemaVersion)}, ${String(store.datasets)} dataset(s), tasks ${JSON.stringify(store.tasks)}`,
    `  policy       ${Object.keys(config.policy).length ? JSON.stringify(config.policy) : 'accept any task (no policy set)'}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

async function waitCommand(args: string[]): Promise<number> {
  const { values } = parseFlags(args, { dir: { type: 'string' }, timeout: { type: 'string', default: '60' } }, USAGE);
  if (!values.dir) throw new UsageError('--dir DIR is required', { hint: USAGE });
  const timeout = Number(values.timeout);
  if (!Number.isFinite(timeout) || timeout <= 0) throw new UsageError('--timeout must be a positive number of seconds');
  const dir = resolve(values.dir);
  const config = loadNodeConfig(dir);
  const client = new NodeApiClient(apiUrl(config), { timeoutMs: 2000 });
  const until = Date.now() + timeout * 1000;
  let last = 'its API does not answer';
  while (Date.now() < until) {
    try {
      // The daemon serves its API only after it has registered (or updated) itself on-chain.
      await client.health();
      process.stderr.write(`node ${config.name} is up at ${apiUrl(config)}\n`);
      return 0;
    } catch (err) {
      last = (err as { shortMessage?: string }).shortMessage ?? 'its API does not answer';
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new NodeNotReadyError(`node ${config.name} is not ready after ${timeout} s: ${last}`, { hint: `check its log (${nodePaths(dir, config.dataDir).dataDir}/logs/node.log) and that \`tacit node start --dir ${values.dir}\` is running` });
}

async function stakeCommand(args: string[]): Promise<number> {
  const { values } = parseFlags(args, { dir: { type: 'string' }, add: { type: 'string' }, json: { type: 'boolean', default: false } }, USAGE);
  if (!values.dir) throw new UsageError('--dir DIR is required', { hint: USAGE });
  if (values.add === undefined || !/^[1-9][0-9]*$/.test(values.add)) throw new UsageError('--add UNITS is required: a positive integer in payment-token base units', { hint: USAGE });
  const dir = resolve(values.dir);
  const config = loadNodeConfig(dir);
  const manifest = loadManifest(resolveInNodeDir(dir, config.chain.manifest));
  const rpcUrl = config.chain.rpcUrl ?? manifest.rpcUrl;
  if (!rpcUrl) throw new UsageError('no RPC URL: set chain.rpcUrl in node.json');
  const { unlockNodeKeys } = await import('../node/keys.js');
  const { LocalLedger } = await import('../chain/local-ledger.js');
  const keys = await unlockNodeKeys(dir, await readPassphrase());
  const ledger = new LocalLedger(rpcUrl, manifest);
  const stake = await addStake(ledger, keys.account, BigInt(values.add));
  const s = await readOnChainStake(ledger, keys.address, roleMask(config.roles));
  const out = { address: keys.address, added: values.add, stake: stake.toString(), minStake: s.minStake.toString(), eligible: s.eligible };
  process.stdout.write(values.json ? `${JSON.stringify(out)}\n` : `stake of ${keys.address} is now ${out.stake} (minimum ${out.minStake}); ${s.eligible ? 'eligible for tasks' : `not eligible: ${s.reason}`}\n`);
  return 0;
}

function parseRoles(s: string): NodeRole[] {
  const roles = s.split(',').map((r) => r.trim()).filter(Boolean);
  for (const r of roles) {
    if (!NODE_ROLES.includes(r as NodeRole)) throw new UsageError(`--roles: unknown role "${r}" (roles are ${NODE_ROLES.join(', ')})`);
  }
  if (roles.length === 0) throw new UsageError('--roles needs at least one role');
  return [...new Set(roles)] as NodeRole[];
}

function port(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new UsageError(`${flag} must be an integer in 1..65535`);
  return n;
}

async function startCommand(args: string[]): Promise<number> {
  const { values } = parseFlags(args, { dir: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } }, USAGE);
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (!values.dir) throw new UsageError('--dir DIR is required', { hint: USAGE });
  const { startDaemon } = await import('../node/daemon.js');
  const node = await startDaemon({ dir: resolve(values.dir) });
  process.stderr.write(`tacit: node ${node.config.name} (${node.address}) running; API ${node.api.url}, peer port ${node.peerPort}. Ctrl-C stops it.\n`);
  await new Promise<void>((res) => {
    const done = () => res();
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  await node.stop();
  return 0;
}
