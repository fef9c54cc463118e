/**
 * RFC 9591 Appendix E.5 (FROST(secp256k1, SHA-256)) vectors, read from
 * test/vectors/rfc9591/: nonce derivation from the given randomness, binding factors (via the
 * signature shares that depend on them), signature shares, the aggregate signature, and the
 * Feldman/Lagrange arithmetic of src/keys against the RFC's dealer polynomial. Negative
 * cases: a flipped bit in z or R, a wrong key and a wrong message do not verify, and a
 * tampered share is named by aggregation.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import test from 'node:test';
import { evaluate, evaluateCommitment, lagrangeAtZero } from '../../src/keys/feldman.js';
import { aggregateChecked, nonceGenerate, signShare, signingPackageOf, verifySignature } from '../../src/keys/signing.js';
import { EC_BACKEND, EC_BACKENDS, InvalidPointError, baseMsm, baseMul, combine, firstInvalidPoint, msm } from '../../src/keys/ec.js';
import { MisbehavingMemberError } from '../../src/keys/errors.js';
import { FROST, Fn, Point, fromHex, identifierOf, identifierScalar, toHex, pointToHex, scalarToHex, randomScalar, hashToScalar, nobleHashToScalar } from '../../src/keys/suite.js';
import type { GroupKeyInfo } from '../../src/keys/group-key.js';
import { toFrostPublic } from '../../src/keys/group-key.js';

interface Vectors {
  config: { MIN_PARTICIPANTS: number; MAX_PARTICIPANTS: number };
  inputs: { group_secret_key: string; group_public_key: string; message: string; share_polynomial_coefficients: string[]; participant_shares: { identifier: number; participant_share: string }[] };
  round_one_outputs: { identifier: number; hiding_nonce_randomness: string; binding_nonce_randomness: string; hiding_nonce: string; binding_nonce: string; hiding_nonce_commitment: string; binding_nonce_commitment: string }[];
  round_two_outputs: { identifier: number; sig_share: string }[];
  final_output: { sig: string };
}

const v = JSON.parse(readFileSync(new URL('../../../test/vectors/rfc9591/frost-secp256k1-sha256.json', import.meta.url), 'utf8')) as Vectors;
const big = (h: string) => BigInt('0x' + h);

function infoOf(): GroupKeyInfo {
  const coeffs = [big(v.inputs.group_secret_key), ...v.inputs.share_polynomial_coefficients.map(big)];
  return {
    keyId: '00'.repeat(32),
    groupKey: v.inputs.group_public_key,
    epoch: 0,
    threshold: v.config.MIN_PARTICIPANTS,
    members: v.inputs.participant_shares.map((s) => ({ name: `p${s.identifier}`, identifier: identifierOf(s.identifier), verifyingShare: pointToHex(Point.BASE.multiply(big(s.participant_share))) })),
    commitments: coeffs.map((a) => pointToHex(Point.BASE.multiply(a))),
  };
}

test('RFC 9591 E.5: the dealer polynomial gives the listed shares; Lagrange at 0 recovers the group secret', () => {
  const coeffs = [big(v.inputs.group_secret_key), ...v.inputs.share_polynomial_coefficients.map(big)];
  const commitments = coeffs.map((a) => Point.BASE.multiply(a));
  assert.equal(pointToHex(commitments[0]!), v.inputs.group_public_key);
  for (const s of v.inputs.participant_shares) {
    assert.equal(evaluate(coeffs, BigInt(s.identifier)), big(s.participant_share));
    assert.ok(evaluateCommitment(commitments, BigInt(s.identifier)).equals(Point.BASE.multiply(big(s.participant_share))));
  }
  const xs = [1n, 3n];
  const secret = xs.reduce((acc, x) => Fn.add(acc, Fn.mul(lagrangeAtZero(xs, x), big(v.inputs.participant_shares.find((s) => BigInt(s.identifier) === x)!.participant_share))), 0n);
  assert.equal(secret, big(v.inputs.group_secret_key));
});

test('RFC 9591 E.5: nonces, commitments, signature shares and the signature (noble and src/keys)', () => {
  const info = infoOf();
  const pub = toFrostPublic(info);
  const msg = fromHex(v.inputs.message);
  const gens = v.round_one_outputs.map((r) => {
    const share = v.inputs.participant_shares.find((s) => s.identifier === r.identifier)!;
    const secret = { identifier: identifierOf(r.identifier), signingShare: fromHex(share.participant_share) };
    const rnd = [fromHex(r.hiding_nonce_randomness), fromHex(r.binding_nonce_randomness)];
    let k = 0;
    const g = FROST.commit(secret, () => rnd[k++]!);
    assert.equal(toHex(g.nonces.hiding), r.hiding_nonce);
    assert.equal(toHex(g.nonces.binding), r.binding_nonce);
    assert.equal(toHex(g.commitments.hiding), r.hiding_nonce_commitment);
    assert.equal(toHex(g.commitments.binding), r.binding_nonce_commitment);
    // src/keys' own nonce_generate (§4.1) and OpenSSL's k·G give the same nonces and commitments.
    const d = nonceGenerate(secret.signingShare, rnd[0]!);
    const e = nonceGenerate(secret.signingShare, rnd[1]!);
    assert.equal(scalarToHex(d), r.hiding_nonce);
    assert.equal(scalarToHex(e), r.binding_nonce);
    assert.equal(pointToHex(baseMul(d)), r.hiding_nonce_commitment);
    assert.equal(pointToHex(baseMul(e)), r.binding_nonce_commitment);
    return { id: r.identifier, secret, g };
  });
  const list = gens.map((x) => x.g.commitments);
  const shares = new Map<string, string>();
  for (const x of gens) {
    const z = toHex(FROST.signShare(x.secret, pub, x.g.nonces, list, msg));
    assert.equal(z, v.round_two_outputs.find((o) => o.identifier === x.id)!.sig_share);
    shares.set(`p${x.id}`, z);
  }
  assert.equal(toHex(FROST.aggregate(pub, list, msg, Object.fromEntries(gens.map((x) => [identifierOf(x.id), fromHex(shares.get(`p${x.id}`)!)])))), v.final_output.sig);

  // src/keys' own arithmetic (frost-core.ts) reproduces the same shares and signature.
  const pkg = signingPackageOf(info, new Map(v.round_one_outputs.map((r) => [`p${r.identifier}`, [r.hiding_nonce_commitment, r.binding_nonce_commitment] as [string, string]])), msg, 'test');
  for (const r of v.round_one_outputs) {
    const s = v.inputs.participant_shares.find((x) => x.identifier === r.identifier)!.participant_share;
    assert.equal(signShare(pkg, info, `p${r.identifier}`, big(s), [r.hiding_nonce, r.binding_nonce]), shares.get(`p${r.identifier}`));
  }
  const sig = aggregateChecked(pkg, info, shares, 'test');
  assert.equal(toHex(sig), v.final_output.sig);
  assert.ok(verifySignature(sig, msg, fromHex(v.inputs.group_public_key)));

  // Negative vectors.
  const flipZ = sig.slice();
  flipZ[64]! ^= 1;
  assert.equal(verifySignature(flipZ, msg, fromHex(v.inputs.group_public_key)), false);
  const flipR = sig.slice();
  flipR[10]! ^= 1;
  assert.equal(verifySignature(flipR, msg, fromHex(v.inputs.group_public_key)), false);
  assert.equal(verifySignature(sig, fromHex('74657375'), fromHex(v.inputs.group_public_key)), false);
  assert.equal(verifySignature(sig, msg, Point.BASE.multiply(5n).toBytes(true)), false);

  const bad = new Map(shares);
  bad.set('p3', toHex(Fn.toBytes(Fn.add(big(shares.get('p3')!), 1n))));
  assert.throws(() => aggregateChecked(pkg, info, bad, 'test'), (e: unknown) => e instanceof MisbehavingMemberError && e.culprits.join() === 'p3');
  assert.equal(identifierScalar(identifierOf(3)), 3n);
});

test('ec.ts against noble: OpenSSL k·G and the GLV multi-scalar multiplication give noble\'s points', () => {
  for (const k of [1n, 2n, 7n, Fn.ORDER - 1n, randomScalar(), randomScalar()]) assert.ok(baseMul(k).equals(Point.BASE.multiply(k)));
  assert.ok(baseMul(0n).is0());
  const points = Array.from({ length: 9 }, () => Point.BASE.multiply(randomScalar()));
  const scalars = points.map((_, i) => (i === 3 ? 0n : i === 4 ? 1n : i === 5 ? Fn.ORDER - 1n : randomScalar()));
  const naive = points.reduce((acc, p, i) => acc.add(p.multiplyUnsafe(scalars[i]!)), Point.ZERO);
  assert.ok(msm(points, scalars).equals(naive));
  const a = randomScalar();
  assert.ok(baseMsm(a, points, scalars).equals(naive.add(Point.BASE.multiply(a))));
  assert.ok(msm([points[0]!, points[0]!.negate()], [5n, 5n]).is0());
});

test('hashToScalar (node:crypto SHA-256) equals noble\'s RFC 9380 hash_to_field for every domain the suite uses', () => {
  for (const dst of ['rho', 'chal', 'nonce', 'dkg-pok']) {
    for (const len of [0, 1, 31, 32, 33, 64, 65, 200]) {
      const parts = [randomBytes(len), randomBytes(7)];
      assert.equal(hashToScalar(dst, ...parts), nobleHashToScalar(dst, ...parts));
    }
  }
});

test('ec.ts combine: every backend this process has (libsecp256k1 built here, its prebuilt binding, OpenSSL, noble) gives the same sums, identity and refusals', () => {
  assert.ok(EC_BACKENDS.includes(EC_BACKEND) && EC_BACKENDS.at(-1) === 'noble');
  const points = Array.from({ length: 7 }, () => Point.BASE.multiply(randomScalar()));
  const scalars = points.map((_, i) => (i === 2 ? 0n : i === 3 ? 1n : i === 4 ? Fn.ORDER - 1n : randomScalar()));
  const enc = points.map((p) => p.toBytes(true));
  const naive = points.reduce((acc, p, i) => acc.add(p.multiplyUnsafe(scalars[i]!)), Point.ZERO);
  const a = randomScalar();
  const offCurve = Uint8Array.from(enc[1]!);
  let x = 5n; // an x with no curve point: x³ + 7 is not a square
  const isSquare = (v: bigint) => Point.Fp.pow(v, (Point.Fp.ORDER - 1n) / 2n) !== Point.Fp.ORDER - 1n;
  while (isSquare(Point.Fp.add(Point.Fp.mul(Point.Fp.sqr(x), x), 7n))) x++;
  offCurve.set(Point.Fp.toBytes(x), 1);
  for (const b of EC_BACKENDS) {
    assert.equal(toHex(combine(null, enc, scalars, b)!), toHex(naive.toBytes(true)), b);
    assert.equal(toHex(combine(a, enc, scalars, b)!), toHex(naive.add(Point.BASE.multiply(a)).toBytes(true)), b);
    assert.equal(combine(null, [enc[0]!, points[0]!.negate().toBytes(true)], [5n, 5n], b), null, b);
    assert.equal(combine(a, [enc[0]!, points[0]!.negate().toBytes(true)], [1n, 1n], b) && toHex(combine(a, [enc[0]!, points[0]!.negate().toBytes(true)], [1n, 1n], b)!), toHex(Point.BASE.multiply(a).toBytes(true)), b);
    for (const k of [1n, 2n, 0n]) assert.throws(() => combine(null, [enc[0]!, offCurve], [3n, k], b), (e: unknown) => e instanceof InvalidPointError && e.index === 1, `${b}, scalar ${k}`);
    assert.equal(firstInvalidPoint([enc[0]!, enc[1]!, offCurve], b), 2, b);
    assert.equal(firstInvalidPoint(enc, b), -1, b);
    // A FROST group commitment's shape: 14 terms with scalar 1 (D_i) and 14 with random scalars (ρ_i·E_i).
    const ds = Array.from({ length: 14 }, () => Point.BASE.multiply(randomScalar()));
    const es = Array.from({ length: 14 }, () => Point.BASE.multiply(randomScalar()));
    const rho = es.map(() => randomScalar());
    const r = ds.reduce((acc, d, i) => acc.add(d).add(es[i]!.multiply(rho[i]!)), Point.ZERO);
    assert.equal(toHex(combine(null, [...ds, ...es].map((p) => p.toBytes(true)), [...ds.map(() => 1n), ...rho], b)!), toHex(r.toBytes(true)), b);
    assert.equal(combine(null, [enc[0]!, points[0]!.negate().toBytes(true)], [1n, 1n], b), null, b);
    assert.equal(toHex(combine(null, [enc[0]!], [1n], b)!), toHex(enc[0]!), b);
    assert.equal(combine(null, [enc[0]!], [Fn.ORDER], b), null, b); // n ≡ 0: no term
  }
});
