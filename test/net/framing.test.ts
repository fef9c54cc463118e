import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  encodeContHeader, encodeControl, encodeDataHeader, encodeLabel, encodeSmallMessage, FRAME_MAGIC,
  FrameDecoder, FrameFormatError, MAX_FRAME_PAYLOAD, MAX_HEADER_BYTES, writeFrameHeader, type ControlType,
} from '../../src/net/framing.js';

type Event = { message: string; data: Uint8Array } | { control: ControlType; payload: string };

function decoder(max?: number) {
  const events: Event[] = [];
  const d = new FrameDecoder({
    message: (message, data) => events.push({ message, data }),
    control: (control, payload) => events.push({ control, payload: payload.toString() }),
  }, max);
  return { d, events };
}

/** A message split into frames of `frame` payload bytes, as the sender writes it. */
function frames(step: string, data: Uint8Array, frame: number): Buffer {
  if (data.length <= frame) return encodeSmallMessage(encodeLabel(step), data);
  const parts: Uint8Array[] = [encodeDataHeader(encodeLabel(step), data.length, frame), data.subarray(0, frame)];
  for (let off = frame; off < data.length; off += frame) {
    const n = Math.min(frame, data.length - off);
    parts.push(encodeContHeader(n), data.subarray(off, off + n));
  }
  return Buffer.concat(parts);
}

const payload = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) & 255);

