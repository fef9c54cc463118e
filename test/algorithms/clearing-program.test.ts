// The clearing program's parameters and admission: bad parameters and guards are refused
// before consent, with reasons that name parameters and bounds only.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { clearingParams, clearingProgram } from '../../src/algorithms/programs/clearing.js';
import type { AdmissionRequest } from '../../src/algorithms/admission.js';

const base = { cycleId: '7', banks: ['a', 'b', 'c', 'd'], slots: 100 };
const request = (params: Record<string, unknown>, over: Partial<AdmissionRequest> = {}): AdmissionRequest => ({
  program: 'clearing', version: '1.0.0', protocol: 'rep3', params, self: 'a', roles: ['data', 'compute'],
  computeParties: ['a', 'b', 'c'], dataOwners: ['a', 'b', 'c', 'd'], receiver: 'a', secondsToDeadline: 3600, ...over,
});

describe('clearing program', () => {
  it('parses parameters with defaults and refuses malformed ones by name', () => {
    const p = clearingParams(base);
    assert.deepEqual([p.cycleId, p.iterations, p.revealAggregates, p.unitsPerCent, p.hosts], [7n, 32, true, 1n, base.banks]);
    for (const [bad, re] of [
      [{ ...base, cycleId: 7 }, /cycleId/],
      [{ ...base, banks: ['a', 'a', 'b'] }, /twice/],
      [{ ...base, banks: ['a'] }, /banks/],
      [{ ...base, slots: 0 }, /slots/],
      [{ ...base, slots: 2 ** 19 }, /slots/],
      [{ ...base, iterations: 0 }, /iterations/],
      [{ ...base, hosts: ['a'] }, /hosts/],
      [{ ...base, unitsPerCent: '-1' }, /unitsPerCent/],
    ] as const) assert.throws(() => clearingParams(bad), re);
  });

  it('admission: refuses two-bank cycles, over-guard iterations, short deadlines and queues over the slots', () => {
    const admit = (params: Record<string, unknown>, over?: Partial<AdmissionRequest>, guards = {}) => clearingProgram.admit!(request(params, over), guards);
    assert.deepEqual(admit(base), { ok: true });
    assert.match((admit({ ...base, banks: ['a', 'b'] }) as { reason: string }).reason, /fewer than 3 banks/);
    assert.deepEqual(admit({ ...base, banks: ['a', 'b'] }, {}, { minBanks: 2 }), { ok: true });
    assert.match((admit({ ...base, iterations: 300 }) as { reason: string }).reason, /maxIterations/);
    assert.match((admit(base, { secondsToDeadline: 30 }) as { reason: string }).reason, /deadline/);
    assert.match((admit(base, { computeParties: ['a', 'b'] }) as { reason: string }).reason, /three compute parties/);
    const dataset = { datasetId: '1', idColumn: 'id', columns: ['amount'], rows: 101 };
    assert.match((admit(base, { dataset }) as { reason: string }).reason, /slots/);
    assert.match((admit({ ...base, slots: 'x' }) as { reason: string }).reason, /slots/);
  });
});
