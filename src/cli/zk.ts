/**
 * `tacit zk`: zero-knowledge claims from the command line — the dataset commitment of a CSV,
 * proofs of claims (written to a JSON file with the verification key), off-chain
 * verification, and a local multi-process trusted-setup ceremony with a verifiable
 * transcript. Proving needs the optional GPL-3.0 packages snarkjs and circom2, run only in
 * the separate prover process; without them `tacit zk status` says so and how to add them.
 * On-chain registration and submission go through the SDK (proveZkClaim, submitZkClaim).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readCsvTable } from '../data/csv.js';
import { compileCircuit } from '../zk/artifacts.js';
import { fileHash, MemoryCeremonyLedger, ptauPowerFor, runPhase1, runPhase2, verifyPhase1, verifyPhase2, type Bytes32, type CeremonyLedger } from '../zk/ceremony.js';
import { circuitFor, type Claim, type ClaimKind } from '../zk/claims.js';
import { columnRangeChunkCircuit } from '../zk/circuits/column-range-chunk.js';
import { DatasetCommitment } from '../zk/dataset-commitment.js';
import { toFixed, parseField } from '../zk/field.js';
import { ProcessProver } from '../zk/prover.js';
import { proveZkClaim } from '../sdk/actions/proveZkClaim.js';
import { verifyZkProof } from '../sdk/actions/verifyZkProof.js';
import { dispatch, emitResult, parseFlags, UsageError } from './usage.js';
import { COLUMN_USAGE, commitColumn, proveColumnRangeCli, verifyColumnRangeFile, type ColumnRangeFile } from './zk-column.js';

const USAGE = `usage:
  tacit zk status [--json]
      Whether the optional prover tools (snarkjs, circom2; GPL-3.0, separate process) are installed.
  tacit zk commit --csv FILE --id COLUMN [--json]
      The Poseidon Merkle commitment of a dataset (rows sorted by id, depth-20 tree).
  tacit zk prove row-count     --csv FILE --id COLUMN --min-rows N          [--out FILE] [--json]
  tacit zk prove membership    --csv FILE --id COLUMN --row-id ID          [--out FILE] [--json]
  tacit zk prove absence       --csv FILE --id COLUMN --row-id ID          [--out FILE] [--json]
  tacit zk prove result-bound  --result R --salt S --lo L --hi H           [--out FILE] [--json]
  tacit zk prove credit-decision --model FILE --features FILE --threshold T [--out FILE] [--json]
      Proves a claim (numbers in plain decimals; six-decimal fixed point inside). The proof file
      holds the proof, the public signals and the verification key; nothing private.
      --model: {"weights":[…],"bias":b,"salt":"…"}; --features: {"features":[…],"salt":"…"}.
${COLUMN_USAGE}
  tacit zk verify --proof FILE [--json]
      Verifies a proof file off-chain (the same Groth16 check as the verifier contract; for a
      column range, every chunk and the digests' chain to the column commitment).
  tacit zk ceremony run --dir DIR [--nodes N] [--claims kind,kind…] [--json]
      (a kind, or column-chunk-C for the chunk circuit of column range claims)
      A trusted-setup ceremony on this machine: phase 1 and each circuit's phase 2, every
      node contributing in its own process; writes DIR/transcript.json (file hashes).
  tacit zk ceremony verify --dir DIR [--json]
      Verifies every file of the transcript: hashes, then each contribution.`;

export function zkCommand(argv: string[]): Promise<number> {
  return dispatch('zk', argv, { status, commit, 'commit-column': commitColumn, prove, verify, ceremony }, USAGE);
}

async function status(args: string[]): Promise<number> {
  const { values } = parseFlags(args, { json: { type: 'boolean' } }, USAGE);
  try {
    const v = await new ProcessProver().probe();
    emitResult({ installed: true, snarkjs: v.snarkjs, circom2: v.circom2 }, values, () => `prover tools installed: snarkjs ${v.snarkjs}, circom2 ${v.circom2}\n`);
    return 0;
  } catch (err) {
    if ((err as { name?: string }).name !== 'ZkToolsMissingError') throw err;
    const e = err as { shortMessage: string; hint: string };
    emitResult({ installed: false, message: e.shortMessage, hint: e.hint }, values, () => `${e.shortMessage}\nHint: ${e.hint}\n`);
    return 1;
  }
}

function loadDataset(csv: string | undefined, id: string | undefined): DatasetCommitment {
  if (!csv || !id) throw new UsageError('--csv FILE and --id COLUMN are required', { hint: USAGE });
  return DatasetCommitment.fromTable(readCsvTable(resolve(csv), { idColumn: id, uniqueIds: true }));
}

async function commit(args: string[]): Promise<number> {
  const { values } = parseFlags(args, { csv: { type: 'string' }, id: { type: 'string' }, json: { type: 'boolean' } }, USAGE);
  const data = loadDataset(values.csv, values.id);
  const out = { commitment: data.commitment.toString(), rows: data.rowCount, columns: data.columnNames };
  emitResult(out, values, () => `commitment ${out.commitment}\nrows ${out.rows}, columns ${out.columns.join(', ')}\n`);
  return 0;
}

const num = (s: string | undefined, title: string): bigint => {
  if (s === undefined) throw new UsageError(`--${title} is required`, { hint: USAGE });
  const v = Number(s);
  if (!Number.isFinite(v)) throw new UsageError(`--${title} must be a number, got "${s}"`);
  return toFixed(v, title);
};

function readJson(path: string | undefined, title: string): Record<string, unknown> {
  if (!path) throw new UsageError(`--${title} FILE is required`, { hint: USAGE });
  return JSON.parse(readFileSync(resolve(path), 'utf8')) as Record<string, unknown>;
}

async function prove(args: string[]): Promise<number> {
  const [kind, ...rest] = args;
  if (kind === 'column-range') return proveColumnRangeCli(rest); // its own flags (zk-column.ts)
  const kinds: ClaimKind[] = ['row-count', 'membership', 'absence', 'column-range', 'result-bound', 'credit-decision'];
  if (!kind || !kinds.includes(kind as ClaimKind)) throw new UsageError(`tacit zk prove needs a claim: ${kinds.join(', ')}`, { hint: USAGE });
  const { values } = parseFlags(rest, {
    csv: { type: 'string' }, id: { type: 'string' }, 'min-rows': { type: 'string' }, 'row-id': { type: 'string' }, column: { type: 'string' },
    lo: { type: 'string' }, hi: { type: 'string' }, result: { type: 'string' }, salt: { type: 'string' }, model: { type: 'string' },
    features: { type: 'string' }, threshold: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' },
  }, USAGE);
  let claim: Claim;
  switch (kind as ClaimKind) {
    case 'row-count': claim = { kind: 'row-count', data: loadDataset(values.csv, values.id), minRows: Number(values['min-rows'] ?? NaN) }; break;
    case 'membership':
    case 'absence': {
      if (!values['row-id']) throw new UsageError('--row-id ID is required', { hint: USAGE });
      claim = { kind: kind as 'membership' | 'absence', data: loadDataset(values.csv, values.id), id: values['row-id'] };
      break;
    }
    case 'column-range':
      return proveColumnRangeCli(rest);
    case 'result-bound':
      claim = { kind: 'result-bound', result: num(values.result, 'result'), salt: parseField(values.salt ?? '', 'salt'), lo: num(values.lo, 'lo'), hi: num(values.hi, 'hi') };
      break;
    case 'credit-decision': {
      const m = readJson(values.model, 'model');
      const f = readJson(values.features, 'features');
      const weights = (m.weights as number[]).map((w, i) => toFixed(w, `weights[${i}]`));
      const features = (f.features as number[]).map((x, i) => toFixed(x, `features[${i}]`));
      const bias = toFixed(Number(m.bias), 'bias', 1e12);
      const threshold = toFixed(Number(values.threshold ?? NaN), 'threshold', 1e12);
      const score = weights.reduce((s, w, i) => s + w * features[i]!, bias);
      claim = { kind: 'credit-decision', witness: { weights, bias, modelSalt: parseField(String(m.salt), 'model salt'), features, featuresSalt: parseField(String(f.salt), 'features salt'), threshold, approve: score >= threshold } };
      break;
    }
  }
  const p = await proveZkClaim({ claim });
  const file = { circuit: p.circuit, circuitId: p.circuitId, proof: p.proof, publicSignals: p.publicSignals, vk: p.vk };
  if (values.out) writeFileSync(resolve(values.out), `${JSON.stringify(file, null, 2)}\n`);
  const out = { circuit: p.circuit, circuitId: p.circuitId, publicSignals: p.publicSignals, proveSeconds: Number(p.proveSeconds.toFixed(3)), ...(values.out ? { out: resolve(values.out) } : { proof: p.proof }) };
  emitResult(out, values, () => `proved ${p.circuit} in ${out.proveSeconds} s\npublic signals: ${p.publicSignals.join(', ')}\n${values.out ? `written to ${resolve(values.out)}\n` : ''}`);
  return 0;
}

async function verify(args: string[]): Promise<number> {
  const { values } = parseFlags(args, { proof: { type: 'string' }, json: { type: 'boolean' } }, USAGE);
  const f = readJson(values.proof, 'proof') as unknown as Parameters<typeof verifyZkProof>[0] & { circuit: string };
  if ((f as unknown as { kind?: string }).kind === 'column-range') {
    const r = await verifyColumnRangeFile(f as unknown as ColumnRangeFile);
    emitResult({ circuit: f.circuit, valid: r.valid, problems: r.problems }, values, () => (r.valid ? `${f.circuit}: valid (every chunk)\n` : `${f.circuit}: INVALID\n  ${r.problems.join('\n  ')}\n`));
    return r.valid ? 0 : 1;
  }
  const valid = await verifyZkProof({ vk: f.vk, proof: f.proof, publicSignals: f.publicSignals });
  emitResult({ circuit: f.circuit, valid, publicSignals: f.publicSignals }, values, () => `${f.circuit}: ${valid ? 'valid' : 'INVALID'}\n`);
  return valid ? 0 : 1;
}

/** A claim kind's circuit, or `column-chunk-C`: the chunk circuit of column range claims with C values per chunk. */
function ceremonyCircuit(name: string) {
  const chunk = /^column-chunk-(\d+)$/.exec(name);
  if (chunk) {
    const c = Number(chunk[1]);
    if ((c & (c - 1)) !== 0 || c < 1) throw new UsageError(`${name}: the chunk size must be a power of two`);
    return columnRangeChunkCircuit(c);
  }
  const kinds: ClaimKind[] = ['row-count', 'membership', 'absence', 'column-range', 'result-bound', 'credit-decision'];
  if (!kinds.includes(name as ClaimKind)) throw new UsageError(`unknown circuit "${name}"`, { hint: `one of ${kinds.join(', ')}, column-chunk-C` });
  return circuitFor(name as ClaimKind);
}

