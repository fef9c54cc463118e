// Clearing under MPC against the plaintext reference of the same algorithm (clearBounded):
// the same settled set, positions, incoming payments and aggregates, on random and
// adversarial instances, with rep3 and semi2k on in-memory sessions.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { clearingMpc, clearingMpcEncoded, encodeBank, type ClearingMpcResult } from '../../src/algorithms/clearing/mpc.js';
import { clearBounded, clearExact } from '../../src/algorithms/clearing/plaintext.js';
import { generateQueues } from '../../src/algorithms/clearing/generate.js';
import { ClearingInputError, type BankQueue } from '../../src/algorithms/clearing/queue.js';
import { runSession, type TestSession } from '../support/session.js';

const pay = (id: string, to: string, amount: number, priority = 0) => ({ id, to, amount, priority });

/** Banks p0..p2 compute and host themselves; the others are hosted by `hub` (and `solo`). */
async function runClearing(session: TestSession, queues: BankQueue[], opts: { slots?: number; iterations?: number; hostOf?: (bank: string) => string } = {}) {
  const banks = queues.map((q) => q.bank);
  const hostOf = opts.hostOf ?? ((b: string) => (session.compute.includes(b) ? b : 'hub'));
  const hosts = banks.map(hostOf);
  const slots = opts.slots ?? Math.max(1, ...queues.map((q) => q.payments.length));
  const spec = { banks, hosts, slots, iterations: opts.iterations ?? 16, revealAggregates: true, settlementTo: session.compute };
  return runSession(session, (mpc) => clearingMpc(mpc, spec, queues.filter((q) => hostOf(q.bank) === mpc.self)));
}

function assertMatches(queues: BankQueue[], results: Map<string, ClearingMpcResult>, iterations: number, compute: string[]): void {
  const ref = clearBounded(queues, iterations);
  const byBank = new Map<string, ClearingMpcResult['banks'][number]>();
  for (const r of results.values()) for (const b of r.banks) byBank.set(b.bank, b);
  const order = new Map(queues.map((q, i) => [q.bank, i]));
  ref.banks.forEach((exp) => {
    const got = byBank.get(exp.bank)!;
    assert.equal(got.net, exp.net, `${exp.bank} net`);
    assert.deepEqual(got.settled, exp.settled, `${exp.bank} settled`);
    const sorted = [...exp.incoming].sort((x, y) => order.get(x.from)! - order.get(y.from)! || (x.id < y.id ? -1 : 1));
    assert.deepEqual(got.incoming, sorted, `${exp.bank} incoming`);
  });
  for (const c of compute) assert.deepEqual(results.get(c)!.nets, ref.banks.map((b) => b.net), `${c} holds the settlement`);
  for (const r of results.values()) {
    assert.equal(r.settledValue, ref.settledValue);
    assert.equal(r.liquiditySaved, ref.liquiditySaved);
    assert.equal(r.netLiquidity, ref.netLiquidity);
  }
  assert.ok(!results.get('hub') || results.get('hub')!.nets === undefined, 'a host that does not compute sees no other bank\'s position');
}

const REP3: TestSession = { protocol: 'rep3', compute: ['p0', 'p1', 'p2'], extra: ['hub'] };
const SEMI2K: TestSession = { protocol: 'semi2k', compute: ['p0', 'p1', 'p2'], extra: ['hub'], dealer: 'dealer' };

function named(queues: BankQueue[]): BankQueue[] {
  const names = ['p0', 'p1', 'p2', 'q3', 'q4', 'q5', 'q6', 'q7', 'q8', 'q9'];
  const map = new Map(queues.map((q, i) => [q.bank, names[i]!]));
  return queues.map((q) => ({ ...q, bank: map.get(q.bank)!, payments: q.payments.map((p) => ({ ...p, to: map.get(p.to)! })) }));
}

