// rep3's product scheduled both ways (rep3Tuning: in one go, or pipelined in chunks streamed
// over the transport): the opened results equal the plaintext products mod 2^64 (and the
// AND of the XOR-shared values), over real TLS sockets and over the memory network, and both
// schedules put the same single message per peer on the wire.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { Comm } from '../../src/mpc/comm.js';
import { Rep3Protocol, rep3Tuning } from '../../src/mpc/rep3/protocol.js';
import { createMemoryNetworks } from '../../src/net/index.js';
import type { Network } from '../../src/net/types.js';
import { tlsSession } from '../net/helpers.js';

const IDS = ['p0', 'p1', 'p2'];

function randomRing(n: number, seed: number): BigUint64Array {
  const out = new BigUint64Array(n);
  let x = BigInt(seed) | 1n;
  for (let i = 0; i < n; i++) {
    x = (x * 6364136223846793005n + 1442695040888963407n) & 0xffffffffffffffffn;
    out[i] = x ^ (x >> 29n);
  }
  return out;
}

/** Shares x (owned by p0) and y, multiplies (and ANDs) them, opens both; returns p0's view and the messages sent. */
async function run(nets: Network[], n: number, x: BigUint64Array, y: BigUint64Array) {
  // XOR shares made here, as a dealer would: party i holds (v_i, v_{i+1}), v_0 ^ v_1 ^ v_2 = v.
  const xorShares = (v: BigUint64Array, seed: number) => {
    const r0 = randomRing(n, seed);
    const r1 = randomRing(n, seed + 1);
    return [r0, r1, v.map((e, k) => e ^ r0[k]! ^ r1[k]!)];
  };
  const xb = xorShares(x, 10);
  const yb = xorShares(y, 20);
  return Promise.all(nets.map(async (net) => {
    const comm = new Comm(net);
    const p = await Rep3Protocol.create(comm, IDS);
    const mine = net.self === 'p0';
    const a = await p.inputA('p0', mine ? x : undefined, n);
    const b = await p.inputA('p0', mine ? y : undefined, n);
    const i = IDS.indexOf(net.self);
    const m0 = net.meter.messagesSent();
    const prod = await p.mulAA(a, b, n);
    const and = await p.andBB([xb[i]!, xb[(i + 1) % 3]!], [yb[i]!, yb[(i + 1) % 3]!], n);
    const messages = net.meter.messagesSent() - m0;
    return { prod: await p.openA(prod, n, IDS), and: await p.openB(and, n, IDS), messages };
  }));
}

function check(results: Awaited<ReturnType<typeof run>>, x: BigUint64Array, y: BigUint64Array): void {
  for (const r of results) {
    assert.equal(r.messages, 2, 'one message to one peer per product');
    for (let i = 0; i < x.length; i++) {
      if (r.prod![i] !== BigInt.asUintN(64, x[i]! * y[i]!)) assert.fail(`product ${i}`);
      if (r.and![i] !== (x[i]! & y[i]!)) assert.fail(`and ${i}`);
    }
  }
}

describe('rep3 product: in one go and pipelined', () => {
  const saved = rep3Tuning.pipelineChunk;
  afterEach(() => {
    rep3Tuning.pipelineChunk = saved;
  });
  const n = 200_003; // above the fork threshold, not a multiple of the chunk
  const x = randomRing(n, 1);
  const y = randomRing(n, 2);

  for (const chunk of [0, 65_536, 1000]) {
    it(`over TLS between three parties, chunk ${chunk || 'off'}`, async () => {
      rep3Tuning.pipelineChunk = chunk;
      const s = await tlsSession(IDS, { frameBytes: chunk === 1000 ? 3000 : undefined });
      try {
        check(await run(s.nets, n, x, y), x, y);
      } finally {
        await s.cleanup();
      }
    });
  }

  it('over the memory network (streams gathered into one message), pipelined', async () => {
    rep3Tuning.pipelineChunk = 50_000;
    const nets = createMemoryNetworks(IDS);
    try {
      check(await run(nets, n, x, y), x, y);
    } finally {
      await Promise.all(nets.map((net) => net.close()));
    }
  });
});
