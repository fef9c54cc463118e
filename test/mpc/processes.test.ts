// The engine between separate OS processes over loopback TLS (rep3; semi2k with OT
// preprocessing between two processes alone, and with a dealer process), checked against plaintext.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { runLocalSession } from '../../src/node/local/cluster.js';
import type { MpcConfig } from '../../src/mpc/engine.js';
import { X, Y } from './fixtures/engine-program.js';

const programModule = fileURLToPath(new URL('./fixtures/engine-program.js', import.meta.url));

const setups: { name: string; mpc: MpcConfig; parties: string[] }[] = [
  { name: 'rep3, three processes', mpc: { protocol: 'rep3', computeParties: ['a', 'b', 'c'] }, parties: ['a', 'b', 'c'] },
  { name: 'semi2k, two processes and nothing else (OT preprocessing)', mpc: { protocol: 'semi2k', computeParties: ['a', 'b'], preprocessing: { kind: 'ot' } }, parties: ['a', 'b'] },
  { name: 'semi2k, three processes and a dealer process', mpc: { protocol: 'semi2k', computeParties: ['a', 'b', 'c'], preprocessing: { kind: 'ttp', dealer: 'dealer' } }, parties: ['a', 'b', 'c', 'dealer'] },
];

describe('engine across processes on loopback TLS', () => {
  for (const s of setups) {
    it(s.name, async () => {
      const results = await runLocalSession({
        program: 'engine-check',
        params: {},
        parties: s.parties.map((id) => ({ id, roles: id === 'dealer' ? ['dealer'] : ['compute'] })),
        mpc: s.mpc,
        programModule,
      });
      const out = results.get('a')!.output as Record<string, number[]>;
      X.forEach((x, i) => {
        assert.ok(Math.abs(out.mul![i]! - x * Y[i]!) < 1e-4, `mul ${i}`);
        assert.equal(out.lt![i], x < Y[i]! ? 1 : 0, `lt ${i}`);
        assert.ok(Math.abs(out.sigmoid![i]! - 1 / (1 + Math.exp(-x))) < 1e-4, `sigmoid ${i}`);
      });
      assert.ok(Math.abs(out.dot![0]! - X.reduce((acc, x, i) => acc + x * Y[i]!, 0)) < 1e-3);
      assert.equal(results.get('b')!.output, undefined, 'only a receives');
    });
  }
});
