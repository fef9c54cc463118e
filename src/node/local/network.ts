/**
 * A whole Tacit network on one machine: the embedded chain, the contracts, and N
 * institution nodes, each a separate `tacit node start` process with its own keys, store,
 * peer port and API — what the sandbox (`npm start`) and the end-to-end tests run. Nodes are
 * created through the real CLI (`tacit node init`), funded from the chain's dev account
 * (gas and test payment tokens), and started exactly as an operator would start them.
 */
import { killWithParent } from '../../chain/orphan-guard.js';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEther, type Address } from 'viem';
import { deployTacit } from '../../chain/deploy.js';
import { devAccount, devPrivateKey } from '../../chain/dev-accounts.js';
import { startEmbeddedChain, startEphemeralChain } from '../../chain/embedded.js';
import { LocalLedger } from '../../chain/local-ledger.js';
import { writeManifest, type TacitManifest } from '../../chain/manifest.js';
import { freePort } from '../../chain/ports.js';
import { TacitError } from '../../errors.js';
import { NodeApiClient } from '../api/client.js';
import { SESSION_V8_FLAGS } from '../v8-flags.js';

const TACIT = fileURLToPath(new URL('../../../../bin/tacit.mjs', import.meta.url));

export interface LocalNodeSpec {
  name: string;
  roles: ('data' | 'compute' | 'receiver')[];
  /** Extra node.json policy fields. */
  policy?: Record<string, unknown>;
}

export interface LocalNode {
  name: string;
  dir: string;
  address: Address;
  apiUrl: string;
  token: string;
  api: NodeApiClient;
  process: ChildProcess;
  /** Kills the node process (SIGKILL when `hard`). */
  kill(hard?: boolean): Promise<void>;
  /** Starts the node process again (after a kill). */
  restart(): Promise<void>;
}

export interface LocalNetwork {
  dir: string;
  rpcUrl: string;
  manifest: TacitManifest;
  manifestPath: string;
  ledger: LocalLedger;
  nodes: LocalNode[];
  node(name: string): LocalNode;
  stop(): Promise<void>;
}

export class LocalNetworkError extends TacitError {
  override name = 'LocalNetworkError';
}

export interface StartLocalNetworkOptions {
  dir: string;
  nodes: LocalNodeSpec[];
  /** Keep chain state on disk in dir/chain (default: an ephemeral chain). */
  persistentChain?: boolean;
  /** Payment tokens minted to each node (default 1,000). */
  funds?: bigint;
  passphrase?: string;
  onStep?: (msg: string) => void;
  /** Pipe node logs to this process's stderr (default false: they go to each node's log file). */
  inheritLogs?: boolean;
}

async function waitHealthy(api: NodeApiClient, proc: ChildProcess, name: string, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exitCode !== null) throw new LocalNetworkError(`node ${name} exited (code ${proc.exitCode}) while starting`, { hint: 'see its logs/node.log' });
    try {
      await api.health();
      return;
    } catch {
      if (Date.now() > end) throw new LocalNetworkError(`node ${name} did not come up within ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 150));
    }
  }
}

export async function startLocalNetwork(o: StartLocalNetworkOptions): Promise<LocalNetwork> {
  const step = o.onStep ?? (() => {});
  const passphrase = o.passphrase ?? 'sandbox-passphrase';
  rmSync(o.dir, { recursive: true, force: true });
  mkdirSync(o.dir, { recursive: true });
  step('starting the embedded chain (anvil)');
  const chain = o.persistentChain ? await startEmbeddedChain({ dataDir: join(o.dir, 'chain') }) : await startEphemeralChain();
  const cleanup: (() => Promise<void> | void)[] = [() => chain.stop()];
  const stopAll = async () => {
    for (const c of cleanup.reverse()) await c();
  };
  try {
    step('deploying the Tacit contracts');
    const manifest = await deployTacit({ rpcUrl: chain.rpcUrl, account: devPrivateKey(0), pollingInterval: 20 });
    const manifestPath = join(o.dir, 'manifest.json');
    writeManifest(manifestPath, manifest);
    const ledger = new LocalLedger(chain.rpcUrl, manifest);
    const env = { ...process.env, TACIT_PASSPHRASE: passphrase, TACIT_SCRYPT_N: '1024' };
    const nodes: LocalNode[] = [];
    for (const spec of o.nodes) {
      step(`creating node ${spec.name}`);
      const dir = join(o.dir, spec.name);
      const [peerPort, apiPort] = [await freePort(), await freePort()];
      const r = spawnSync(process.execPath, [TACIT, 'node', 'init', '--dir', dir, '--name', spec.name, '--roles', spec.roles.join(','), '--peer-port', String(peerPort), '--api-port', String(apiPort), '--manifest', manifestPath, '--json'], { env, encoding: 'utf8' });
      if (r.status !== 0) throw new LocalNetworkError(`tacit node init failed for ${spec.name}`, { details: r.stderr.trim() });
      const info = JSON.parse(r.stdout) as { address: Address; api: { url: string } };
      if (spec.policy) {
        const cfgPath = join(dir, 'node.json');
        const cfg = JSON.parse(readFileSync(cfgPath, 'utf8')) as Record<string, unknown>;
        cfg['policy'] = { ...(cfg['policy'] as object), ...spec.policy };
        writeFileSync(cfgPath, JSON.stringify(cfg, null, 2) + '\n');
      }
      // Gas and tokens for the stake and for paying its own transactions.
      await ledger.tx(devAccount(0), 'fund', (w) => w.sendTransaction({ to: info.address, value: parseEther('10') }));
      await ledger.mint(info.address, o.funds ?? 1000n * 10n ** 18n);
      const token = readFileSync(join(dir, 'api-token'), 'utf8').trim();
      const api = new NodeApiClient(info.api.url, { token });
      let proc!: ChildProcess;
      const node: LocalNode = {
        name: spec.name,
        dir,
        address: info.address,
        apiUrl: info.api.url,
        token,
        api,
        get process() {
          return proc;
        },
        async kill(hard = false) {
          if (proc.exitCode !== null || proc.signalCode !== null) return; // already exited (a signal leaves exitCode null)
          const exited = new Promise((res) => proc.once('exit', res));
          proc.kill(hard ? 'SIGKILL' : 'SIGTERM');
          await exited;
        },
        async restart() {
          proc = launch();
          await waitHealthy(api, proc, spec.name);
        },
      };
      const launch = () => {
        const p = spawn(process.execPath, [...SESSION_V8_FLAGS, TACIT, 'node', 'start', '--dir', dir], { env, stdio: ['ignore', o.inheritLogs ? 'inherit' : 'ignore', o.inheritLogs ? 'inherit' : 'pipe'] });
        killWithParent(p.pid);
        p.stderr?.on('data', () => {});
        return p;
      };
      proc = launch();
      cleanup.push(() => node.kill());
      nodes.push(node);
    }
    step('starting the nodes');
    await Promise.all(nodes.map((n) => waitHealthy(n.api, n.process, n.name)));
    return {
      dir: o.dir,
      rpcUrl: chain.rpcUrl,
      manifest,
      manifestPath,
      ledger,
      nodes,
      node(name) {
        const n = nodes.find((x) => x.name === name);
        if (!n) throw new LocalNetworkError(`no node named ${name}`);
        return n;
      },
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

