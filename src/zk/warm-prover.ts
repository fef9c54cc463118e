/**
 * A `Prover` whose proofs come from one long-lived prover process (`prover/prover.mjs
 * --serve`), for nodes and benchmarks that prove repeatedly: the process keeps the BN254
 * curve (WebAssembly field code and its worker threads) built and every proving key and
 * witness generator it has used in memory, so a proof costs witness generation (circom's
 * WebAssembly) and the Groth16 prover's FFTs and multi-exponentiations only — no process
 * start, no curve set-up, no zkey read per proof. The GPL tools still live only in that
 * separate process (src/ never imports them).
 *
 * Ceremony steps, compilation and key generation are delegated to a `ProcessProver`: each
 * contribution keeps its own short-lived process, so its randomness dies with it.
 * Requests are answered in order, one at a time; a request that times out kills the
 * process (by its pid) and the next request starts a fresh one. `close()` ends it; the
 * process is unreferenced, so it never keeps the caller alive.
 */
import { killWithParent } from '../chain/orphan-guard.js';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { ProcessProver, proverReplyError, proverScriptPath, type Groth16Proof, type Prover, type ProveResult, type VerificationKey } from './prover.js';
import { ZkProverError } from './errors.js';

export interface WarmProverOptions {
  /** Longest a single proof or verification may take (default 10 minutes). */
  timeoutMs?: number;
  script?: string;
  /** Use one thread in the prover (for a node whose MPC parties share the cores). */
  singleThread?: boolean;
}

interface Pending {
  id: number;
  op: string;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export class WarmProver implements Prover {
  private readonly cold: ProcessProver;
  private readonly script: string;
  private readonly timeoutMs: number;
  private readonly singleThread: boolean;
  private child: ChildProcessWithoutNullStreams | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: WarmProverOptions = {}) {
    this.script = options.script ?? proverScriptPath();
    this.timeoutMs = options.timeoutMs ?? 600_000;
    this.singleThread = options.singleThread ?? false;
    this.cold = new ProcessProver({ script: this.script });
  }

  private start(): ChildProcessWithoutNullStreams {
    if (this.child) return this.child;
    const child = spawn(process.execPath, [this.script, '--serve'], { stdio: ['pipe', 'pipe', 'pipe'] });
    killWithParent(child.pid); // a prover must not outlive a killed parent (a test timed out, a node crashed)
    this.child = child;
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      let msg: { id?: number; result?: unknown; error?: { code: string; message: string } };
      try {
        msg = JSON.parse(line);
      } catch {
        return; // not a reply (a tool printing to stdout); replies are whole JSON lines
      }
      const p = msg.id === undefined ? undefined : this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(p.id);
      clearTimeout(p.timer);
      if (msg.error) p.reject(proverReplyError(p.op, msg.error));
      else p.resolve(msg.result);
    });
    const failAll = (why: string) => {
      if (this.child === child) this.child = undefined;
      for (const p of this.pending.values()) {
        clearTimeout(p.timer);
        p.reject(new ZkProverError(`the warm prover process ended during "${p.op}" (${why})`, { details: stderr.trim().split('\n').slice(-3).join(' | ') }));
      }
      this.pending.clear();
    };
    child.on('error', (cause) => failAll(`could not start: ${cause.message}`));
    child.on('exit', (code, signal) => failAll(signal ? `signal ${signal}` : `exit code ${code}`));
    return child;
  }

  /** Referenced while a request is outstanding, unreferenced when idle: an idle prover never keeps the caller alive. */
  private hold(child: ChildProcessWithoutNullStreams, on: boolean): void {
    const handles = [child, child.stdin, child.stdout, child.stderr] as unknown as { ref?: () => void; unref?: () => void }[];
    for (const h of handles) (on ? h.ref : h.unref)?.call(h);
  }

  private request<T>(op: string, args: unknown): Promise<T> {
    const run = () =>
      new Promise<T>((resolve, reject) => {
        const child = this.start();
        const id = this.nextId++;
        const timer = setTimeout(() => {
          this.pending.delete(id);
          reject(new ZkProverError(`the warm prover did not finish "${op}" within ${this.timeoutMs / 1000} s; it was stopped`));
          if (this.child === child) this.child = undefined;
          if (child.pid !== undefined) child.kill('SIGKILL');
        }, this.timeoutMs);
        const done = () => { if (this.pending.size === 0) this.hold(child, false); };
        this.pending.set(id, { id, op, resolve: (v) => { done(); resolve(v as T); }, reject: (e) => { done(); reject(e); }, timer });
        this.hold(child, true);
        child.stdin.write(`${JSON.stringify({ id, op, args })}\n`);
      });
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Ends the prover process (idempotent); a later request starts a new one. */
  close(): void {
    const child = this.child;
    this.child = undefined;
    if (child) child.stdin.end();
  }

  probe() { return this.request<{ snarkjs: string; circom2: string }>('probe', {}); }
  info(r1cs: string) { return this.request<{ constraints: number; publicInputs: number; privateInputs: number; wires: number }>('info', { r1cs }); }
  prove(wasm: string, zkey: string, input: unknown): Promise<ProveResult> {
    return this.request<ProveResult>('prove', { wasm, zkey, input, singleThread: this.singleThread });
  }
  async verify(vk: VerificationKey, proof: Groth16Proof, publicSignals: string[]) {
    return (await this.request<{ valid: boolean }>('verify', { vk, proof, publicSignals })).valid;
  }

  // Compilation, ceremonies and keys: one short-lived process each.
  compile(circuit: string, outDir: string) { return this.cold.compile(circuit, outDir); }
  ptauNew(power: number, out: string) { return this.cold.ptauNew(power, out); }
  ptauContribute(input: string, out: string, name: string) { return this.cold.ptauContribute(input, out, name); }
  ptauBeacon(input: string, out: string, name: string, beacon: string, iterationsExp: number) { return this.cold.ptauBeacon(input, out, name, beacon, iterationsExp); }
  ptauPrepare(input: string, out: string) { return this.cold.ptauPrepare(input, out); }
  ptauVerify(file: string) { return this.cold.ptauVerify(file); }
  zkeyNew(r1cs: string, ptau: string, out: string) { return this.cold.zkeyNew(r1cs, ptau, out); }
  zkeyContribute(input: string, out: string, name: string) { return this.cold.zkeyContribute(input, out, name); }
  zkeyVerify(r1cs: string, ptau: string, zkey: string) { return this.cold.zkeyVerify(r1cs, ptau, zkey); }
  exportVk(zkey: string) { return this.cold.exportVk(zkey); }
}
