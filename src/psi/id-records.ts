/**
 * How the PSI's receivers hand ids to each other (psi.result): records of a u32
 * little-endian byte length and the id's UTF-8 bytes — so ids may hold any character,
 * separators included — decoded strictly (a malformed batch names the peer that sent it).
 */
import { PsiMalformedMessageError } from './errors.js';

const utf8 = new TextEncoder();
// ignoreBOM: a leading U+FEFF is part of the id, not a byte-order mark to strip.
const utf8Strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** ids[start, end) as (u32 little-endian byte length, UTF-8 bytes) records. */
export function encodeIds(ids: readonly string[], start: number, end: number): Uint8Array {
  const parts = ids.slice(start, end).map((s) => utf8.encode(s));
  const out = new Uint8Array(parts.reduce((s, p) => s + 4 + p.length, 0));
  const dv = new DataView(out.buffer);
  let at = 0;
  for (const p of parts) {
    dv.setUint32(at, p.length, true);
    out.set(p, at + 4);
    at += 4 + p.length;
  }
  return out;
}

/** `count` records back into ids, refusing a batch that is short, overruns, carries trailing bytes or is not UTF-8 (naming `peer`). */
export function decodeIds(msg: Uint8Array, count: number, peer: string): string[] {
  const bad = (what: string) => new PsiMalformedMessageError(peer, 'psi.result', what);
  const dv = new DataView(msg.buffer, msg.byteOffset, msg.length);
  const out: string[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + 4 > msg.length) throw bad(`the batch ends after ${i} of ${count} ids`);
    const len = dv.getUint32(at, true);
    if (at + 4 + len > msg.length) throw bad(`id ${i} of the batch overruns the message`);
    try {
      out.push(utf8Strict.decode(msg.subarray(at + 4, at + 4 + len)));
    } catch {
      throw bad(`id ${i} of the batch is not valid UTF-8`);
    }
    at += 4 + len;
  }
  if (at !== msg.length) throw bad(`${msg.length - at} bytes after the last id of the batch`);
  return out;
}
