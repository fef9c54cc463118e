/**
 * node.json: defaults, round trip, and errors that name the field — including unknown
 * fields, which are refused so that a misspelt policy key cannot silently open the node.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { apiUrl, defaultNodeConfig, loadNodeConfig, peerEndpoint, roleMask, validateNodeConfig, writeNodeConfig } from '../../src/node/config.js';
import { NodeConfigError } from '../../src/node/errors.js';
import { tempDir } from './helpers.js';

let tmp: ReturnType<typeof tempDir>;
before(() => {
  tmp = tempDir();
});
after(() => tmp.cleanup());

const minimal = { name: 'bank-a', chain: { manifest: 'manifest.json' }, roles: ['data'] };

function field(value: unknown): string {
  try {
    validateNodeConfig(value);
  } catch (err) {
    assert.ok(err instanceof NodeConfigError, String(err));
    return err.field;
  }
  assert.fail('expected a NodeConfigError');
}

describe('node config', () => {
  it('takes the trust policy: protocols, guards, minimum time to the deadline, confirmations', () => {
    const c = validateNodeConfig({
      ...minimal,
      chain: { manifest: 'manifest.json', confirmations: 3 },
      policy: { protocols: ['rep3'], guards: { minRows: 500, allowSharedModel: false }, minSecondsToDeadline: 60, minFeePerTask: '1000' },
    });
    assert.deepEqual(c.policy, { protocols: ['rep3'], guards: { minRows: 500, allowSharedModel: false }, minSecondsToDeadline: 60, minFeePerTask: '1000' });
    assert.equal(c.chain.confirmations, 3);
    assert.equal(field({ ...minimal, policy: { protocols: ['spdz'] } }), 'policy.protocols[0]');
    assert.equal(field({ ...minimal, policy: { guards: { minRows: [1] } } }), 'policy.guards.minRows');
    assert.equal(field({ ...minimal, policy: { minSecondsToDeadline: -1 } }), 'policy.minSecondsToDeadline');
    assert.equal(field({ ...minimal, chain: { manifest: 'm.json', confirmations: 1.5 } }), 'chain.confirmations');
  });

  it('fills defaults: both ports on 127.0.0.1, data dir ".", empty policy, default stake', () => {
    const c = validateNodeConfig(minimal);
    assert.deepEqual(c.peer, { host: '127.0.0.1', port: 7700 });
    assert.deepEqual(c.api, { host: '127.0.0.1', port: 7701 });
    assert.equal(c.dataDir, '.');
    assert.deepEqual(c.policy, {});
    assert.equal(c.stake, (100n * 10n ** 18n).toString());
    assert.equal(peerEndpoint(c), '127.0.0.1:7700');
    assert.equal(apiUrl(c), 'http://127.0.0.1:7701');
    assert.equal(roleMask(['data', 'compute', 'receiver']), 7);
    assert.equal(roleMask(['compute']), 2);
  });

  it('round-trips through node.json, checksumming addresses', () => {
    const dir = join(tmp.dir, 'rt');
    mkdirSync(dir);
    const c = defaultNodeConfig({ name: 'lender-b', roles: ['compute', 'receiver'], peerPort: 9000, apiPort: 9001, publicHost: 'mpc.lender-b.example' });
    c.policy = { allowedAlgorithms: ['lr-train'], minParties: 3, allowedRequesters: ['0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266'], minFeePerTask: '1000' };
    writeNodeConfig(dir, { ...c });
    const loaded = loadNodeConfig(dir);
    assert.deepEqual(loaded.policy.allowedRequesters, ['0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266']);
    assert.equal(peerEndpoint(loaded), 'mpc.lender-b.example:9000');
    assert.equal(loaded.roles.join(','), 'compute,receiver');
  });

  it('names the bad field', () => {
    assert.equal(field({ ...minimal, name: 'has space' }), 'name');
    assert.equal(field({ ...minimal, peer: { port: 0 } }), 'peer.port');
    assert.equal(field({ ...minimal, api: { port: 70000 } }), 'api.port');
    assert.equal(field({ ...minimal, peer: { host: '0.0.0.0' } }), 'peer.publicHost');
    assert.equal(validateNodeConfig({ ...minimal, peer: { host: '0.0.0.0', publicHost: '203.0.113.7' } }).peer.publicHost, '203.0.113.7');
    assert.equal(field({ ...minimal, api: { port: 7700 } }), 'api.port');
    assert.equal(field({ ...minimal, roles: [] }), 'roles');
    assert.equal(field({ ...minimal, roles: ['data', 'miner'] }), 'roles[1]');
    assert.equal(field({ ...minimal, roles: ['data', 'data'] }), 'roles[1]');
    assert.equal(field({ ...minimal, stake: 100 }), 'stake');
    assert.equal(field({ ...minimal, chain: undefined }), 'chain');
    assert.equal(field({ ...minimal, chain: { manifest: 'm.json', rpcUrl: 'localhost:8545' } }), 'chain.rpcUrl');
    assert.equal(field({ ...minimal, policy: { minParties: 0 } }), 'policy.minParties');
    assert.equal(field({ ...minimal, policy: { allowedRequesters: ['0x12'] } }), 'policy.allowedRequesters[0]');
    assert.equal(field({ ...minimal, policy: { minFeePerTask: '-1' } }), 'policy.minFeePerTask');
    assert.equal(field({ ...minimal, policy: { allowedAlgorithm: ['lr-train'] } }), 'policy.allowedAlgorithm');
    assert.equal(field({ ...minimal, extra: 1 }), 'extra');
    assert.equal(field([]), 'document');
  });

  it('a missing or broken file is a NodeConfigError with a hint', () => {
    assert.throws(() => loadNodeConfig(join(tmp.dir, 'nowhere')), (err: unknown) => err instanceof NodeConfigError && /tacit node init/.test(err.hint ?? ''));
    const d = join(tmp.dir, 'broken');
    mkdirSync(d);
    writeFileSync(join(d, 'node.json'), '{"name": "x",}');
    assert.throws(() => loadNodeConfig(d), /not valid JSON/);
  });
});
