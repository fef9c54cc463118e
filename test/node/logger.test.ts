/**
 * The node logger writes JSON lines and replaces secrets and binary arrays, at any depth,
 * whatever the caller passed.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createNodeLogger, isSensitiveKey, REDACTED } from '../../src/node/logger.js';
import { tempDir } from './helpers.js';

let tmp: ReturnType<typeof tempDir>;
before(() => {
  tmp = tempDir();
});
after(() => tmp.cleanup());

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      cb();
    },
  });
  return { stream, lines };
}

describe('node logger', () => {
  it('redacts keys, passphrases, tokens and shares at any depth, and binary arrays', () => {
    const { stream, lines } = capture();
    const { logger } = createNodeLogger({ name: 'bank-a', stdout: false, stream });
    logger.info(
      {
        passphrase: 'hunter2-hunter2',
        apiToken: 'f'.repeat(64),
        headers: { Authorization: 'Bearer abc' },
        nested: { privateKey: '0x' + '1'.repeat(64), session_token: 's3cr3t', tls: { keyPem: '-----BEGIN PRIVATE KEY-----' } },
        shares: [1, 2, 3],
        list: [{ secret: 'x' }],
        values: new Float64Array([1.5, 2.5]),
        blob: Buffer.from('raw bytes'),
        task: 7,
        dataset: 'loans',
        keyType: 'ed25519',
      },
      'hello',
    );
    logger.child({ token: 'child-token' }).warn('from child');
    assert.equal(lines.length, 2);
    const a = JSON.parse(lines[0]!);
    assert.equal(a.msg, 'hello');
    assert.equal(a.node, 'bank-a');
    assert.equal(a.passphrase, REDACTED);
    assert.equal(a.apiToken, REDACTED);
    assert.equal(a.headers.Authorization, REDACTED);
    assert.equal(a.nested.privateKey, REDACTED);
    assert.equal(a.nested.session_token, REDACTED);
    assert.equal(a.nested.tls.keyPem, REDACTED);
    assert.equal(a.shares, REDACTED);
    assert.equal(a.list[0].secret, REDACTED);
    assert.equal(a.values, '[Float64Array(2)]');
    assert.equal(a.blob, '[Buffer(9)]');
    assert.equal(a.task, 7);
    assert.equal(a.dataset, 'loans');
    assert.equal(a.keyType, 'ed25519');
    assert.doesNotMatch(lines.join('\n'), /hunter2|s3cr3t|BEGIN PRIVATE|raw bytes|child-token|Bearer abc/);
    assert.equal(JSON.parse(lines[1]!).token, REDACTED);
  });

  it('writes JSON lines to <dataDir>/logs/node.log', async () => {
    const log = createNodeLogger({ name: 'bank-b', dataDir: tmp.dir, stdout: false });
    log.logger.info({ task: 1 }, 'to file');
    await new Promise((r) => setTimeout(r, 50));
    log.flush();
    const text = readFileSync(log.file!, 'utf8');
    assert.equal(JSON.parse(text.trim().split('\n')[0]!).msg, 'to file');
  });

  it('knows which field names are secret', () => {
    for (const k of ['key', 'privateKey', 'private_key', 'passphrase', 'PASSWORD', 'mnemonic', 'seed', 'share', 'inputShares', 'authToken']) assert.ok(isSensitiveKey(k), k);
    for (const k of ['task', 'dataset', 'fingerprint', 'address', 'keyType', 'rows', 'dataToken2']) assert.ok(!isSensitiveKey(k), k);
  });
});
