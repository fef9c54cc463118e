/**
 * The bulk channel's record layer (src/net/bulk-channel.ts), checked against node:crypto's
 * AES-256-GCM directly (an independent opener written here from the record format), and
 * every way a record can be altered, reordered, replayed, dropped, reflected or over-long.
 */
import assert from 'node:assert/strict';
import { createDecipheriv, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { bulkAeadPath, MAX_RECORD_PLAINTEXT, RecordIntegrityFailure, RecordOpener, RecordSealer } from '../../src/net/bulk-channel.js';

const keyA = randomBytes(32);
const keyB = randomBytes(32);

/** Every test runs on both paths: the native shim (if built) and node:crypto. */
let nodeOnly = false;

function sealAll(key: Buffer, plains: Uint8Array[]): Buffer[] {
  const sealer = new RecordSealer(key, nodeOnly);
  return plains.map((p) => Buffer.concat(sealer.seal(p)));
}

/** Opens a copy of `stream` (the native opener decrypts in place) cut into pieces of `cut` bytes. */
function openStream(key: Buffer, original: Buffer, cut = original.length || 1): { got: Buffer[]; error?: Error } {
  const stream = Buffer.from(original);
  const got: Buffer[] = [];
  const opener = new RecordOpener(key, (p) => got.push(Buffer.from(p)), nodeOnly);
  try {
    for (let i = 0; i < stream.length; i += cut) opener.push(stream.subarray(i, i + cut));
  } catch (err) {
    return { got, error: err as Error };
  }
  return { got };
}

/** The format, decoded independently: [u32 L][L ciphertext][16 tag], AAD = the 4 length bytes, nonce = 0^32 ‖ counter. */
function referenceOpen(key: Buffer, record: Buffer, counter: number): Buffer {
  const length = record.readUInt32BE(0);
  assert.equal(record.length, 4 + length + 16);
  const nonce = Buffer.alloc(12);
  nonce.writeBigUInt64BE(BigInt(counter), 4);
  const d = createDecipheriv('aes-256-gcm', key, nonce);
  d.setAAD(record.subarray(0, 4));
  d.setAuthTag(record.subarray(4 + length));
  return Buffer.concat([d.update(record.subarray(4, 4 + length)), d.final()]);
}

for (const path of ['native', 'node:crypto'] as const) describe(`bulk channel records (AES-256-GCM, implicit counter nonces), ${path}`, () => {
  it(`uses the ${path} path`, (t) => {
    if (path === 'native' && bulkAeadPath() !== 'native') return t.skip('native/aead-gcm.c not built here');
    nodeOnly = path === 'node:crypto';
  });

  const sizes = [0, 1, 15, 16, 17, 4096, 65_535, 65_536, 524_288 + 216, MAX_RECORD_PLAINTEXT];
  const plains = sizes.map((n) => randomBytes(n));

  it('round-trips records of many sizes, cut into chunks of any size, and matches an independent decoding', () => {
    const records = sealAll(keyA, plains);
    records.forEach((r, i) => assert.deepEqual(referenceOpen(keyA, r, i), plains[i]));
    const stream = Buffer.concat(records);
    for (const cut of [1, 3, 4, 5, 1000, 65_536, 1 << 20, stream.length]) {
      const { got, error } = openStream(keyA, stream, cut);
      assert.equal(error, undefined, `cut ${cut}`);
      assert.deepEqual(got.map((g) => g.length), sizes, `cut ${cut}`);
      got.forEach((g, i) => assert.ok(g.equals(plains[i]!), `cut ${cut} record ${i}`));
    }
  });

  it('refuses a record with any byte of its length, ciphertext or tag flipped, delivering nothing of it', () => {
    const two = sealAll(keyA, [randomBytes(100), randomBytes(300)]);
    const first = two[0]!;
    // Inside the SECOND record (300 bytes: length 0x0000012C), so the first must still arrive.
    // The length's flips make it shorter (a longer one would just wait for more bytes).
    const positions = { length: [2, 3], ciphertext: [4, 4 + 150, 4 + 299], tag: [304, 319] };
    for (const [what, at] of Object.entries(positions)) {
      for (const off of at) {
        const bad = Buffer.from(two[1]!);
        bad[off] ^= off === 3 ? 0x04 : 0x01;
        const { got, error } = openStream(keyA, Buffer.concat([first, bad]), 7);
        assert.ok(error instanceof RecordIntegrityFailure, `${what} @${off}: ${String(error)}`);
        assert.equal(got.length, 1, `${what} @${off}`);
        assert.ok(got[0]!.equals(referenceOpen(keyA, first, 0)));
      }
    }
  });

  it('refuses reordered, replayed and dropped records and records sealed for the other direction', () => {
    const [r0, r1, r2] = sealAll(keyA, [randomBytes(10), randomBytes(20), randomBytes(30)]) as [Buffer, Buffer, Buffer];
    const cases: [string, Buffer[], number][] = [
      ['reordered', [r0, r2, r1], 1],
      ['replayed', [r0, r1, r1], 2],
      ['dropped', [r0, r2], 1],
    ];
    for (const [what, stream, delivered] of cases) {
      const { got, error } = openStream(keyA, Buffer.concat(stream));
      assert.ok(error instanceof RecordIntegrityFailure, what);
      assert.equal(got.length, delivered, what);
    }
    // Reflection: the other direction's key (what this side itself sent, echoed back).
    const { got, error } = openStream(keyB, Buffer.concat([r0]));
    assert.ok(error instanceof RecordIntegrityFailure);
    assert.equal(got.length, 0);
  });

  it('refuses an over-long length before reading (or allocating for) the body, and anything after a failure', () => {
    const header = Buffer.alloc(4);
    header.writeUInt32BE(MAX_RECORD_PLAINTEXT + 1, 0);
    const opener = new RecordOpener(keyA, () => assert.fail('nothing may be delivered'), nodeOnly);
    assert.throws(() => opener.push(header), (err: Error) => err instanceof RecordIntegrityFailure && /exceeds/.test(err.message));
    assert.throws(() => opener.push(sealAll(keyA, [randomBytes(5)])[0]!), RecordIntegrityFailure);
    const sealer = new RecordSealer(keyA, nodeOnly);
    assert.throws(() => sealer.seal(new Uint8Array(MAX_RECORD_PLAINTEXT + 1)), RangeError);
  });

  it('holds a record that is cut short (truncation): nothing is released without its tag', () => {
    const [r0] = sealAll(keyA, [randomBytes(1000)]);
    const { got, error } = openStream(keyA, r0!.subarray(0, r0!.length - 1));
    assert.equal(error, undefined);
    assert.equal(got.length, 0);
  });
});

describe('bulk channel records: the native shim and node:crypto agree', () => {
  it('seal byte-identical records, and each opens the other\'s', (t) => {
    if (bulkAeadPath() !== 'native') return t.skip('native/aead-gcm.c not built here');
    const plains = [0, 1, 31, 4096, 524_504, MAX_RECORD_PLAINTEXT].map((n) => randomBytes(n));
    const native = new RecordSealer(keyA);
    const node = new RecordSealer(keyA, true);
    const a = plains.map((p) => Buffer.concat(native.seal(p)));
    const b = plains.map((p) => Buffer.concat(node.seal(p)));
    a.forEach((r, i) => assert.ok(r.equals(b[i]!), `record ${i}`));
    // Sealed in place in a record buffer (how the bulk channel seals the frames it lends out).
    const inPlace = new RecordSealer(keyA);
    plains.forEach((p, i) => {
      const rec = Buffer.alloc(p.length + 20);
      rec.set(p, 4);
      assert.ok(inPlace.sealInPlace(rec, p.length).equals(b[i]!), `in place ${i}`);
    });
    for (const [records, nodeOpens] of [[a, true], [b, false]] as const) {
      const got: Buffer[] = [];
      const opener = new RecordOpener(keyA, (p) => got.push(Buffer.from(p)), nodeOpens);
      opener.push(Buffer.concat(records));
      got.forEach((g, i) => assert.ok(g.equals(plains[i]!)));
      assert.equal(got.length, plains.length);
    }
  });
});
