/**
 * The sandbox's zero-knowledge step (docs/zk.md): claims proven off-chain and verified by
 * ZkClaims on the sandbox chain, each recorded there.
 *
 * 1. Set-up: ZkCeremony + ZkClaims are deployed, the TaskMarket is registered as a
 *    commitment source (task results), and each circuit's phase 2 runs as a ceremony among
 *    the bureau, the bank and the supervisor — whoever checks a claim took part, so it needs
 *    to trust only itself — every contribution in its own prover process, recorded on-chain
 *    from the participant's own account (phase 1 is the machine's cached local accumulator,
 *    src/zk/setup.ts).
 * 2. The bureau commits its published loan book (Poseidon Merkle commitment, registered for
 *    the dataset's DataRegistry id) and proves "at least N loans" and "a record for the
 *    applicant is present" (or absent — whichever is true); the bank, as a buyer would
 *    before paying for more debt queries, checks both on-chain against the owner the
 *    DataRegistry names (`checkDatasetClaim`). (The loan book, not the 30,000-row feature
 *    set: committing that costs ~420,000 Poseidon hashes in JavaScript, minutes here.)
 * 3. The bank proves its credit decision to a supervisor account: "approve iff the committed
 *    model's score of the committed applicant features clears the threshold" (neither model,
 *    features nor score revealed), and — from the debt-query task's result commitment, which
 *    the bank's node recorded on the TaskMarket — "the applicant's total debt across lenders
 *    is at most X". The supervisor submits both proofs; ZkClaims verifies and records them.
 *    A proof with a flipped decision is shown to be rejected.
 *
 * ZkCeremony and ZkClaims are added to the sandbox's manifest file, where the nodes' consoles
 * find them (Proofs page).
 *
 * The prover tools (snarkjs, circom2) are optional GPL-3.0 packages in a separate process:
 * without them the step is skipped and the summary says so. The sandbox operates every
 * institution, so it opens the nodes' keystores (throw-away sandbox keys) to sign as them.
 */
import type { Account, Address } from 'viem';
import { devAccount } from '../chain/dev-accounts.js';
import { loadManifest, writeManifest } from '../chain/manifest.js';
import { datasetCommitmentKey, setupCircuitOnChain, taskResultRef, ZkChain } from '../chain/zk-ledger.js';
import type { Table } from '../data/csv.js';
import type { LocalNetwork } from '../node/local/network.js';
import { unlockNodeKeys } from '../node/keys.js';
import { checkDatasetClaim } from '../sdk/actions/checkDatasetClaim.js';
import { compileCircuit } from '../zk/artifacts.js';
import { claimCircuit, featuresCommitment, modelCommitment, splitPublicSignals, type Claim } from '../zk/claims.js';
import { DatasetCommitment } from '../zk/dataset-commitment.js';
import { ZkToolsMissingError } from '../zk/errors.js';
import { fieldToBytes32, randomField, toFixed } from '../zk/field.js';
import { localPowerFor, localPtau } from '../zk/setup.js';
import { ProcessProver } from '../zk/prover.js';
import { WarmProver } from '../zk/warm-prover.js';
import { TransactionRevertedError } from '../chain/local-ledger.js';

export interface ZkClaimReport {
  by: string;
  to: string;
  claim: string;
  circuit: string;
  verified: boolean;
  proveSeconds: number;
  gas: number;
}

export interface ZkStepReport {
  ok: boolean;
  /** Why the step did not run (the optional prover tools are missing, or a task it builds on did not settle). */
  skipped?: string;
  /** What failed, when the step ran and failed. */
  error?: string;
  setupSeconds: number;
  seconds: number;
  ceremony: { participants: string[]; circuits: string[] };
  claims: ZkClaimReport[];
  /** The supervisor's attempt with a flipped decision was rejected by the contract. */
  tamperedRejected: boolean;
}

