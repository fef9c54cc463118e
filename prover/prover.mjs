#!/usr/bin/env node
// Tacit's prover process: the only code that loads the GPL-3.0 tools circom2 (the circom
// compiler as WebAssembly) and snarkjs (Groth16 over BN254, powers of tau, phase 2). Tacit
// itself (Apache-2.0, under src/) never imports them: src/zk/prover.ts spawns this script,
// writes ONE JSON request on stdin and reads ONE JSON reply on stdout, so the two programs
// only talk through files and pipes (an "aggregate", not a combined work). Both packages are
// optionalDependencies; when they are absent this script answers {"error":{"code":
// "ZK_TOOLS_MISSING"}} and Tacit tells the user how to install them.
//
// One request per process: each ceremony contribution draws its randomness inside its own
// short-lived process, and that randomness dies with it (snarkjs hashes node:crypto entropy
// into the contribution; nothing random is ever written out).
//
// `--serve` (src/zk/warm-prover.ts): a long-lived process for proving and verifying only,
// one JSON request per line on stdin, one JSON reply per line on stdout. It keeps the curve
// (WebAssembly field code and worker threads) built and each proving key and witness
// generator in memory, so a proof costs only witness generation and the Groth16 prover's
// FFTs and multi-exponentiations, not process start, curve set-up and reading the zkey.
// Ceremony operations are refused there: their randomness must die with its process.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';

const require = createRequire(import.meta.url);

function reply(obj) {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
}
function fail(code, message) {
  reply({ error: { code, message } });
  process.exitCode = 1;
}

async function loadSnarkjs() {
  try {
    return await import('snarkjs');
  } catch (err) {
    throw Object.assign(new Error(`snarkjs is not installed (${err.code ?? err.message})`), { code: 'ZK_TOOLS_MISSING' });
  }
}

function circomCli() {
  try {
    return require.resolve('circom2/cli.js');
  } catch (err) {
    throw Object.assign(new Error(`circom2 is not installed (${err.code ?? err.message})`), { code: 'ZK_TOOLS_MISSING' });
  }
}

