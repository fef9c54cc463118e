/**
 * Column range over a whole dataset (src/zk/column-commitment.ts): default_credit's host
 * column x0 (30,000 rows) committed in chunks of C (TACIT_BENCH_ZK_CHUNK; default 256 when a
 * 2^16 accumulator is cached, else 32), and
 * the range claim [⌊min⌋, ⌈max⌉] proven for the first TACIT_BENCH_ZK_REPS chunks with a warm
 * prover (median per chunk, after one warm-up proof), beside the same-run baseline of a
 * fresh prover process. Gas is measured on anvil through the real ColumnRangeClaims: a batch
 * of one chunk and a batch of all measured chunks give the per-chunk and per-transaction cost; the whole column's total is projected from them (chunks × per chunk +
 * transactions × per transaction + recording the claim) — proving all chunks would take
 * ⌈30,000 / C⌉ proofs, which a shared bench run does not spend. Also projected for 100,000 rows.
 * The chunk circuit's keys come from the local ceremony (setup.ts); its transcript — the
 * files of that phase 2 — is recorded in ZkCeremony so ZkClaims registers the verifier the
 * normal way.
 */
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { existsSync, readdirSync } from 'node:fs';
import { devAccount } from '../src/chain/dev-accounts.js';
import { startEphemeralChain } from '../src/chain/embedded.js';
import { ColumnRangeChain, DEFAULT_CHUNK_BATCH } from '../src/chain/zk-column-claims.js';
import { ZkChain } from '../src/chain/zk-ledger.js';
import { readCsvTable } from '../src/data/csv.js';
import { fileHash, phase2Id } from '../src/zk/ceremony.js';
import { circuitKey } from '../src/zk/circuits/circuit.js';
import { columnRangeChunkCircuit } from '../src/zk/circuits/column-range-chunk.js';
import { ColumnCommitment } from '../src/zk/column-commitment.js';
import { toField } from '../src/zk/field.js';
import { ProcessProver } from '../src/zk/prover.js';
import { cachedLocalPtau, localPowerFor, localSetup } from '../src/zk/setup.js';
import { WarmProver } from '../src/zk/warm-prover.js';
import { compileCircuit } from '../src/zk/artifacts.js';

const DATA = fileURLToPath(new URL('../../data/', import.meta.url));