export interface ZkStepInputs {
  net: LocalNetwork;
  dir: string;
  say: (m: string) => void;
  /** The bureau's published loan book (its rows, which the bureau node holds) and its registry id. */
  bureauTable: Table;
  bureauDatasetId: bigint;
  applicant: string;
  /** The model lr-train revealed to the bank, and the applicant's 23 features (bank's then bureau's). */
  model: { weights: number[]; intercept: number };
  features: ArrayLike<number>;
  /** The debt-query task, run with zkResult "total": its id and the result the requester opened. */
  debtTaskId: bigint;
  debtResult: Record<string, unknown>;
  /** The requester (the bank's credit team), who holds the debt result's salt. */
  requester: Account;
  passphrase?: string;
}

/** Approve when the modelled probability of default is below this. */
const DEFAULT_CUTOFF = 0.3;

/** Keystores of the sandbox's throw-away nodes use the test-only scrypt cost (as their processes do). */
async function nodeAccount(dir: string, passphrase: string): Promise<Account> {
  const had = process.env.TACIT_SCRYPT_N;
  process.env.TACIT_SCRYPT_N ??= '1024';
  try {
    return (await unlockNodeKeys(dir, passphrase)).account;
  } finally {
    if (had === undefined) delete process.env.TACIT_SCRYPT_N;
  }
}

