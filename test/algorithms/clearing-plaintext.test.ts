// Clearing in plaintext: the bounded algorithm (what the MPC runs) against the queue-removal
// rule applied one payment at a time, and hand-checked instances (Bech & Soramäki 2001).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { clearBounded, clearExact, outcomeOf, settleGross, type ClearingOutcome } from '../../src/algorithms/clearing/plaintext.js';
import { generateQueues } from '../../src/algorithms/clearing/generate.js';
import { ClearingInputError, decodeId, encodeId, parseQueueCsv, validateQueue, type BankQueue } from '../../src/algorithms/clearing/queue.js';

const pay = (id: string, to: string, amount: number, priority = 0) => ({ id, to, amount, priority });

function assertFeasible(queues: BankQueue[], o: ClearingOutcome): void {
  queues.forEach((q, b) => assert.ok(BigInt(q.balance) + o.banks[b]!.net >= 0n, `${q.bank} overdrawn`));
  assert.equal(o.banks.reduce((s, x) => s + x.net, 0n), 0n, 'positions sum to zero');
}

describe('clearing plaintext', () => {
  it('settles a cycle A→B→C→A with no liquidity at all, which a gross system cannot', () => {
    const q: BankQueue[] = [
      { bank: 'A', balance: 0, payments: [pay('a1', 'B', 500)] },
      { bank: 'B', balance: 0, payments: [pay('b1', 'C', 500)] },
      { bank: 'C', balance: 0, payments: [pay('c1', 'A', 500)] },
    ];
    const o = clearExact(q);
    assert.deepEqual(o.banks.map((b) => b.settled), [['a1'], ['b1'], ['c1']]);
    assert.equal(o.netLiquidity, 0n);
    assert.equal(o.liquiditySaved, 1500n);
    assert.equal(settleGross(q), 0n);
    assert.deepEqual(clearBounded(q, 4), { ...o, converged: true, convergedAt: 1 });
  });

  it('withdraws the lowest-priority, latest payment of a bank that cannot pay, and cascades', () => {
    const q: BankQueue[] = [
      { bank: 'A', balance: 100, payments: [pay('a1', 'B', 300, 1), pay('a2', 'B', 200, 0), pay('a3', 'C', 50, 0)] },
      { bank: 'B', balance: 0, payments: [pay('b1', 'C', 400, 0)] },
      { bank: 'C', balance: 0, payments: [pay('c1', 'A', 100, 0)] },
    ];
    // A: −550+100 <0 → withdraw a3 (latest of priority 0), then a2; B then has 300 in, 400 out → withdraw b1;
    // C then gets nothing and cannot pay c1; A then has 100 for a1 (300): withdraw a1 too. Nothing settles.
    const o = clearExact(q);
    assert.deepEqual(o.banks.map((b) => b.settled), [[], [], []]);
    const q2 = q.map((x) => ({ ...x }));
    q2[0] = { ...q2[0]!, balance: 400 };
    // With 400, A is 50 short: withdrawing a3 (50, to C) is enough, and C still pays c1.
    const o2 = clearExact(q2);
    assertFeasible(q2, o2);
    assert.deepEqual(o2.banks.map((b) => b.settled), [['a1', 'a2'], ['b1'], ['c1']]);
    const bounded = clearBounded(q2, 10);
    assert.ok(bounded.converged);
    assert.deepEqual(bounded.banks, o2.banks);
  });

  it('a bank with no liquidity keeps only what its receipts pay', () => {
    const q: BankQueue[] = [
      { bank: 'A', balance: 1000, payments: [pay('a1', 'B', 700)] },
      { bank: 'B', balance: 0, payments: [pay('b1', 'C', 400, 1), pay('b2', 'C', 400, 0)] },
      { bank: 'C', balance: 0, payments: [] },
    ];
    const o = clearExact(q);
    assert.deepEqual(o.banks.map((b) => b.settled), [['a1'], ['b1'], []]);
    assert.deepEqual(o.banks[2]!.incoming, [{ id: 'b1', from: 'B', amount: 400 }]);
    assert.equal(o.banks[1]!.net, 300n);
  });

  it('bounded iteration equals the one-at-a-time rule once converged, and is always feasible', () => {
    let checked = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const B = 3 + (seed % 8);
      const q = generateQueues({ banks: B, payments: B * (2 + (seed % 7)), seed, liquidity: [0, 0.3, 0.6, 1][seed % 4] });
      const exact = clearExact(q);
      assertFeasible(q, exact);
      for (const T of [1, 2, 4, 32]) {
        const b = clearBounded(q, T);
        assertFeasible(q, b);
        if (b.converged) {
          checked++;
          assert.deepEqual(b.banks, exact.banks, `seed ${seed} T ${T}`);
          assert.ok(b.convergedAt <= T);
        } else assert.ok(b.convergedAt > T);
      }
      assert.ok(clearBounded(q, 64).converged, `seed ${seed} converges within 64`);
    }
    assert.ok(checked > 60);
  });

  it('the generator is deterministic and its gridlocked case jams gross settlement but nets fully', () => {
    const a = generateQueues({ banks: 5, payments: 40, seed: 9, gridlock: true });
    assert.deepEqual(a, generateQueues({ banks: 5, payments: 40, seed: 9, gridlock: true }));
    assert.equal(settleGross(a), 0n);
    const o = clearExact(a);
    const all = a.reduce((s, q) => s + q.payments.reduce((t, p) => t + BigInt(p.amount), 0n), 0n);
    assert.equal(o.settledValue, all);
    assert.ok(o.liquiditySaved > 0n);
    assert.deepEqual(outcomeOf(a, a.map((q) => q.payments.map(() => true))), o);
  });

  it('refuses bad queues with a typed error', () => {
    const banks = ['A', 'B'];
    const ok: BankQueue = { bank: 'A', balance: 10, payments: [pay('x', 'B', 5)] };
    validateQueue(ok, banks, 4);
    const bad = (q: Partial<BankQueue>, re: RegExp, slots = 4) =>
      assert.throws(() => validateQueue({ ...ok, ...q }, banks, slots), (e: Error) => e instanceof ClearingInputError && re.test(e.message));
    bad({ payments: [pay('x', 'B', 5), pay('x', 'B', 6)] }, /duplicate payment id/);
    bad({ payments: [pay('x', 'Z', 5)] }, /unknown receiving bank/);
    bad({ payments: [pay('x', 'A', 5)] }, /cannot pay itself/);
    bad({ payments: [pay('x', 'B', -5)] }, /must be positive/);
    bad({ payments: [pay('x', 'B', 0)] }, /must be positive/);
    bad({ payments: [pay('x', 'B', 2 ** 40)] }, /over the limit/);
    bad({ payments: [pay('x', 'B', 1.5)] }, /whole number/);
    bad({ balance: -1 }, /non-negative/);
    bad({ balance: 2 ** 48 }, /over the limit/);
    bad({ payments: [pay('x y', 'B', 5)] }, /printable ASCII/);
    bad({ payments: [pay('a', 'B', 1), pay('b', 'B', 1)] }, /slots per bank/, 1);
    assert.throws(() => parseQueueCsv('id,to,amount\nx,B,1.50\n', 'A'), /whole number/);
    assert.deepEqual(parseQueueCsv('id,to,amount,priority\nx,B,150,2\n', 'A'), [pay('x', 'B', 150, 2)]);
    for (const id of ['a', 'PAY-0000000001', '0123456789abcdef']) assert.equal(decodeId(...encodeId(id)), id);
  });
});
