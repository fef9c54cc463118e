/**
 * Zero-knowledge benchmark: per circuit, its size (R1CS constraints), the time to prove a
 * true claim with a warm prover (src/zk/warm-prover.ts: witness generation + Groth16 proof,
 * both cores; the median of TACIT_BENCH_ZK_REPS proofs after one warm-up that loads the
 * circuit, reported beside that first, cold proof), and the gas of verifying that proof with the
 * generated verifier contract on anvil, against the targets (depth-20 Merkle membership
 * ≤ 2 s, 23-feature score threshold ≤ 3 s, verification ≤ 300,000 gas). The baseline in
 * the same run is the off-chain snarkjs verification time of the same proof. Keys come from
 * a local ceremony (cached under dist/zk-cache; the first run compiles and sets up).
 * TACIT_BENCH_ZK=row-count,membership,… picks circuits; column-range (2-row capacity, a 2^14
 * accumulator) only when named. A second baseline: the same proof from a fresh prover
 * process (`ProcessProver`, what a one-off `tacit zk prove` pays beyond process start).
 * `column-chunk` (default on): the chunked column range over a 30,000-row column (zk-column.ts).
 */
import { devAccount } from '../src/chain/dev-accounts.js';
import { startEphemeralChain } from '../src/chain/embedded.js';
import { ZkChain } from '../src/chain/zk-ledger.js';
import { claimCircuit, splitPublicSignals, type Claim, type ClaimKind } from '../src/zk/claims.js';
import { DatasetCommitment } from '../src/zk/dataset-commitment.js';
import { randomField } from '../src/zk/field.js';
import { ProcessProver } from '../src/zk/prover.js';
import { localSetup } from '../src/zk/setup.js';
import { WarmProver } from '../src/zk/warm-prover.js';
import { runColumnRangeBench } from './zk-column.js';

const TARGET_SECONDS: Partial<Record<ClaimKind, number>> = { membership: 2, absence: 2, 'credit-decision': 3 };
const TARGET_GAS = 300_000n;

function claims(): Record<ClaimKind, () => Claim> {
  const rows = Array.from({ length: 8 }, (_, i) => ({ id: `applicant-${i}`, values: [1000 + i * 10, 20 + i, i % 2] }));
  const data = new DatasetCommitment(['income', 'age', 'flag'], rows);
  const n = 23;
  const weights = Array.from({ length: n }, (_, i) => BigInt((i % 5) - 2) * 250_000n);
  const features = Array.from({ length: n }, (_, i) => BigInt(i) * 1_000_000n);
  const bias = 1_000_000_000_000n;
  const score = weights.reduce((s, w, i) => s + w * features[i]!, bias);
  return {
    'row-count': () => ({ kind: 'row-count', data, minRows: 5 }),
    membership: () => ({ kind: 'membership', data, id: 'applicant-3' }),
    absence: () => ({ kind: 'absence', data, id: 'applicant-99' }),
    'column-range': () => ({ kind: 'column-range', data: new DatasetCommitment(['income', 'age'], rows.slice(0, 2).map((r) => ({ id: r.id, values: r.values.slice(0, 2) }))), column: 'age', lo: 18_000_000n, hi: 99_000_000n, rowsLog2: 1 }),
    'credit-decision': () => ({ kind: 'credit-decision', witness: { weights, bias, modelSalt: randomField(), features, featuresSalt: randomField(), threshold: 0n, approve: score >= 0n } }),
    'result-bound': () => ({ kind: 'result-bound', result: 1_234_000_000n, salt: randomField(), lo: 0n, hi: 5_000_000_000n }),
  };
}

export async function runZkBench(options: { json: boolean }): Promise<void> {
  const prover = new ProcessProver();
  const warm = new WarmProver();
  const reps = Math.max(1, Number(process.env.TACIT_BENCH_ZK_REPS ?? 3));
  const names = process.env.TACIT_BENCH_ZK?.split(',') ?? ['row-count', 'result-bound', 'membership', 'absence', 'credit-decision', 'column-chunk'];
  const picked = names.filter((n) => n !== 'column-chunk') as ClaimKind[];
  const chain = await startEphemeralChain();
  try {
    const admin = devAccount(0);
    const zk = await ZkChain.deploy(chain.rpcUrl, admin);
    const all = claims();
    for (const kind of picked) {
      const claim = all[kind]();
      const { spec, input } = claimCircuit(claim);
      const keys = await localSetup(prover, spec);
      const fresh = await prover.prove(keys.circuit.wasm, keys.zkey, input);
      const first = await warm.prove(keys.circuit.wasm, keys.zkey, input);
      const runs = [];
      for (let i = 0; i < reps; i++) runs.push(await warm.prove(keys.circuit.wasm, keys.zkey, input));
      runs.sort((a, b) => a.seconds - b.seconds);
      const r = runs[Math.floor((runs.length - 1) / 2)]!;
      const t0 = performance.now();
      const offchain = await prover.verify(keys.vk, r.proof, r.publicSignals);
      const verifyProcessSeconds = (performance.now() - t0) / 1000;
      const verifier = await zk.deployVerifier(admin.address, keys.vk);
      const { commitments, statement } = splitPublicSignals(spec, r.publicSignals);
      const onchain = await zk.callVerifier(admin.address, verifier, [...commitments, ...statement], r.proof);
      const row = {
        suite: 'zk',
        circuit: spec.id,
        constraints: keys.circuit.constraints,
        publicInputs: spec.publicInputs.length,
        proveSeconds: Number(r.seconds.toFixed(3)),
        proveSecondsRange: [Number(runs[0]!.seconds.toFixed(3)), Number(runs[runs.length - 1]!.seconds.toFixed(3))],
        firstWarmProofSeconds: Number(first.seconds.toFixed(3)),
        baselineFreshProcessProveSeconds: Number(fresh.seconds.toFixed(3)),
        verifyGas: Number(onchain.gas),
        valid: offchain && onchain.valid,
        baselineOffchainVerifyProcessSeconds: Number(verifyProcessSeconds.toFixed(3)),
        targetSeconds: TARGET_SECONDS[kind] ?? null,
        targetGas: Number(TARGET_GAS),
        meetsTargets: (TARGET_SECONDS[kind] === undefined || r.seconds <= TARGET_SECONDS[kind]!) && onchain.gas <= TARGET_GAS,
      };
      if (options.json) console.log(JSON.stringify(row));
      else console.log(`${row.circuit.padEnd(30)} ${String(row.constraints).padStart(7)} constraints  prove ${row.proveSeconds.toFixed(2)} s  verify ${row.verifyGas} gas  ${row.valid ? 'valid' : 'INVALID'}`);
    }
  } finally {
    warm.close();
    await chain.stop();
  }
  if (names.includes('column-chunk')) await runColumnRangeBench({ ...options, reps });
}