export async function runZkStep(o: ZkStepInputs): Promise<ZkStepReport> {
  const t0 = performance.now();
  const empty = { setupSeconds: 0, seconds: 0, ceremony: { participants: [], circuits: [] }, claims: [], tamperedRejected: false };
  const prover = new WarmProver();
  try {
    await prover.probe();
  } catch (err) {
    if (err instanceof ZkToolsMissingError) return { ok: true, skipped: `${err.shortMessage}; ${err.hint ?? ''}`.trim(), ...empty };
    throw err;
  }
  const cold = new ProcessProver();
  try {
    const pass = o.passphrase ?? 'sandbox-passphrase';
    const [bank, bureau] = await Promise.all(['bank', 'bureau'].map((n) => nodeAccount(o.net.node(n).dir, pass)));
    const admin = devAccount(0);
    const supervisor = devAccount(2);
    const zk = await ZkChain.deploy(o.net.rpcUrl, admin);
    // The nodes re-read their manifest file for ZkClaims (their consoles' Proofs page).
    const m = loadManifest(o.net.manifestPath);
    writeManifest(o.net.manifestPath, { ...m, contracts: { ...m.contracts, ZkCeremony: zk.deployment.ceremony, ZkClaims: zk.deployment.claims } });
    for (const a of [bank!, bureau!, o.requester, supervisor]) zk.addAccount(a);
    const market = o.net.manifest.contracts.TaskMarket;
    await zk.registerSource(admin.address, market);

    // The statements, built first so that a claim that cannot hold fails before the set-up.
    const data = DatasetCommitment.fromTable(o.bureauTable);
    const minRows = Math.floor(data.rowCount / 1000) * 1000;
    const held = data.indexOf(o.applicant) >= 0;
    const presence: Claim = held ? { kind: 'membership', data, id: o.applicant } : { kind: 'absence', data, id: o.applicant };
    const weights = o.model.weights.map((w, i) => -toFixed(w, `weights[${i}]`)); // score = −logit: higher is better
    const bias = -toFixed(o.model.intercept, 'intercept', 1e12);
    const features = Array.from(o.features, (x, i) => toFixed(x, `features[${i}]`));
    const threshold = toFixed(-Math.log(DEFAULT_CUTOFF / (1 - DEFAULT_CUTOFF)), 'threshold', 1e12);
    const score = weights.reduce((s, w, i) => s + w * features[i]!, bias);
    const approve = score >= threshold;
    const witness = { weights, bias, modelSalt: randomField(), features, featuresSalt: randomField(), threshold, approve };
    const opening = o.debtResult['zkResult'] as { fixed: string; salt: string; commitment: string } | undefined;
    if (!opening) throw new Error('the debt-query result carries no zkResult opening (was the task created with zkResult: "total"?)');
    const total = BigInt(opening.fixed);
    const cap = ((total / 1_000_000n / 1000n) + 1n) * 1000n * 1_000_000n; // the next thousand above the total
    const claims: { by: string; claim: Claim; text: string; refs: { committer: Address; key: `0x${string}` }[]; from: Account }[] = [];

    // 1. Ceremony among the nodes (phase 2 per circuit, recorded on-chain).
    o.say(`    set-up: phase 2 of 4 circuits among bureau, bank and the supervisor, recorded in ZkCeremony`);
    const ts = performance.now();
    const keys = new Map<string, { zkey: string; wasm: string; circuitId: `0x${string}` }>();
    const specs = [
      claimCircuit({ kind: 'row-count', data, minRows }).spec,
      claimCircuit(presence).spec,
      claimCircuit({ kind: 'credit-decision', witness }).spec,
      claimCircuit({ kind: 'result-bound', result: total, salt: 1n, lo: 0n, hi: cap }).spec,
    ];
    for (const spec of specs) {
      const circuit = await compileCircuit(cold, spec);
      const ptauFinal = await localPtau(cold, localPowerFor(circuit));
      const s = await setupCircuitOnChain(zk, cold, { admin: admin.address, circuit, ptauFinal, participants: [bureau!.address, bank!.address, supervisor.address], dir: `${o.dir}/${spec.id}` });
      keys.set(spec.id, { zkey: s.zkey, wasm: circuit.wasm, circuitId: s.circuitId });
    }
    const setupSeconds = (performance.now() - ts) / 1000;

    // 2. The bureau's dataset: commitment registered for the DataRegistry's dataset id.
    const registry = o.net.manifest.contracts.DataRegistry;
    const dataKey = datasetCommitmentKey(registry, o.bureauDatasetId);
    await zk.registerCommitment(bureau!.address, dataKey, data.commitment);
    const dataRef = [{ committer: bureau!.address, key: dataKey }];
    claims.push({ by: 'bureau', from: bureau!, claim: { kind: 'row-count', data, minRows }, text: `its loan book (dataset #${o.bureauDatasetId}) has ≥ ${minRows} loans`, refs: dataRef });
    claims.push({ by: 'bureau', from: bureau!, claim: presence, text: `its loan book ${held ? 'holds a' : 'holds no'} record for applicant ${o.applicant}`, refs: dataRef });

    // 3. The bank's decision and the debt bound, for the supervisor.
    const modelKey = fieldToBytes32(randomField());
    const applicantKey = fieldToBytes32(randomField());
    await zk.registerCommitment(bank!.address, modelKey, modelCommitment(weights, bias, witness.modelSalt));
    await zk.registerCommitment(bank!.address, applicantKey, featuresCommitment(features, witness.featuresSalt));
    claims.push({
      by: 'bank', from: supervisor, claim: { kind: 'credit-decision', witness },
      text: `${approve ? 'approve' : 'decline'} applicant ${o.applicant}: the committed model scores the committed features ${approve ? '≥' : '<'} threshold (P(default) cut-off ${DEFAULT_CUTOFF})`,
      refs: [{ committer: bank!.address, key: modelKey }, { committer: bank!.address, key: applicantKey }],
    });
    claims.push({
      by: 'bank', from: supervisor, claim: { kind: 'result-bound', result: total, salt: BigInt(opening.salt), lo: 0n, hi: cap },
      text: `debt-query task #${o.debtTaskId}: the applicant's total debt across lenders is ≤ ${Number(cap / 1_000_000n)}`,
      refs: [taskResultRef(market, o.debtTaskId)],
    });

    const reports: ZkClaimReport[] = [];
    let tamperedRejected = false;
    for (const c of claims) {
      const { spec, input } = claimCircuit(c.claim);
      const k = keys.get(spec.id)!;
      const r = await prover.prove(k.wasm, k.zkey, input);
      const { statement } = splitPublicSignals(spec, r.publicSignals);
      // The bureau submits its own claims (the bank reads them); the supervisor submits the bank's proofs itself.
      const sent = await zk.submitClaim(c.from.address, k.circuitId, c.refs, statement, r.proof);
      const recorded = await zk.claim(sent.claimId);
      let verified = recorded.verifiedAt > 0n;
      if (c.by === 'bureau') {
        // The bank, as a buyer: the claim is about the dataset the registry lists, committed by its owner.
        const check = await checkDatasetClaim({ manifest: o.net.manifest, ledger: o.net.ledger }, zk, { datasetId: o.bureauDatasetId, circuitId: k.circuitId, statement });
        verified &&= check.verified && check.owner.toLowerCase() === bureau!.address.toLowerCase();
      }
      if (c.claim.kind === 'credit-decision') {
        try {
          await zk.submitClaim(supervisor.address, k.circuitId, c.refs, [statement[0]!, 1n - statement[1]!], r.proof);
        } catch (err) {
          tamperedRejected = err instanceof TransactionRevertedError && err.errorName === 'ZkClaimsInvalidProof';
        }
      }
      reports.push({ by: c.by, to: c.by === 'bureau' ? 'bank' : 'supervisor', claim: c.text, circuit: spec.id, verified, proveSeconds: Math.round(r.seconds * 1000) / 1000, gas: Number(sent.gasUsed) });
      o.say(`    ${c.by} → ${c.by === 'bureau' ? 'bank' : 'supervisor'}: ${c.text}: ${verified ? 'verified on-chain' : 'NOT VERIFIED'} (${r.seconds.toFixed(2)} s, ${sent.gasUsed} gas)`);
    }
    return {
      ok: reports.every((r) => r.verified) && tamperedRejected,
      setupSeconds: Math.round(setupSeconds * 10) / 10,
      seconds: Math.round((performance.now() - t0) / 100) / 10,
      ceremony: { participants: ['bureau', 'bank', 'supervisor'], circuits: specs.map((s) => s.id) },
      claims: reports,
      tamperedRejected,
    };
  } finally {
    prover.close();
  }
}

