/**
 * A true copy of (part of) a received message in its own ArrayBuffer. Received messages may
 * be Node Buffers, whose `slice()` returns a view that shares memory — and whose `.buffer`
 * is then the whole underlying ArrayBuffer — so `msg.slice(16).buffer` silently points at
 * byte 0. Reinterpret received bytes as other typed arrays only through this.
 */
export function ownBytes(b: Uint8Array, start = 0, end = b.length): Uint8Array {
  const out = new Uint8Array(end - start);
  out.set(b.subarray(start, end));
  return out;
}