describe('framing', () => {
  it('writes DATA and CONT headers in place (the sender\'s reusable frame buffers) exactly as the encoders do', () => {
    const label = encodeLabel('step-λ');
    const buf = Buffer.alloc(MAX_HEADER_BYTES + 8);
    const n = writeFrameHeader(buf, label, 2 ** 33 + 5, 3);
    assert.deepEqual(buf.subarray(0, n), encodeDataHeader(label, 2 ** 33 + 5, 3));
    const m = writeFrameHeader(buf, undefined, 0, 4);
    assert.deepEqual(buf.subarray(0, m), encodeContHeader(4));
    // A message written as header + payload in one buffer per frame decodes to the same bytes.
    const data = payload(10);
    const stream: Buffer[] = [];
    for (let off = 0; off < 10; off += 4) {
      const f = Buffer.alloc(MAX_HEADER_BYTES + 4);
      const h = writeFrameHeader(f, off === 0 ? label : undefined, 10, Math.min(4, 10 - off));
      f.set(data.subarray(off, off + 4), h);
      stream.push(f.subarray(0, h + Math.min(4, 10 - off)));
    }
    const { d, events } = decoder();
    d.push(Buffer.concat(stream));
    assert.deepEqual([...(events[0] as { data: Uint8Array }).data], [...data]);
  });

  it('decodes into the destination the sink admits, and refuses a truncated stream only when more comes', () => {
    const dest = new Uint8Array(10);
    const got: Uint8Array[] = [];
    const d = new FrameDecoder({ admit: () => dest, message: (_s, data) => got.push(data), control() {} });
    const whole = frames('s', payload(10), 3);
    d.push(whole.subarray(0, whole.length - 1));
    assert.equal(got.length, 0); // incomplete: nothing delivered (the connection's close reports it)
    d.push(whole.subarray(whole.length - 1));
    assert.equal(got[0]!.buffer, dest.buffer);
    assert.deepEqual([...dest], [...payload(10)]);
  });

  it('reassembles messages from chunks of any size, byte by byte included', () => {
    const stream = Buffer.concat([
      frames('a', payload(10), 4),
      frames('β-step', payload(0), 4),
      encodeControl('CLOSE'),
    ]);
    for (const chunk of [1, 2, 3, 7, 16, stream.length]) {
      const { d, events } = decoder();
      for (let i = 0; i < stream.length; i += chunk) d.push(stream.subarray(i, i + chunk));
      assert.equal(events.length, 3);
      const [m1, m2, c] = events as [{ message: string; data: Uint8Array }, { message: string; data: Uint8Array }, { control: string }];
      assert.equal(m1.message, 'a');
      assert.deepEqual([...m1.data], [...payload(10)]);
      assert.equal(m2.message, 'β-step');
      assert.equal(m2.data.length, 0);
      assert.equal(c.control, 'CLOSE');
    }
  });

  it('gives every message its own 8-byte aligned buffer', () => {
    const { d, events } = decoder();
    d.push(Buffer.concat([frames('x', payload(13), 5), frames('y', payload(24), 100)]));
    for (const e of events as { data: Uint8Array }[]) {
      assert.equal(e.data.byteOffset, 0);
      assert.equal(e.data.buffer.byteLength, e.data.length);
    }
    const y = (events[1] as { data: Uint8Array }).data;
    assert.equal(new BigUint64Array(y.buffer, y.byteOffset, 3).length, 3);
  });

  it('accepts an ABORT between the frames of a message and drops the partial message', () => {
    const { d, events } = decoder();
    const msg = frames('big', payload(20), 8);
    const firstFrame = msg.subarray(0, 8 + 8 + 3 + 8);
    d.push(Buffer.concat([firstFrame, encodeControl('ABORT', Buffer.from('{"reason":"x"}'))]));
    assert.deepEqual(events, [{ control: 'ABORT', payload: '{"reason":"x"}' }]);
  });

  const bad: [string, () => Buffer, RegExp][] = [
    ['bad magic', () => Buffer.from([FRAME_MAGIC ^ 1, 1, 1, 0, 0, 0, 0, 0]), /magic/],
    ['unknown type', () => Buffer.from([FRAME_MAGIC, 9, 0, 0, 0, 0, 0, 0]), /unknown frame type 9/],
    ['reserved byte', () => Buffer.from([FRAME_MAGIC, 5, 0, 1, 0, 0, 0, 0]), /reserved/],
    ['oversized frame', () => { const b = encodeContHeader(1); b.writeUInt32BE(MAX_FRAME_PAYLOAD + 1, 4); return Buffer.concat([encodeDataHeader(encodeLabel('s'), 100, 4), Buffer.alloc(4), b]); }, /frame limit/],
    ['message over the limit', () => encodeDataHeader(encodeLabel('s'), 1001, 10), /exceeds the 1000-byte limit/],
    ['label too long', () => { const b = encodeDataHeader(encodeLabel('s'), 1, 1); b[2] = 250; return b; }, /label/],
    ['empty label', () => { const b = encodeDataHeader(encodeLabel('s'), 1, 1); b[2] = 0; return b; }, /label/],
    ['continuation without message', () => encodeContHeader(5), /continuation frame without a message/],
    ['continuation past the declared size', () => Buffer.concat([encodeDataHeader(encodeLabel('s'), 6, 4), Buffer.alloc(4), encodeContHeader(3)]), /does not fit/],
    ['first frame larger than the message', () => encodeDataHeader(encodeLabel('s'), 4, 8), /does not fit/],
    ['new message inside a message', () => Buffer.concat([encodeDataHeader(encodeLabel('s'), 8, 4), Buffer.alloc(4), encodeDataHeader(encodeLabel('t'), 1, 1)]), /before the previous one/],
    ['HELLO inside a message', () => Buffer.concat([encodeDataHeader(encodeLabel('s'), 8, 4), Buffer.alloc(4), encodeControl('HELLO', Buffer.from('{}'))]), /control frame inside a message/],
    ['oversized control frame', () => { const b = encodeControl('HELLO'); b.writeUInt32BE(5000, 4); return b; }, /control frame of 5000 bytes/],
    ['frame after CLOSE', () => Buffer.concat([encodeControl('CLOSE'), encodeControl('CLOSE')]), /after CLOSE/],
  ];
  for (const [name, make, re] of bad) {
    it(`refuses ${name} and stops`, () => {
      const { d, events } = decoder(1000);
      assert.throws(() => d.push(make()), (err: Error) => err instanceof FrameFormatError && re.test(err.message));
      d.push(frames('later', payload(3), 10)); // ignored after the error
      assert.equal(events.filter((e) => 'message' in e).length, 0);
    });
  }

  it('reads the u64 total length (a 4 GiB − 1 declaration is within the default limit)', () => {
    const { d } = decoder();
    const h = encodeDataHeader(encodeLabel('s'), 2 ** 32 - 1, 1);
    assert.equal(h.readUInt32BE(8), 0);
    assert.equal(h.readUInt32BE(12), 2 ** 32 - 1);
    const over = encodeDataHeader(encodeLabel('s'), 2 ** 32, 1);
    assert.equal(over.readUInt32BE(8), 1);
    assert.throws(() => d.push(over), /exceeds/);
  });
});