/** `runZkStep`, reporting a failure in the summary instead of ending the sandbox. */
export async function runZkStepReported(o: ZkStepInputs): Promise<ZkStepReport> {
  try {
    return await runZkStep(o);
  } catch (err) {
    const e = err as Error & { shortMessage?: string };
    return { ok: false, error: (e.shortMessage ?? e.message).split('\n')[0]!, setupSeconds: 0, seconds: 0, ceremony: { participants: [], circuits: [] }, claims: [], tamperedRejected: false };
  }
}

/** The report when a task the step builds on did not settle. */
export function zkStepSkipped(why: string): ZkStepReport {
  return { ok: false, skipped: why, setupSeconds: 0, seconds: 0, ceremony: { participants: [], circuits: [] }, claims: [], tamperedRejected: false };
}

export function zkSummaryLines(r: ZkStepReport): string[] {
  if (r.skipped) return [`  zk claims   skipped: ${r.skipped}`];
  if (r.error) return [`  zk claims   FAILED: ${r.error}`];
  const out = [`  zk claims   ${r.ok ? 'verified' : 'FAILED  '} ${r.seconds.toFixed(1).padStart(6)} s  (set-up ${r.setupSeconds} s: phase 2 of ${r.ceremony.circuits.length} circuits among ${r.ceremony.participants.join(', ')})`];
  for (const c of r.claims) out.push(`      ${c.by} → ${c.to}: ${c.claim} — ${c.verified ? 'verified and recorded in ZkClaims' : 'NOT VERIFIED'} (prove ${c.proveSeconds.toFixed(2)} s, ${c.gas} gas)`);
  out.push(`      a flipped decision with the same proof: ${r.tamperedRejected ? 'rejected by ZkClaims' : 'NOT REJECTED'}`);
  return out;
}
