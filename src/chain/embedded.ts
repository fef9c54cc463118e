/**
 * The default chain for a single machine: anvil (from `@foundry-rs/anvil`) on a loopback port
 * with its whole state — accounts, balances, contract code and storage, blocks and receipts —
 * kept in `<dataDir>/anvil-state.json`. anvil 1.7.1's `--state FILE` loads the file at start
 * if it exists and writes it on exit (SIGTERM/SIGINT); `--state-interval N` also rewrites it
 * every N seconds so a crash loses at most that much. Tacit adds no consensus of its own: a
 * deployment on a real EVM chain works the same way through an RPC URL.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { resolveAnvilBinary, spawnAnvil, type AnvilProcess } from './anvil.js';
import { ChainStartError, PortInUseError } from './errors.js';
import { freePort, isPortFree } from './ports.js';

export interface EmbeddedChainOptions {
  /** Directory holding the chain state (created if missing). */
  dataDir: string;
  /** Loopback port; a free one is picked when omitted. */
  port?: number;
  /** Chain id (default 31337, anvil's). Keep it the same across restarts. */
  chainId?: number;
  /** Seconds between periodic state dumps (default 2). */
  stateIntervalSeconds?: number;
  /** How long to wait for the RPC to answer (default 15 s). */
  readyTimeoutMs?: number;
  /** Path of the anvil binary (default: resolved from the npm package). */
  anvilBinary?: string;
}

export interface EmbeddedChain {
  rpcUrl: string;
  chainId: number;
  port: number;
  /** File the state is persisted to. */
  stateFile: string;
  /** Stops anvil gracefully (its state is written on the way out). Idempotent. */
  stop(): Promise<void>;
}

export const DEFAULT_CHAIN_ID = 31337;
export const STATE_FILE_NAME = 'anvil-state.json';

/** Starts anvil on 127.0.0.1 with on-disk state and waits until its RPC answers. */
export async function startEmbeddedChain(options: EmbeddedChainOptions): Promise<EmbeddedChain> {
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const stateFile = join(dataDir, STATE_FILE_NAME);
  const interval = options.stateIntervalSeconds ?? 2;
  const chain = await launchAnvil({
    ...options,
    extraArgs: ['--state', stateFile, '--state-interval', String(interval)],
  });
  return { ...chain, stateFile };
}

export interface EphemeralChainOptions {
  port?: number;
  chainId?: number;
  readyTimeoutMs?: number;
  anvilBinary?: string;
}

/** A chain that keeps nothing on disk: anvil on a free loopback port, for tests and benchmarks. */
export function startEphemeralChain(options: EphemeralChainOptions = {}): Promise<Omit<EmbeddedChain, 'stateFile'>> {
  return launchAnvil({ ...options, extraArgs: [] });
}

async function launchAnvil(
  options: EphemeralChainOptions & { extraArgs: string[] },
): Promise<Omit<EmbeddedChain, 'stateFile'>> {
  const bin = resolveAnvilBinary(options.anvilBinary ? { TACIT_ANVIL_BIN: options.anvilBinary } : process.env);
  const chainId = options.chainId ?? DEFAULT_CHAIN_ID;
  if (options.port !== undefined && !(await isPortFree(options.port))) throw new PortInUseError(options.port);
  // A port picked by us can be taken between the check and anvil's bind: retry a few times.
  for (let attempt = 0; ; attempt++) {
    const port = options.port ?? (await freePort());
    const args = ['--host', '127.0.0.1', '--port', String(port), '--chain-id', String(chainId), '--quiet', ...options.extraArgs];
    const proc = spawnAnvil(args, bin);
    const rpcUrl = `http://127.0.0.1:${port}`;
    try {
      await waitForRpc(rpcUrl, { timeoutMs: options.readyTimeoutMs ?? 15_000, process: proc });
    } catch (err) {
      await killAndWait(proc);
      const inUse = /address already in use/i.test(proc.output());
      if (inUse && options.port === undefined && attempt < 3) continue;
      if (inUse) throw new PortInUseError(port, { cause: err });
      throw err;
    }
    // If this process exits without stop(), still let anvil write its state and go.
    const onExit = () => proc.child.kill('SIGTERM');
    process.once('exit', onExit);
    let stopping: Promise<void> | undefined;
    return {
      rpcUrl,
      chainId,
      port,
      stop() {
        stopping ??= (async () => {
          process.removeListener('exit', onExit);
          await killAndWait(proc);
        })();
        return stopping;
      },
    };
  }
}

/** Sends SIGTERM (so anvil writes its state), waits, and SIGKILLs after `graceMs`. */
export async function killAndWait(proc: AnvilProcess, graceMs = 15_000): Promise<void> {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), graceMs);
  try {
    await proc.exited;
  } finally {
    clearTimeout(timer);
  }
}

export interface WaitForRpcOptions {
  timeoutMs?: number;
  /** When given, fail fast if this process exits while we wait. */
  process?: AnvilProcess;
}

/** Polls `eth_chainId` until the node answers; returns the chain id. */
export async function waitForRpc(rpcUrl: string, options: WaitForRpcOptions = {}): Promise<number> {
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  let exited: number | string | undefined;
  options.process?.exited.then((code) => (exited = code));
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (exited !== undefined) {
      throw new ChainStartError(`anvil exited (${exited}) before its RPC became ready`, {
        details: lastLines(options.process!.output()),
      });
    }
    try {
      const res = await fetch(rpcUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
        signal: AbortSignal.timeout(1000),
      });
      const body = (await res.json()) as { result?: string };
      if (body.result) return Number(BigInt(body.result));
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new ChainStartError(`the chain RPC at ${rpcUrl} did not answer within ${options.timeoutMs ?? 15_000} ms`, {
    details: options.process ? lastLines(options.process.output()) : undefined,
    hint: 'check that nothing else is bound to that port and that the state file is not corrupt',
    cause: lastError,
  });
}

function lastLines(text: string, n = 5): string {
  return text.trim().split('\n').slice(-n).join('\n');
}