async function readStdin() {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

/** 32 bytes of fresh entropy, as the hex string snarkjs hashes into a contribution. */
function entropy() {
  return randomBytes(32).toString('hex');
}

const handlers = {
  /** Compiles a .circom file to r1cs + wasm witness generator in outDir (cwd = outDir's parent). */
  async compile({ circuit, outDir }) {
    mkdirSync(outDir, { recursive: true });
    const cwd = dirname(circuit);
    const r = spawnSync(process.execPath, [circomCli(), relative(cwd, circuit), '--r1cs', '--wasm', '--O2', '-o', relative(cwd, outDir)], {
      cwd,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    if (r.status !== 0) {
      throw Object.assign(new Error(`circom failed: ${(r.stderr || r.stdout || '').replace(/\x1b\[[0-9;]*m/g, '').slice(-2000)}`), { code: 'CIRCUIT_COMPILE_FAILED' });
    }
    return { ok: true };
  },
  async info({ r1cs }) {
    const snarkjs = await loadSnarkjs();
    const info = await snarkjs.r1cs.info(r1cs);
    return { constraints: info.nConstraints, publicInputs: info.nPubInputs + info.nOutputs, privateInputs: info.nPrvInputs, wires: info.nVars };
  },
  async ptauNew({ power, out }) {
    const snarkjs = await loadSnarkjs();
    const curve = await snarkjs.curves.getCurveFromName('bn128');
    await snarkjs.powersOfTau.newAccumulator(curve, power, out);
    return { ok: true };
  },
  async ptauContribute({ input, out, name }) {
    const snarkjs = await loadSnarkjs();
    await snarkjs.powersOfTau.contribute(input, out, name, entropy());
    return { ok: true };
  },
  async ptauBeacon({ input, out, name, beacon, iterationsExp }) {
    const snarkjs = await loadSnarkjs();
    await snarkjs.powersOfTau.beacon(input, out, name, beacon, iterationsExp);
    return { ok: true };
  },
  async ptauPrepare({ input, out }) {
    const snarkjs = await loadSnarkjs();
    await snarkjs.powersOfTau.preparePhase2(input, out);
    return { ok: true };
  },
  async ptauVerify({ file }) {
    const snarkjs = await loadSnarkjs();
    return { valid: Boolean(await snarkjs.powersOfTau.verify(file)) };
  },
  async zkeyNew({ r1cs, ptau, out }) {
    const snarkjs = await loadSnarkjs();
    await snarkjs.zKey.newZKey(r1cs, ptau, out);
    return { ok: true };
  },
  async zkeyContribute({ input, out, name }) {
    const snarkjs = await loadSnarkjs();
    await snarkjs.zKey.contribute(input, out, name, entropy());
    return { ok: true };
  },
  async zkeyVerify({ r1cs, ptau, zkey }) {
    const snarkjs = await loadSnarkjs();
    return { valid: Boolean(await snarkjs.zKey.verifyFromR1cs(r1cs, ptau, zkey)) };
  },
  async exportVk({ zkey }) {
    const snarkjs = await loadSnarkjs();
    return { vk: await snarkjs.zKey.exportVerificationKey(zkey) };
  },
  async prove({ wasm, zkey, input, singleThread = false }) {
    const snarkjs = await loadSnarkjs();
    // Build the curve (WebAssembly field code and its worker threads) before the clock starts: it is per process, not per proof.
    await snarkjs.curves.getCurveFromName('bn128', { singleThread });
    // In serve mode the witness generator and the proving key come from memory (read once per file version).
    const wasmIn = serving ? cached(wasm) : wasm;
    const zkeyIn = serving ? cached(zkey) : zkey;
    const t0 = performance.now();
    let out;
    try {
      // singleThread: for a prover that shares the machine with the node's MPC parties.
      out = await snarkjs.groth16.fullProve(input, wasmIn, zkeyIn, undefined, undefined, { singleThread });
    } catch (err) {
      const msg = String(err?.message ?? err);
      // The witness calculator throws on a failed `===` or `<==` constraint: the statement is false.
      if (/assert failed|error in template|not enough values|too many values|signal not found/i.test(msg)) {
        throw Object.assign(new Error(`the witness does not satisfy the circuit: ${msg.split('\n')[0]}`), { code: 'WITNESS_UNSATISFIED' });
      }
      throw err;
    }
    return { proof: out.proof, publicSignals: out.publicSignals, seconds: (performance.now() - t0) / 1000 };
  },
  async verify({ vk, proof, publicSignals }) {
    const snarkjs = await loadSnarkjs();
    return { valid: Boolean(await snarkjs.groth16.verify(vk, publicSignals, proof)) };
  },
  async probe() {
    await loadSnarkjs();
    circomCli();
    const version = (pkg) => {
      let dir = dirname(require.resolve(pkg === 'circom2' ? 'circom2/cli.js' : 'snarkjs'));
      while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
      return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
    };
    return { ok: true, snarkjs: version('snarkjs'), circom2: version('circom2') };
  },
};

let serving = false;
/** path → { stamp, data }: file contents kept by the serving process, re-read when the file changes. */
const fileCache = new Map();
function cached(path) {
  const st = statSync(path);
  const stamp = `${st.size}:${st.mtimeMs}`;
  let hit = fileCache.get(path);
  if (!hit || hit.stamp !== stamp) {
    hit = { stamp, data: new Uint8Array(readFileSync(path)) };
    fileCache.set(path, hit);
    // A handful of circuits per node; keep the newest few.
    if (fileCache.size > 16) fileCache.delete(fileCache.keys().next().value);
  }
  return hit.data;
}

/** Serve mode: requests {id, op, args} one per line, replies {id, result | error} one per line, in order. */
async function serve() {
  serving = true;
  const allowed = new Set(['probe', 'prove', 'verify', 'info']);
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    let req;
    try {
      req = JSON.parse(line);
    } catch {
      reply({ id: null, error: { code: 'BAD_REQUEST', message: 'a request is one JSON object per line' } });
      continue;
    }
    const handler = allowed.has(req.op) ? handlers[req.op] : undefined;
    if (!handler) {
      reply({ id: req.id, error: { code: 'BAD_REQUEST', message: `operation "${req.op}" is not served by a warm prover (ceremony steps run in their own process)` } });
      continue;
    }
    try {
      reply({ id: req.id, result: await handler(req.args ?? {}) });
    } catch (err) {
      reply({ id: req.id, error: { code: err.code && typeof err.code === 'string' && /^[A-Z_]+$/.test(err.code) ? err.code : 'PROVER_FAILED', message: String(err?.message ?? err) } });
    }
  }
  // stdin closed: the parent is done with us (curve worker threads would keep the process alive).
  process.exit(0);
}

async function main() {
  if (process.argv.includes('--serve')) return serve();
  const req = await readStdin();
  const handler = handlers[req.op];
  if (!handler) return fail('BAD_REQUEST', `unknown prover operation "${req.op}"`);
  try {
    reply({ result: await handler(req.args ?? {}) });
  } catch (err) {
    fail(err.code && typeof err.code === 'string' && /^[A-Z_]+$/.test(err.code) ? err.code : 'PROVER_FAILED', String(err?.message ?? err));
  }
  // snarkjs keeps curve worker threads alive; the single request is done.
  setImmediate(() => process.exit());
}

main().catch((err) => {
  fail('PROVER_FAILED', String(err?.message ?? err));
  process.exit(1);
});
