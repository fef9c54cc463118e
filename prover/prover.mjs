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
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
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
    const t0 = performance.now();
    let out;
    try {
      // singleThread: for a prover that shares the machine with the node's MPC parties.
      out = await snarkjs.groth16.fullProve(input, wasm, zkey, undefined, undefined, { singleThread });
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

async function main() {
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
