// sgb-train (SecureBoost over Paillier, parties as separate processes on loopback TLS) on the
// breast-cancer vertical split, against plaintext histogram boosting with the same bins and
// hyperparameters computed here: AUC within 0.01. sgb-predict then scores every training
// applicant across both parties; the AUC of those scores must equal the training AUC that
// sgb-train reported (the same model on the same rows), which holds only if the host's kept
// thresholds and the label party's trees agree.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCsvTable } from '../../src/data/csv.js';
import { joinVertical } from '../../src/algorithms/lr/vertical-join.js';
import { aucKsPlaintext } from '../../src/algorithms/lr/plaintext.js';
import { binColumns } from '../../src/algorithms/sgb/binning.js';
import { trainPlainSgb } from '../../src/algorithms/sgb/plaintext.js';
import { DEFAULT_SGB } from '../../src/algorithms/sgb/hyper.js';
import { admitSgb } from '../../src/algorithms/sgb/admit.js';
import { runLocalSession } from '../../src/node/local/cluster.js';
import type { AdmissionRequest } from '../../src/algorithms/admission.js';

const data = fileURLToPath(new URL('../../../data/', import.meta.url));
const guestCsv = data + 'breast_hetero_guest.csv', hostCsv = data + 'breast_hetero_host.csv';