describe('clearing under MPC equals the plaintext reference', () => {
  for (const [label, session] of [['rep3', REP3], ['semi2k', SEMI2K]] as const) {
    it(`${label}: random instances, partly and fully feasible, padded slots`, async () => {
      for (const [seed, liquidity] of [[3, 0.5], [4, 1], [5, 0.2]] as const) {
        const queues = named(generateQueues({ banks: 5, payments: 30 + seed, seed, liquidity }));
        const res = await runClearing(session, queues, { slots: 10, iterations: 12 });
        assertMatches(queues, res, 12, session.compute);
      }
    });
  }

  it('rep3: a cycle with no liquidity settles fully; a gridlocked instance nets fully', async () => {
    const cyc: BankQueue[] = [
      { bank: 'p0', balance: 0, payments: [pay('x1', 'p1', 700)] },
      { bank: 'p1', balance: 0, payments: [pay('y1', 'p2', 700)] },
      { bank: 'p2', balance: 0, payments: [pay('z1', 'q3', 700)] },
      { bank: 'q3', balance: 0, payments: [pay('w1', 'p0', 700)] },
    ];
    assertMatches(cyc, await runClearing(REP3, cyc, { slots: 2, iterations: 4 }), 4, REP3.compute);
    const grid = named(generateQueues({ banks: 6, payments: 30, seed: 11, gridlock: true }));
    const res = await runClearing(REP3, grid, { iterations: 8 });
    assertMatches(grid, res, 8, REP3.compute);
    assert.equal(res.get('p0')!.settledValue, clearExact(grid).settledValue, 'everything settles');
  });

  it('rep3: nothing feasible, everything feasible, and a bank with no liquidity', async () => {
    const none: BankQueue[] = [
      { bank: 'p0', balance: 10, payments: [pay('a', 'p1', 500), pay('b', 'p2', 300)] },
      { bank: 'p1', balance: 0, payments: [pay('c', 'p2', 900)] },
      { bank: 'p2', balance: 0, payments: [pay('d', 'p0', 2000)] },
    ];
    const r1 = await runClearing(REP3, none, { iterations: 6 });
    assertMatches(none, r1, 6, REP3.compute);
    assert.equal(r1.get('p0')!.settledValue, 0n);
    const all = none.map((q) => ({ ...q, balance: 10_000 }));
    const r2 = await runClearing(REP3, all, { iterations: 6 });
    assertMatches(all, r2, 6, REP3.compute);
    assert.equal(r2.get('p1')!.settledValue, 3700n);
    const poor: BankQueue[] = [
      { bank: 'p0', balance: 1000, payments: [pay('a', 'p1', 700)] },
      { bank: 'p1', balance: 0, payments: [pay('b1', 'p2', 400, 1), pay('b2', 'p2', 400)] },
      { bank: 'p2', balance: 0, payments: [] },
    ];
    const r3 = await runClearing(REP3, poor, { iterations: 4 });
    assertMatches(poor, r3, 4, REP3.compute);
    assert.deepEqual(r3.get('p1')!.banks[0]!.settled, ['b1']);
  });

  it('rep3: T below convergence still settles a feasible set, equal to the reference', async () => {
    const queues = named(generateQueues({ banks: 6, payments: 60, seed: 21, liquidity: 0.3 }));
    const ref = clearBounded(queues, 2);
    const res = await runClearing(REP3, queues, { iterations: 2 });
    assertMatches(queues, res, 2, REP3.compute);
    queues.forEach((q, b) => assert.ok(BigInt(q.balance) + ref.banks[b]!.net >= 0n));
  });

  it('refuses duplicate ids, unknown banks and over-range amounts before sharing anything', () => {
    const base: BankQueue[] = [
      { bank: 'p0', balance: 10, payments: [pay('a', 'p1', 5)] },
      { bank: 'p1', balance: 10, payments: [pay('b', 'p2', 5)] },
      { bank: 'p2', balance: 10, payments: [pay('c', 'p0', 5)] },
    ];
    const cases: [BankQueue, RegExp][] = [
      [{ ...base[0]!, payments: [pay('a', 'p1', 5), pay('a', 'p2', 6)] }, /duplicate payment id/],
      [{ ...base[0]!, payments: [pay('a', 'nobody', 5)] }, /unknown receiving bank/],
      [{ ...base[0]!, payments: [pay('a', 'p1', 2 ** 40)] }, /over the limit/],
      [{ ...base[0]!, payments: [pay('a', 'p1', -3)] }, /must be positive/],
    ];
    // Each host encodes (and so checks) its queues before its first message; the refusal
    // reaching the other parties as an abort is tested with real processes (cli/clearing).
    for (const [bad, re] of cases) {
      assert.throws(() => encodeBank(bad, ['p0', 'p1', 'p2'], 2), (e: Error) => e instanceof ClearingInputError && re.test(e.message));
    }
    assert.equal(encodeBank(base[0]!, ['p0', 'p1', 'p2'], 2).flat.length, 1 + 2 * 2 + 3 * 2 * 3);
  });

  it('rep3: a bank that encodes a negative amount (to take money from its receiver) is caught before any output', async () => {
    const queues: BankQueue[] = [
      { bank: 'p0', balance: 10_000, payments: [pay('a', 'p1', 5), pay('b', 'p2', 7)] },
      { bank: 'p1', balance: 10_000, payments: [pay('c', 'p2', 100)] },
      { bank: 'p2', balance: 0, payments: [pay('d', 'p0', 50)] },
    ];
    const banks = queues.map((q) => q.bank);
    const spec = { banks, hosts: banks, slots: 2, iterations: 4, revealAggregates: true, settlementTo: REP3.compute };
    const res = runSession({ protocol: 'rep3', compute: ['p0', 'p1', 'p2'] }, (mpc) => {
      const q = queues.find((x) => x.bank === mpc.self)!;
      const enc = encodeBank(q, banks, 2);
      if (mpc.self === 'p0') {
        // Payment 'a' (to p1) encoded as −1000 in p1's column: p0 would gain 1000 from p1.
        const slot = enc.slotPayment.indexOf(0);
        enc.flat[1 + 2 * 2 + slot * 3 + 1] = 2n ** 64n - 1000n;
      }
      return clearingMpcEncoded(mpc, spec, [q], new Map([[q.bank, enc]]));
    });
    await assert.rejects(res, (e: Error) => e instanceof ClearingInputError && /malformed/.test(e.message));
  });
});
