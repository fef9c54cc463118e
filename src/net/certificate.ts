/**
 * A minimal DER writer for self-signed X.509 v3 certificates (RFC 5280 §4.1).
 *
 * Tacit's TLS does not use certificate chains: each party pins its peers' public keys
 * (SPKI fingerprints), so a certificate is only the envelope TLS 1.3 (RFC 8446 §4.4.2)
 * needs to carry a key. Writing those few fields by hand keeps this out of a generic ASN.1
 * library (@peculiar/x509 needs a Reflect-metadata polyfill that is not installed, and its
 * async WebCrypto path is slower); OpenSSL parses and verifies the result (see the tests).
 */
import { randomBytes, sign, type KeyObject } from 'node:crypto';

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let x = n; x > 0; x = Math.floor(x / 256)) bytes.unshift(x & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, ...parts: Uint8Array[]): Buffer {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

const sequence = (...parts: Uint8Array[]): Buffer => tlv(0x30, ...parts);

function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const out = [40 * arcs[0]! + arcs[1]!];
  for (const arc of arcs.slice(2)) {
    const groups = [arc & 0x7f];
    for (let x = arc >>> 7; x > 0; x >>>= 7) groups.unshift(0x80 | (x & 0x7f));
    out.push(...groups);
  }
  return tlv(0x06, Buffer.from(out));
}

/** UTCTime through 2049, GeneralizedTime after (RFC 5280 §4.1.2.5). */
function time(d: Date): Buffer {
  const p = (n: number) => String(n).padStart(2, '0');
  const rest = `${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  const y = d.getUTCFullYear();
  return y < 2050 ? tlv(0x17, Buffer.from(`${p(y % 100)}${rest}`)) : tlv(0x18, Buffer.from(`${y}${rest}`));
}

const OID_ED25519 = '1.3.101.112';
const OID_ECDSA_SHA256 = '1.2.840.10045.4.3.2';

export interface SelfSignedOptions {
  commonName: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  notBefore: Date;
  notAfter: Date;
}

/** Returns the DER bytes of a self-signed certificate for an Ed25519 or ECDSA P-256 key. */
export function selfSignedCertificateDer(o: SelfSignedOptions): Buffer {
  const type = o.privateKey.asymmetricKeyType;
  if (type !== 'ed25519' && type !== 'ec') throw new TypeError(`unsupported key type ${type}`);
  const algorithm = sequence(oid(type === 'ed25519' ? OID_ED25519 : OID_ECDSA_SHA256));
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x40; // positive, no leading zero byte
  const name = sequence(tlv(0x31, sequence(oid('2.5.4.3'), tlv(0x0c, Buffer.from(o.commonName, 'utf8')))));
  const extensions = tlv(0xa3, sequence(
    // basicConstraints: critical, cA = FALSE (empty sequence)
    sequence(oid('2.5.29.19'), tlv(0x01, Buffer.from([0xff])), tlv(0x04, sequence())),
    // keyUsage: critical, digitalSignature
    sequence(oid('2.5.29.15'), tlv(0x01, Buffer.from([0xff])), tlv(0x04, tlv(0x03, Buffer.from([0x07, 0x80])))),
  ));
  const tbs = sequence(
    tlv(0xa0, tlv(0x02, Buffer.from([2]))), // version v3
    tlv(0x02, serial),
    algorithm,
    name,
    sequence(time(o.notBefore), time(o.notAfter)),
    name,
    o.publicKey.export({ type: 'spki', format: 'der' }),
    extensions,
  );
  const signature = sign(type === 'ed25519' ? null : 'sha256', tbs, o.privateKey);
  return sequence(tbs, algorithm, tlv(0x03, Buffer.from([0]), signature));
}

export function derToPem(der: Uint8Array, label = 'CERTIFICATE'): string {
  const b64 = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}