describe('sgb-train / sgb-predict', () => {
  it('trains within 0.01 AUC of plaintext boosting and predicts consistently across parties', async () => {
    const hyper = { ...DEFAULT_SGB, trees: 3, depth: 3, bins: 16 };
    const train = await runLocalSession({
      program: 'sgb-train',
      params: { idColumn: 'id', labelParty: 'guest', labelColumn: 'y', hyper, keyBits: 1024 },
      // 1024-bit keys keep the test fast; a node refuses them (guard minKeyBits, default 2048).
      guards: { minKeyBits: 1024 },
      parties: [
        { id: 'guest', roles: ['data', 'receiver'], local: { csv: guestCsv } },
        { id: 'host', roles: ['data'], local: { csv: hostCsv } },
      ],
    });
    const out = train.get('guest')!.output as { rows: number; auc: number; ks: number; model: { trees: { party?: string; leaf?: number }[][] } };
    const kept = train.get('host')!.keep as { sgb: { modelId: string; splits: Record<string, { feature: string; threshold: number }> } };
    const { X, y, d, ids } = joinVertical(readCsvTable(guestCsv, { idColumn: 'id' }), readCsvTable(hostCsv, { idColumn: 'id' }), 'y');
    const b = binColumns(X, ids.length, d, hyper.bins);
    const ref = await trainPlainSgb(b.bins, ids.length, d, b.cuts.map((c) => c.length + 1), y, hyper);
    const refAuc = aucKsPlaintext(ref.scores, y).auc;
    assert.equal(out.rows, ids.length);
    assert.ok(Math.abs(out.auc - refAuc) < 0.01, `AUC ${out.auc} vs plaintext ${refAuc}`);
    assert.ok(out.auc > 0.9);
    assert.equal(out.model.trees.length, 3);
    // Thresholds of host splits are not in the label party's model; the host kept them.
    const hostNodes = out.model.trees.flat().filter((n) => n.party === 'host');
    assert.equal(Object.keys(kept.sgb.splits).length, hostNodes.length);
    assert.ok(hostNodes.every((n) => !('threshold' in n)));

    const pred = await runLocalSession({
      program: 'sgb-predict',
      params: { idColumn: 'id', receiver: 'guest', count: ids.length },
      parties: [
        { id: 'guest', roles: ['data', 'receiver'], local: { csv: guestCsv, model: out.model, applicants: ids } },
        { id: 'host', roles: ['data'], local: { csv: hostCsv, sgb: kept.sgb } },
      ],
    });
    const scores = (pred.get('guest')!.output as { scores: number[] }).scores;
    assert.equal(scores.length, ids.length);
    assert.ok(Math.abs(aucKsPlaintext(scores, y).auc - out.auc) < 1e-9, 'sgb-predict reproduces the training scores');
  });

  it('trains with two feature holders (the host’s columns split in two files) as with one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tacit-sgb-'));
    try {
      const lines = readFileSync(hostCsv, 'utf8').trim().split('\n').map((l) => l.split(','));
      const pick = (from: number, to: number) => lines.map((f) => [f[0], ...f.slice(from, to)].join(',')).join('\n') + '\n';
      writeFileSync(join(dir, 'h1.csv'), pick(1, 11));
      writeFileSync(join(dir, 'h2.csv'), pick(11, 21));
      const hyper = { ...DEFAULT_SGB, trees: 2, depth: 3, bins: 16 };
      const res = await runLocalSession({
        program: 'sgb-train',
        params: { idColumn: 'id', labelParty: 'guest', labelColumn: 'y', hyper, keyBits: 1024 },
        // 1024-bit keys keep the test fast; a node refuses them (guard minKeyBits, default 2048).
        guards: { minKeyBits: 1024 },
        parties: [
          { id: 'guest', roles: ['data', 'receiver'], local: { csv: guestCsv } },
          { id: 'h1', roles: ['data'], local: { csv: join(dir, 'h1.csv') } },
          { id: 'h2', roles: ['data'], local: { csv: join(dir, 'h2.csv') } },
        ],
      });
      const out = res.get('guest')!.output as { auc: number; model: { trees: { party?: string }[][] } };
      const { X, y, d, ids } = joinVertical(readCsvTable(guestCsv, { idColumn: 'id' }), readCsvTable(hostCsv, { idColumn: 'id' }), 'y');
      const b = binColumns(X, ids.length, d, hyper.bins);
      const ref = aucKsPlaintext((await trainPlainSgb(b.bins, ids.length, d, b.cuts.map((c) => c.length + 1), y, hyper)).scores, y);
      assert.ok(Math.abs(out.auc - ref.auc) < 0.01, `AUC ${out.auc} vs plaintext ${ref.auc}`);
      const owners = new Set(out.model.trees.flat().map((n) => n.party).filter(Boolean));
      for (const h of ['h1', 'h2']) {
        const kept = res.get(h)!.keep as { sgb: { splits: Record<string, unknown> } };
        assert.equal(Object.keys(kept.sgb.splits).length > 0, owners.has(h));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('subsamples rows per tree (the host sees only the sampled rows’ ciphertexts) and still learns', async () => {
    const res = await runLocalSession({
      program: 'sgb-train',
      params: { idColumn: 'id', labelParty: 'guest', labelColumn: 'y', hyper: { trees: 2, depth: 2, bins: 8, subsample: 0.7 }, keyBits: 1024 },
      // 1024-bit keys keep the test fast; a node refuses them (guard minKeyBits, default 2048).
      guards: { minKeyBits: 1024 },
      parties: [
        { id: 'guest', roles: ['data', 'receiver'], local: { csv: guestCsv } },
        { id: 'host', roles: ['data'], local: { csv: hostCsv } },
      ],
    });
    const out = res.get('guest')!.output as { auc: number; hyper: { subsample: number } };
    assert.equal(out.hyper.subsample, 0.7);
    assert.ok(out.auc > 0.9, `AUC ${out.auc}`);
  });

  it('admission refuses small datasets and out-of-bounds hyperparameters', () => {
    const req = (params: Record<string, unknown>, rows = 1000): AdmissionRequest => ({
      program: 'sgb-train', version: '1.0.0', protocol: 'rep3', params, self: '0x1', roles: ['data'], computeParties: [], dataOwners: ['0x1'], receiver: '0x1',
      dataset: { datasetId: 'd', idColumn: 'id', columns: ['a'], rows }, secondsToDeadline: 600,
    });
    assert.deepEqual(admitSgb(req({ hyper: { trees: 10, depth: 5, bins: 32 } }), {}), { ok: true });
    assert.equal(admitSgb(req({}, 100), {}).ok, false);
    assert.equal(admitSgb(req({ hyper: { depth: 12 } }), {}).ok, false);
    assert.equal(admitSgb(req({ hyper: { bins: 255 } }), {}).ok, false);
    assert.equal(admitSgb(req({ hyper: { bins: 255 } }), { maxBins: 256 }).ok, true);
    assert.equal(admitSgb(req({ keyBits: 1024 }), {}).ok, false);
  });
});
