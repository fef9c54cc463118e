import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMemoryNetworks } from '../../src/net/index.js';
import { complianceSuite } from './compliance.js';

complianceSuite('memory', async (ids, options) => {
  const nets = createMemoryNetworks(ids, options);
  return { nets, cleanup: async () => void (await Promise.all(nets.map((n) => n.close()))) };
});

describe('memory network', () => {
  it('copies at send time, so the sender may reuse its buffer at once', async () => {
    const [a, b] = createMemoryNetworks(['a', 'b']);
    const buf = Uint8Array.of(1, 2, 3);
    void a!.send('b', 'x', buf);
    buf.fill(0);
    assert.deepEqual([...await b!.recv('a', 'x')], [1, 2, 3]);
    await Promise.all([a!.close(), b!.close()]);
  });

  it('reports a crashed party as PeerDisconnectedError to the others', async () => {
    const [a, b, c] = createMemoryNetworks(['a', 'b', 'c']);
    const waits = [a!.recv('c', 'r2'), b!.recv('c', 'r2')];
    c!.crash();
    for (const w of waits) await assert.rejects(w, { name: 'PeerDisconnectedError', peer: 'c', step: 'r2' });
  });

  it('refuses bad party lists', () => {
    assert.throws(() => createMemoryNetworks(['a']), RangeError);
    assert.throws(() => createMemoryNetworks(['a', 'a']), RangeError);
    assert.throws(() => createMemoryNetworks(['a', 'b c']), RangeError);
  });
});
