/**
 * The `Prover` interface and its one implementation, `ProcessProver`, which runs
 * prover/prover.mjs — the only code that loads the GPL-3.0 packages snarkjs and circom2 —
 * as a child process, one JSON request on stdin and one JSON reply on stdout per process.
 * Tacit (Apache-2.0) never imports those packages; it exchanges files and JSON with a
 * separate program. A fresh process per request also gives every ceremony contribution its
 * own address space for its randomness, and a crash or hang in the tools cannot take the
 * node down (requests have a timeout and are killed by pid).
 */
import { killWithParent } from '../chain/orphan-guard.js';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ZkProverError, ZkToolsMissingError, ZkWitnessError } from './errors.js';

export interface Groth16Proof {
  pi_a: string[];
  pi_b: string[][];
  pi_c: string[];
  protocol?: string;
  curve?: string;
}

export interface VerificationKey {
  protocol: 'groth16';
  curve: string;
  nPublic: number;
  vk_alpha_1: string[];
  vk_beta_2: string[][];
  vk_gamma_2: string[][];
  vk_delta_2: string[][];
  IC: string[][];
}

export interface ProveResult {
  proof: Groth16Proof;
  publicSignals: string[];
  /** Witness generation + proving time inside the prover process. */
  seconds: number;
}

/** Everything Tacit asks of a Groth16 toolchain; paths are files both sides can read. */
export interface Prover {
  probe(): Promise<{ snarkjs: string; circom2: string }>;
  compile(circuit: string, outDir: string): Promise<void>;
  info(r1cs: string): Promise<{ constraints: number; publicInputs: number; privateInputs: number; wires: number }>;
  ptauNew(power: number, out: string): Promise<void>;
  ptauContribute(input: string, out: string, name: string): Promise<void>;
  ptauBeacon(input: string, out: string, name: string, beacon: string, iterationsExp: number): Promise<void>;
  ptauPrepare(input: string, out: string): Promise<void>;
  ptauVerify(file: string): Promise<boolean>;
  zkeyNew(r1cs: string, ptau: string, out: string): Promise<void>;
  zkeyContribute(input: string, out: string, name: string): Promise<void>;
  zkeyVerify(r1cs: string, ptau: string, zkey: string): Promise<boolean>;
  exportVk(zkey: string): Promise<VerificationKey>;
  prove(wasm: string, zkey: string, input: unknown): Promise<ProveResult>;
  verify(vk: VerificationKey, proof: Groth16Proof, publicSignals: string[]): Promise<boolean>;
}

/** prover/prover.mjs in the package root (two levels above dist/src/zk or src/zk). */
export function proverScriptPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'prover', 'prover.mjs');
    if (existsSync(candidate)) return candidate;
    dir = resolve(dir, '..');
  }
  throw new ZkProverError('prover/prover.mjs is missing from this Tacit installation', { hint: 'reinstall Tacit; the prover script ships beside src/' });
}

/** The typed error for a prover's `{error: {code, message}}` reply. */
export function proverReplyError(op: string, error: { code: string; message: string }): Error {
  const { code, message } = error;
  if (code === 'ZK_TOOLS_MISSING') return new ZkToolsMissingError(message);
  if (code === 'WITNESS_UNSATISFIED') return new ZkWitnessError('the private inputs do not satisfy the claim; no proof exists for a false statement', { details: message });
  return new ZkProverError(`the prover failed at "${op}"`, { details: message });
}

export interface ProcessProverOptions {
  /** Longest a single request may run (default 1 hour: setup of large circuits is slow). */
  timeoutMs?: number;
  script?: string;
}

export class ProcessProver implements Prover {
  private readonly script: string;
  private readonly timeoutMs: number;

  constructor(options: ProcessProverOptions = {}) {
    this.script = options.script ?? proverScriptPath();
    this.timeoutMs = options.timeoutMs ?? 3_600_000;
  }

  private request<T>(op: string, args: unknown): Promise<T> {
    return new Promise<T>((resolvePromise, reject) => {
      const child = spawn(process.execPath, [this.script], { stdio: ['pipe', 'pipe', 'pipe'] });
      killWithParent(child.pid); // a prover must not outlive a killed parent (a test timed out, a node crashed)
      let out = '';
      let err = '';
      const timer = setTimeout(() => {
        if (child.pid !== undefined) child.kill('SIGKILL');
        reject(new ZkProverError(`the prover did not finish "${op}" within ${this.timeoutMs / 1000} s`));
      }, this.timeoutMs);
      child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-4000)));
      child.on('error', (cause) => {
        clearTimeout(timer);
        reject(new ZkProverError('could not start the prover process', { cause }));
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        const line = out.trim().split('\n').pop() ?? '';
        let msg: { result?: T; error?: { code: string; message: string } };
        try {
          msg = JSON.parse(line);
        } catch {
          reject(new ZkProverError(`the prover exited (code ${code}) without a reply to "${op}"`, { details: err.trim().split('\n').slice(-3).join(' | ') }));
          return;
        }
        if (msg.error) {
          reject(proverReplyError(op, msg.error));
          return;
        }
        resolvePromise(msg.result as T);
      });
      child.stdin.end(JSON.stringify({ op, args }));
    });
  }

  probe() { return this.request<{ snarkjs: string; circom2: string }>('probe', {}); }
  async compile(circuit: string, outDir: string) { await this.request('compile', { circuit, outDir }); }
  info(r1cs: string) { return this.request<{ constraints: number; publicInputs: number; privateInputs: number; wires: number }>('info', { r1cs }); }
  async ptauNew(power: number, out: string) { await this.request('ptauNew', { power, out }); }
  async ptauContribute(input: string, out: string, name: string) { await this.request('ptauContribute', { input, out, name }); }
  async ptauBeacon(input: string, out: string, name: string, beacon: string, iterationsExp: number) { await this.request('ptauBeacon', { input, out, name, beacon, iterationsExp }); }
  async ptauPrepare(input: string, out: string) { await this.request('ptauPrepare', { input, out }); }
  async ptauVerify(file: string) { return (await this.request<{ valid: boolean }>('ptauVerify', { file })).valid; }
  async zkeyNew(r1cs: string, ptau: string, out: string) { await this.request('zkeyNew', { r1cs, ptau, out }); }
  async zkeyContribute(input: string, out: string, name: string) { await this.request('zkeyContribute', { input, out, name }); }
  async zkeyVerify(r1cs: string, ptau: string, zkey: string) { return (await this.request<{ valid: boolean }>('zkeyVerify', { r1cs, ptau, zkey })).valid; }
  async exportVk(zkey: string) { return (await this.request<{ vk: VerificationKey }>('exportVk', { zkey })).vk; }
  prove(wasm: string, zkey: string, input: unknown) { return this.request<ProveResult>('prove', { wasm, zkey, input }); }
  async verify(vk: VerificationKey, proof: Groth16Proof, publicSignals: string[]) { return (await this.request<{ valid: boolean }>('verify', { vk, proof, publicSignals })).valid; }
}
