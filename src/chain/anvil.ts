/**
 * Finds and launches the anvil binary that `@foundry-rs/anvil` ships in a per-platform npm
 * package (its postinstall is disabled, so we locate the binary ourselves instead of going
 * through the package's `bin.mjs`). `TACIT_ANVIL_BIN` overrides the lookup.
 */
import { killWithParent } from './orphan-guard.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { AnvilNotFoundError } from './errors.js';

const require = createRequire(import.meta.url);

/** Absolute path of the anvil executable for this platform. Throws AnvilNotFoundError. */
export function resolveAnvilBinary(env: NodeJS.ProcessEnv = process.env): string {
  const override = env.TACIT_ANVIL_BIN;
  if (override) {
    if (!isExecutable(override)) {
      throw new AnvilNotFoundError(`TACIT_ANVIL_BIN points at ${override}, which is not an executable file`, {
        hint: 'unset TACIT_ANVIL_BIN to use the binary from @foundry-rs/anvil',
      });
    }
    return override;
  }
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  const pkg = `@foundry-rs/anvil-${process.platform}-${arch}`;
  let dir: string;
  try {
    dir = dirname(require.resolve(`${pkg}/package.json`));
  } catch (cause) {
    throw new AnvilNotFoundError(`the anvil package for this platform (${pkg}) is not installed`, {
      hint: 'run `npm ci`; anvil ships for linux/darwin x64/arm64 and win32 x64',
      cause,
    });
  }
  const bin = join(dir, 'bin', process.platform === 'win32' ? 'anvil.exe' : 'anvil');
  if (!isExecutable(bin)) {
    throw new AnvilNotFoundError(`the anvil binary is missing or not executable at ${bin}`, {
      hint: 'reinstall with `npm ci`',
    });
  }
  return bin;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A running anvil child with the tail of its output kept for error messages. */
export interface AnvilProcess {
  child: ChildProcess;
  /** Last few kilobytes anvil wrote to stdout/stderr. */
  output(): string;
  /** Resolves with the exit code (or signal name) when the process ends. */
  exited: Promise<number | string>;
}

/** Spawns anvil with `args`, output captured (not echoed), stdin closed. */
export function spawnAnvil(args: string[], bin = resolveAnvilBinary()): AnvilProcess {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  killWithParent(child.pid);
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-4096);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1));
    child.once('error', (err) => {
      tail += `\n${err.message}`;
      resolve(-1);
    });
  });
  return { child, output: () => tail, exited };
}