export async function runColumnRangeBench(options: { json: boolean; reps: number }): Promise<void> {
  // C = 256 needs a 2^16 accumulator (preparing one took > 40 min here): used when cached, else C = 32 (2^13).
  const chunkSize = Number(process.env.TACIT_BENCH_ZK_CHUNK ?? (cachedLocalPtau(16) ? 256 : 32));
  const reps = Math.max(2, options.reps);
  const table = readCsvTable(join(DATA, 'default_credit_hetero_host.csv'), { idColumn: 'id', uniqueIds: true });
  const t0 = performance.now();
  const column = ColumnCommitment.fromTable(table, 'x0', chunkSize, new Uint8Array(32).fill(1));
  const commitSeconds = (performance.now() - t0) / 1000;
  const xs = column.data.values;
  const lo = (xs.reduce((a, b) => (b < a ? b : a)) / 1_000_000n - 1n) * 1_000_000n;
  const hi = (xs.reduce((a, b) => (b > a ? b : a)) / 1_000_000n + 1n) * 1_000_000n;
  column.checkRange(lo, hi);

  const prover = new ProcessProver();
  const warm = new WarmProver();
  const chain = await startEphemeralChain();
  try {
    const spec = columnRangeChunkCircuit(chunkSize);
    const keys = await localSetup(prover, spec);
    const input = (j: number) => column.chunkInput(j, lo, hi);
    const fresh = await prover.prove(keys.circuit.wasm, keys.zkey, input(0));
    await warm.prove(keys.circuit.wasm, keys.zkey, input(0)); // loads the key
    const proofs = [];
    for (let j = 0; j < reps; j++) proofs.push(await warm.prove(keys.circuit.wasm, keys.zkey, input(j)));
    const times = proofs.map((p) => p.seconds).sort((a, b) => a - b);
    const perChunk = times[Math.floor((times.length - 1) / 2)]!;

    // On-chain: record the local phase 2 transcript, register the verifier, commit the column, submit chunks.
    const admin = devAccount(0);
    const zk = await ZkChain.deploy(chain.rpcUrl, admin);
    const compiled = await compileCircuit(prover, spec);
    const p2dir = join(compiled.dir, 'local-phase2');
    const steps = readdirSync(p2dir).filter((f) => /_\d{4}\.zkey$/.test(f)).sort().map((f) => join(p2dir, f));
    const ptau = cachedLocalPtau(localPowerFor(compiled))!;
    const ceremonyId = phase2Id(compiled, fileHash(ptau));
    const ledger = zk.ceremonyLedger(admin.address);
    await ledger.start(ceremonyId, fileHash(steps[0]!), steps.slice(1).map(() => admin.address));
    for (let i = 1; i < steps.length; i++) await ledger.contribute(ceremonyId, admin.address, fileHash(steps[i - 1]!), fileHash(steps[i]!));
    await ledger.finalize(ceremonyId, fileHash(existsSync(join(p2dir, `${spec.id}_final.zkey`)) ? join(p2dir, `${spec.id}_final.zkey`) : steps[steps.length - 1]!));
    const circuitId = circuitKey(spec);
    const verifier = await zk.registerCircuit(admin.address, circuitId, keys.vk, 1, ceremonyId);
    const verifyGas = (await zk.callVerifier(admin.address, verifier, proofs[0]!.publicSignals.map(BigInt), proofs[0]!.proof)).gas;
    const cols = await ColumnRangeChain.deploy(zk, admin.address);
    const key = `0x${'c0'.repeat(32)}` as const;
    const commitGas = await cols.commitColumn(admin.address, key, { commitment: column.commitment, circuitId, rowCount: column.rowCount, chunkSize });
    const ref = { committer: admin.address, key, lo: toField(lo), hi: toField(hi) };
    const chunks = proofs.map((p, j) => ({ digest: column.digests[j]!, proof: p.proof }));
    // A batch starting at chunk 0 restarts the submitter's progress: the first creates its
    // storage, the next two overwrite it as every later batch of a long claim does.
    await cols.submitBatch(admin.address, ref, 0, chunks.slice(0, 1));
    const one = await cols.submitBatch(admin.address, ref, 0, chunks.slice(0, 1));
    const all = await cols.submitBatch(admin.address, ref, 0, chunks);
    const gasPerChunk = (all.gasUsed - one.gasUsed) / BigInt(reps - 1);
    const gasPerTx = one.gasUsed - gasPerChunk;
    const project = (rows: number) => {
      const n = Math.ceil(rows / chunkSize);
      const txs = Math.ceil(n / DEFAULT_CHUNK_BATCH);
      // + 25,000: the final batch stores the claim and emits it (a fresh slot and an event).
      return { chunks: n, transactions: txs, totalProveSeconds: Number((n * perChunk).toFixed(1)), totalGas: Number(BigInt(n) * gasPerChunk + BigInt(txs) * gasPerTx + 25_000n) };
    };
    const p30k = project(column.rowCount);
    const p100k = project(100_000);
    const row = {
      suite: 'zk',
      circuit: spec.id,
      constraints: keys.circuit.constraints,
      publicInputs: spec.publicInputs.length,
      proveSeconds: Number(perChunk.toFixed(3)),
      proveSecondsRange: [Number(times[0]!.toFixed(3)), Number(times[times.length - 1]!.toFixed(3))],
      chunksProven: reps,
      baselineFreshProcessProveSeconds: Number(fresh.seconds.toFixed(3)),
      verifyGas: Number(verifyGas),
      submitGasPerChunk: Number(gasPerChunk),
      submitGasPerTransaction: Number(gasPerTx),
      commitColumnGas: Number(commitGas),
      rows: column.rowCount,
      chunks: p30k.chunks,
      transactions: p30k.transactions,
      totalProveSeconds: p30k.totalProveSeconds,
      totalGas: p30k.totalGas,
      projected: true,
      rows100k: p100k,
      commitSeconds: Number(commitSeconds.toFixed(2)),
      loadAverage: loadavg().map((x) => Number(x.toFixed(1))),
    };
    if (options.json) console.log(JSON.stringify(row));
    else console.log(`${row.circuit.padEnd(30)} ${String(row.constraints).padStart(7)} constraints  prove ${row.proveSeconds.toFixed(2)} s/chunk  ${row.chunks} chunks: ${row.totalProveSeconds} s, ${row.totalGas} gas (projected)  load ${row.loadAverage.join(' ')}`);
  } finally {
    warm.close();
    await chain.stop();
  }
}