interface TranscriptFile {
  phase1: { id: Bytes32; power: number; steps: { file: string; hash: Bytes32 }[]; final: { file: string; hash: Bytes32 } };
  phase2: { circuit: string; kind: string; id: Bytes32; steps: { file: string; hash: Bytes32 }[]; final: { file: string; hash: Bytes32 } }[];
}

/** The hashes of transcript.json as a read-only ledger (on a network they are read from ZkCeremony instead). */
function transcriptLedger(t: TranscriptFile): CeremonyLedger {
  const byId = new Map<string, { hashes: Bytes32[]; finalHash: Bytes32 }>();
  byId.set(t.phase1.id, { hashes: t.phase1.steps.map((s) => s.hash), finalHash: t.phase1.final.hash });
  for (const p of t.phase2) byId.set(p.id, { hashes: p.steps.map((s) => s.hash), finalHash: p.final.hash });
  const ro = async () => { throw new UsageError('the transcript ledger is read-only'); };
  return { start: ro, contribute: ro, finalize: ro, transcript: async (id) => byId.get(id) ?? { hashes: [], finalHash: null } };
}

async function ceremony(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { values } = parseFlags(rest, { dir: { type: 'string' }, nodes: { type: 'string' }, claims: { type: 'string' }, json: { type: 'boolean' } }, USAGE);
  if (!values.dir) throw new UsageError('--dir DIR is required', { hint: USAGE });
  const dir = resolve(values.dir);
  const prover = new ProcessProver();
  if (sub === 'run') {
    const nodes = Number(values.nodes ?? 3);
    if (!Number.isInteger(nodes) || nodes < 1 || nodes > 16) throw new UsageError('--nodes must be 1 to 16');
    const kinds = (values.claims ?? 'row-count,result-bound').split(',');
    const circuits = [];
    for (const k of kinds) circuits.push(await compileCircuit(prover, ceremonyCircuit(k)));
    const power = Math.max(...circuits.map((c) => ptauPowerFor(c.constraints, c.spec.publicInputs.length)));
    const participants = Array.from({ length: nodes }, (_, i) => `node-${i + 1}`);
    mkdirSync(dir, { recursive: true });
    const ledger = new MemoryCeremonyLedger();
    const p1 = await runPhase1(prover, ledger, { dir: join(dir, 'phase1'), power, label: 'cli', participants });
    const t: TranscriptFile = { phase1: { id: p1.id, power, steps: p1.files.steps.map((f) => ({ file: f, hash: fileHash(f) })), final: { file: p1.files.final, hash: p1.finalHash } }, phase2: [] };
    for (let i = 0; i < circuits.length; i++) {
      const c = circuits[i]!;
      const p2 = await runPhase2(prover, ledger, { dir: join(dir, 'phase2', c.spec.id), circuit: c, ptauFinal: p1.files.final, participants });
      writeFileSync(join(dir, 'phase2', c.spec.id, 'vk.json'), JSON.stringify(p2.vk));
      t.phase2.push({ circuit: c.spec.id, kind: kinds[i]!, id: p2.id, steps: p2.files.steps.map((f) => ({ file: f, hash: fileHash(f) })), final: { file: p2.files.final, hash: p2.finalHash } });
    }
    writeFileSync(join(dir, 'transcript.json'), `${JSON.stringify(t, null, 2)}\n`);
    const out = { dir, power, nodes, phase1: p1.finalHash, circuits: t.phase2.map((p) => ({ circuit: p.circuit, finalHash: p.final.hash })) };
    emitResult(out, values, () => `ceremony done: 2^${power} powers of tau, ${nodes} nodes, ${t.phase2.length} circuit(s); transcript ${join(dir, 'transcript.json')}\n`);
    return 0;
  }
  if (sub === 'verify') {
    const file = join(dir, 'transcript.json');
    if (!existsSync(file)) throw new UsageError(`no transcript at ${file}`, { hint: 'run `tacit zk ceremony run --dir DIR` first' });
    const t = JSON.parse(readFileSync(file, 'utf8')) as TranscriptFile;
    const ledger = transcriptLedger(t);
    const problems: string[] = [];
    const p1Files = { dir, power: t.phase1.power, steps: t.phase1.steps.map((s) => s.file), final: t.phase1.final.file };
    problems.push(...(await verifyPhase1(prover, ledger, t.phase1.id, p1Files)).problems);
    for (const p of t.phase2) {
      const circuit = await compileCircuit(prover, ceremonyCircuit(p.kind));
      problems.push(...(await verifyPhase2(prover, ledger, p.id, circuit, t.phase1.final.file, { dir, steps: p.steps.map((s) => s.file), final: p.final.file })).problems);
    }
    emitResult({ valid: problems.length === 0, problems }, values, () => (problems.length === 0 ? 'transcript valid\n' : `transcript INVALID:\n  ${problems.join('\n  ')}\n`));
    return problems.length === 0 ? 0 : 1;
  }
  throw new UsageError('tacit zk ceremony run|verify', { hint: USAGE });
}
