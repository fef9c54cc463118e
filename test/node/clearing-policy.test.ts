// The pieces of a node's clearing cycle that need no network: the published parameters
// (decoded, defaults, refusals), the standing queue (checks at submission, receivers by node
// name or address, payments outside the cycle left queued, settled ones dropped) and the
// node's decision, each verdict checked against what the policy says it must be.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cycleParams, decodeCycleParams, encodeCycleParams, ClearingCycleParamsError } from '../../src/node/clearing/params.js';
import { dropSettled, queueForCycle, readStandingQueue, submitStandingQueue } from '../../src/node/clearing/standing-queue.js';
import { decideCycle } from '../../src/node/clearing/policy.js';
import type { CycleRecord } from '../../src/node/clearing/records.js';
import { defaultNodeConfig } from '../../src/node/config.js';
import type { PartyProfile } from '../../src/node/tasks/chain-view.js';

const A = '0x' + 'a'.repeat(40), B = '0x' + 'b'.repeat(40), C = '0x' + 'c'.repeat(40), D = '0x' + 'd'.repeat(40);
const TOKEN = '0x' + '7'.repeat(40);

function memStore() {
  const m = new Map<string, string>();
  return { getKv: (k: string) => m.get(k), setKv: (k: string, v: string) => void m.set(k, v), deleteKv: (k: string) => m.delete(k) };
}

test('cycle parameters: round trip, defaults, and refusals naming the field', () => {
  const p = cycleParams({ slots: 10 }, 4);
  assert.deepEqual(p, { program: 'clearing', protocol: 'rep3', slots: 10, iterations: 32, revealAggregates: true, unitsPerCent: '1' });
  assert.deepEqual(decodeCycleParams(encodeCycleParams(p), 4), p);
  assert.throws(() => decodeCycleParams('{"slots":0}', 4), (e: Error) => e instanceof ClearingCycleParamsError && /slots/.test(e.message));
  assert.throws(() => decodeCycleParams('{"slots":4,"extra":1}', 4), /unknown parameter "extra"/);
  assert.throws(() => decodeCycleParams('not json', 4), /not JSON/);
  assert.throws(() => decodeCycleParams('{"slots":4,"unitsPerCent":"-1"}', 4), /unitsPerCent/);
  assert.throws(() => decodeCycleParams(`{"slots":${2 ** 19}}`, 4), /banks × slots/);
});

