/**
 * `tacit node start`: the daemon an institution leaves running. It unlocks the node's keys,
 * opens its store, attaches to the chain named in its manifest, makes the NodeRegistry
 * match its config, serves its peer port (one TLS port for every MPC session, see
 * net/session-mux.ts) and its local HTTP API, and runs the task lifecycle (tasks/manager.ts).
 * `stop()` closes everything in reverse order; a session in flight is aborted cleanly.
 */
import type { Program } from '../algorithms/program.js';
import { loadManifest } from '../chain/manifest.js';
import { LocalLedger } from '../chain/local-ledger.js';
import { listenSessionMux, peerPortOptionsFromEnv } from '../net/index.js';
import { startApi, type RunningApi } from './api/server.js';
import { datasetActions } from './api/actions.js';
import { createChainViews } from './api/chain-views.js';
import { readApiToken } from './api-token.js';
import { loadNodeConfig, roleMask, type NodeConfig } from './config.js';
import { describeNode } from './info.js';
import { unlockNodeKeys } from './keys.js';
import { createNodeLogger } from './logger.js';
import { createNodeMetrics } from './metrics.js';
import { readPassphrase } from './passphrase.js';
import { nodePaths, resolveInNodeDir } from './paths.js';
import { ensureRegistered } from './register.js';
import { readOnChainStake } from './stake.js';
import { closeSale, openSale } from './datasets/sale.js';
import { NodeStore } from './store/index.js';
import { TaskManager } from './tasks/manager.js';
import { ClearingCycles } from './clearing/cycles.js';
import { clearingRoutes } from './clearing/api.js';
import { nodeKeyDir } from './tasks/key-inputs.js';

export interface DaemonOptions {
  dir: string;
  /** Default: TACIT_PASSPHRASE or a prompt. */
  passphrase?: string;
  /** Log to stdout as well as the log file (default true). */
  stdout?: boolean;
  programs?: ReadonlyMap<string, Program>;
}

export interface RunningNode {
  config: NodeConfig;
  address: string;
  api: RunningApi;
  peerPort: number;
  stop(): Promise<void>;
}

export async function startDaemon(options: DaemonOptions): Promise<RunningNode> {
  const dir = options.dir;
  const config = loadNodeConfig(dir);
  const paths = nodePaths(dir, config.dataDir);
  const passphrase = options.passphrase ?? (await readPassphrase());
  const keys = await unlockNodeKeys(dir, passphrase);
  const store = NodeStore.open(paths.database);
  const log = createNodeLogger({ name: config.name, dataDir: paths.dataDir, stdout: options.stdout });
  const logger = log.logger;
  const cleanups: (() => Promise<void> | void)[] = [() => store.close(), () => log.flush()];
  const stop = async () => {
    for (const c of cleanups.reverse()) await c();
    cleanups.length = 0;
  };
  try {
    const manifestPath = resolveInNodeDir(dir, config.chain.manifest);
    const manifest = loadManifest(manifestPath);
    const rpcUrl = config.chain.rpcUrl ?? manifest.rpcUrl;
    if (!rpcUrl) throw new Error('no RPC URL: set chain.rpcUrl in node.json or deploy with the URL recorded');
    // Task transactions use a fixed gas limit: an estimate made while others' commits are in
    // flight can fall short when this one turns out to be the last (which settles the task).
    const ledger = new LocalLedger(rpcUrl, manifest, { fixedGas: 3_000_000n });
    const registration = await ensureRegistered(ledger, keys.account, config, keys.tls.fingerprint);
    logger.info({ address: keys.address, registration }, 'node registry up to date');
    const stake = await readOnChainStake(ledger, keys.address, roleMask(config.roles));
    if (!stake.eligible) logger.warn({ stake: stake.stake.toString(), minStake: stake.minStake.toString(), reason: stake.reason }, 'this node is NOT eligible for tasks');
    const mux = await listenSessionMux({ host: config.peer.host, port: config.peer.port }, peerPortOptionsFromEnv()); // TACIT_PEER_* limits
    cleanups.push(() => mux.close());
    const metrics = createNodeMetrics({ store });
    const api = await startApi({
      host: config.api.host,
      port: config.api.port,
      token: readApiToken(dir),
      store,
      info: () => describeNode(config, { address: keys.address, fingerprint: keys.tls.fingerprint }, manifest),
      actions: {
        ...datasetActions({ store, publish: { manifest, account: keys.account, rpcUrl, publicClient: ledger.pub, walletClient: ledger.wallet(keys.account), metrics, logger } }),
        openSale: (name, input) => openSale({ ledger, account: keys.account, store }, name, input),
        closeSale: (name) => closeSale({ ledger, account: keys.account, store }, name),
      },
      metrics,
      logger,
      extraRoutes: clearingRoutes(store),
      chain: createChainViews(ledger, keys.account, { manifestPath }),
    });
    cleanups.push(() => api.close());
    // Threshold-key shares live encrypted in the data directory, under the node's passphrase.
    const keyStore = { dir: nodeKeyDir(paths.dataDir), passphrase };
    const manager = new TaskManager({ config, store, ledger, account: keys.account, identity: keys.tls, mux, logger, metrics, programs: options.programs, keyStore });
    await manager.start();
    cleanups.push(() => manager.stop());
    const clearing = new ClearingCycles({ config, store, ledger, account: keys.account, identity: keys.tls, mux, logger, metrics });
    await clearing.start();
    cleanups.push(() => clearing.stop());
    logger.info({ api: api.url, peer: `${config.peer.host}:${mux.port}` }, 'node started');
    return { config, address: keys.address, api, peerPort: mux.port, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