test('standing queue: checked at submission, mapped per cycle, settled payments dropped', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tacit-clq-'));
  try {
    const store = memStore();
    const good = join(dir, 'q.csv');
    writeFileSync(good, 'id,to,amount,priority\np1,bankB,500,0\np2,' + C + ',700,1\np3,bankZ,900,0\n');
    const q = submitStandingQueue(store, { path: good, liquidity: 1000, counterparties: ['bankB', C] });
    assert.equal(readStandingQueue(store)!.payments.length, 3);
    // For a cycle of A (self), B (named bankB) and C: p3 to bankZ stays queued, out of this cycle.
    const mine = queueForCycle(q, A, [A, B, C], ['bankA', 'bankB', 'bankC'], 1000);
    assert.deepEqual(mine.payments.map((p) => [p.id, p.to]), [['p1', B], ['p2', C]]);
    dropSettled(store, ['p1']);
    assert.deepEqual(readStandingQueue(store)!.payments.map((p) => p.id), ['p2', 'p3']);
    // Bad files are refused whole, with the rule broken.
    const dup = join(dir, 'dup.csv');
    writeFileSync(dup, 'id,to,amount\np1,bankB,5\np1,bankC,6\n');
    assert.throws(() => submitStandingQueue(store, { path: dup, liquidity: 0 }), (e: Error) => e.name === 'ImportFileError' && /duplicate payment id/.test(e.message));
    const neg = join(dir, 'neg.csv');
    writeFileSync(neg, 'id,to,amount\np1,bankB,-5\n');
    assert.throws(() => submitStandingQueue(store, { path: neg, liquidity: 0 }), /amount must be positive/);
    assert.throws(() => submitStandingQueue(store, { path: join(dir, 'missing.csv'), liquidity: 0 }), /cannot read the queue file/);
    assert.throws(() => submitStandingQueue(store, { path: good, liquidity: -1 }), /liquidity/);
    assert.deepEqual(readStandingQueue(store)!.payments.map((p) => p.id), ['p2', 'p3'], 'a refused file changes nothing');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the node decides: member checks, counterparties, slots, liquidity, guards', () => {
  const config = defaultNodeConfig({ name: 'bankA' });
  const profiles = new Map<string, PartyProfile>([A, B, C, D].map((x) => [x, { address: x as `0x${string}`, name: x, host: '127.0.0.1', port: 1, fingerprint: 'ff' }]));
  const now = 1_000_000;
  const rec = (over: Partial<CycleRecord> = {}): CycleRecord => ({
    id: '1', status: 'seen', roles: ['bank', 'compute'], banks: [A, B, C], names: ['bankA', 'bankB', 'bankC'], compute: [A, B, C],
    token: TOKEN, deadline: now + 600, params: cycleParams({ slots: 4, unitsPerCent: '100' }, 3), updatedAt: '', ...over,
  });
  const queue = { payments: [{ id: 'p1', to: 'bankb', amount: 5, priority: 0 }], liquidityCents: 50, updatedAt: '' };
  const base = { self: A, config, paymentToken: TOKEN, profiles, queue, tokenBalance: 10_000n, unitsPerCent: 100n, now };
  assert.deepEqual(decideCycle({ ...base, rec: rec() }), { ok: true, lockUnits: 5000n });
  const no = (v: ReturnType<typeof decideCycle>) => (v.ok ? 'accepted' : v.reason);
  assert.match(no(decideCycle({ ...base, rec: rec(), queue: undefined })), /no standing queue/);
  assert.match(no(decideCycle({ ...base, rec: rec(), tokenBalance: 4999n })), /more than this node holds/);
  assert.match(no(decideCycle({ ...base, rec: rec(), queue: { ...queue, counterparties: ['bankb'] } })), /not willing to clear with bankC/);
  assert.match(no(decideCycle({ ...base, rec: rec({ params: cycleParams({ slots: 1, unitsPerCent: '100' }, 3) }), queue: { ...queue, payments: [...queue.payments, { id: 'p2', to: C, amount: 1, priority: 0 }] } })), /2 queued payments .* 1 slots/);
  assert.match(no(decideCycle({ ...base, rec: rec({ deadline: now + 30 }) })), /too little time/);
  assert.match(no(decideCycle({ ...base, rec: rec({ banks: [A, B], names: ['bankA', 'bankB'] }) })), /fewer than 3 banks/);
  assert.match(no(decideCycle({ ...base, rec: rec({ compute: [A, B] }) })), /three compute parties/);
  assert.match(no(decideCycle({ ...base, rec: rec({ token: D }) })), /payment token/);
  assert.match(no(decideCycle({ ...base, rec: rec({ params: cycleParams({ slots: 4, unitsPerCent: '10000' }, 3) }) })), /10000 token units per cent; the payment token has 100/);
  assert.match(no(decideCycle({ ...base, rec: rec({ params: null }) })), /without published parameters/);
  assert.match(no(decideCycle({ ...base, rec: rec(), profiles: new Map([...profiles].filter(([k]) => k !== C)) })), /not a registered node/);
  assert.match(no(decideCycle({ ...base, rec: rec(), config: { ...config, policy: { allowedAlgorithms: ['psi'] } } })), /allowedAlgorithms/);
  // A compute party that is not a bank needs no queue and locks nothing.
  assert.deepEqual(decideCycle({ ...base, self: D, rec: rec({ roles: ['compute'], compute: [A, B, D] }), queue: undefined }), { ok: true, lockUnits: 0n });
  // node.json guards override the program's defaults.
  assert.deepEqual(decideCycle({ ...base, rec: rec({ deadline: now + 30 }), config: { ...config, policy: { guards: { minSecondsToDeadline: 20 } } } }), { ok: true, lockUnits: 5000n });
});
