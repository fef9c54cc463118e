/**
 * The ceremonies in one process over the in-memory network (fast unit tests; the same code
 * over TLS between processes is tested in keys-processes.test.ts). Checks against an
 * independent reference: the group secret interpolated from the members' decrypted shares
 * (test-only: nothing in src/keys ever does this) times G equals the group key; signatures
 * verify with noble's plain Schnorr verify; refresh and reshare keep the group key and an
 * old share no longer interpolates with new ones; each cheat is named.
 */
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { createMemoryNetworks } from '../../src/net/index.js';
import { Channel } from '../../src/keys/channel.js';
import { runDkg } from '../../src/keys/dkg.js';
import { runRefresh } from '../../src/keys/refresh.js';
import { runReshare } from '../../src/keys/reshare.js';
import { runSign, nextNonceIndex } from '../../src/keys/sign-session.js';
import { MisbehavingMemberError, SilentMemberError } from '../../src/keys/errors.js';
import { lagrangeAtZero } from '../../src/keys/feldman.js';
import { consumeNonce, readShareFile, unlockShare, writeShareFile } from '../../src/keys/share-store.js';
import { FROST, Fn, Point, fromHex, identifierScalar, pointToHex } from '../../src/keys/suite.js';
import type { GroupKeyInfo } from '../../src/keys/group-key.js';

const root = mkdtempSync(join(tmpdir(), 'tacit-keys-'));
test.after(() => rmSync(root, { recursive: true, force: true }));
const PASS = 'test-pass';
const dirOf = (name: string) => join(root, name);
const store = (name: string) => ({ dir: dirOf(name), passphrase: PASS, scryptN: 1024 });

async function session<T>(names: string[], fn: (ch: Channel, name: string) => Promise<T>, timeoutMs = 5000): Promise<PromiseSettledResult<T>[]> {
  const nets = createMemoryNetworks(names);
  return Promise.allSettled(
    nets.map(async (net) => {
      const ch = new Channel(net, timeoutMs);
      try {
        const r = await fn(ch, net.self);
        await net.close();
        return r;
      } catch (err) {
        await net.abort(err as Error);
        throw err;
      }
    }),
  );
}

const values = <T>(rs: PromiseSettledResult<T>[]): T[] =>
  rs.map((r) => {
    if (r.status === 'rejected') throw r.reason;
    return r.value;
  });

async function secretOf(info: GroupKeyInfo, holders: string[]): Promise<bigint> {
  const pts = await Promise.all(holders.map(async (h) => ({ x: identifierScalar(info.members.find((m) => m.name === h)!.identifier), s: Fn.fromBytes((await unlockShare(dirOf(h), info.keyId, PASS)).share) })));
  return pts.reduce((acc, p) => Fn.add(acc, Fn.mul(lagrangeAtZero(pts.map((q) => q.x), p.x), p.s)), 0n);
}

async function sign(info: GroupKeyInfo, signers: string[], msg: string, preprocessed: boolean) {
  const nonceIndex = preprocessed ? Object.fromEntries(signers.map((s) => [s, nextNonceIndex(readShareFile(dirOf(s), info.keyId).nonces)!])) : undefined;
  return values(await session(signers, (ch) => runSign({ keyId: info.keyId, message: msg, signers, nonceIndex }, { channel: ch, dir: dirOf(ch.self), passphrase: PASS })));
}

test('DKG 3-of-5, signing, refresh, reshare to 2-of-3 with a newcomer', async () => {
  const members = ['a', 'b', 'c', 'd', 'e'];
  const infos = values(await session(members, (ch) => runDkg({ members, threshold: 3 }, { channel: ch, sessionId: 's1', store: store(ch.self) })));
  const info = infos[0]!;
  for (const i of infos) assert.deepEqual(i, info);
  const secret = await secretOf(info, ['a', 'c', 'e']);
  assert.equal(pointToHex(Point.BASE.multiply(secret)), info.groupKey);
  assert.equal(await secretOf(info, ['b', 'd', 'e']), secret);

  const msg = Buffer.from('pay 10 to carol').toString('hex');
  for (const pre of [true, false, true]) {
    const outs = await sign(info, ['b', 'c', 'e'], msg, pre);
    assert.ok(FROST.verify(fromHex(outs[0]!.signature), fromHex(msg), fromHex(info.groupKey)));
    assert.ok(outs.every((o) => o.signature === outs[0]!.signature));
  }

  // Refresh: same key, new shares; an old share does not combine with new ones.
  const oldShareA = Fn.fromBytes((await unlockShare(dirOf('a'), info.keyId, PASS)).share);
  const refreshed = values(await session(members, (ch) => runRefresh({ keyId: info.keyId, epoch: 0 }, { channel: ch, sessionId: 's2', store: store(ch.self) })))[0]!;
  assert.equal(refreshed.groupKey, info.groupKey);
  assert.equal(refreshed.epoch, 1);
  assert.equal(await secretOf(refreshed, ['a', 'b', 'c']), secret);
  const newShareA = Fn.fromBytes((await unlockShare(dirOf('a'), info.keyId, PASS)).share);
  assert.notEqual(newShareA, oldShareA);
  const xs = [1n, 2n, 3n];
  const sB = Fn.fromBytes((await unlockShare(dirOf('b'), info.keyId, PASS)).share);
  const sC = Fn.fromBytes((await unlockShare(dirOf('c'), info.keyId, PASS)).share);
  const mixed = Fn.add(Fn.add(Fn.mul(lagrangeAtZero(xs, 1n), oldShareA), Fn.mul(lagrangeAtZero(xs, 2n), sB)), Fn.mul(lagrangeAtZero(xs, 3n), sC));
  assert.notEqual(mixed, secret);
  const after = await sign(refreshed, ['a', 'd', 'e'], msg, true);
  assert.ok(FROST.verify(fromHex(after[0]!.signature), fromHex(msg), fromHex(info.groupKey)));

  // Reshare 3-of-5 → 2-of-3: a, b, c deal; new members c, d, f (f is new; a, b, e leave).
  const newMembers = ['c', 'd', 'f'];
  const parties = ['a', 'b', 'c', 'd', 'f'];
  const reshared = values(await session(parties, (ch) => runReshare({ previous: refreshed, dealers: ['a', 'b', 'c'], members: newMembers, threshold: 2 }, { channel: ch, sessionId: 's3', store: store(ch.self) })))[0]!;
  assert.equal(reshared.groupKey, info.groupKey);
  assert.equal(reshared.threshold, 2);
  assert.deepEqual(reshared.members.map((m) => m.name), newMembers);
  assert.equal(await secretOf(reshared, ['c', 'f']), secret);
  assert.equal(await secretOf(reshared, ['d', 'f']), secret);
  await assert.rejects(unlockShare(dirOf('a'), info.keyId, PASS), /no share/); // deleted after every holder confirmed
  const signed = await sign(reshared, ['d', 'f'], msg, true);
  assert.ok(FROST.verify(fromHex(signed[0]!.signature), fromHex(msg), fromHex(info.groupKey)));
});

test('cheaters are named: bad DKG share, equivocation, bad nonce commitment, bad signature share; silence', async () => {
  const members = ['p1', 'p2', 'p3'];
  const dkgWith = async (tamperBy: string, tamper: { dealShareTo?: string; honestReveal?: boolean; equivocateTo?: string }): Promise<PromiseSettledResult<unknown>[]> =>
    session(members, (ch) => runDkg({ members, threshold: 2 }, { channel: ch, sessionId: 'x' + tamperBy, store: store('cheat-' + ch.self) }, ch.self === tamperBy ? tamper : undefined));
  const isCulprit = (name: string) => (r: PromiseSettledResult<unknown>) => r.status === 'rejected' && (r.reason instanceof MisbehavingMemberError ? r.reason.culprits.includes(name) : String(r.reason?.message).includes(`${name} misbehaved`));

  let rs = await dkgWith('p2', { dealShareTo: 'p3', honestReveal: true });
  // p2 sent p3 a bad share but, when accused, reveals the true one: the complaint is settled and the DKG completes.
  assert.ok(rs.every((r) => r.status === 'fulfilled'));
  // p2 stands by its bad share: the reveal fails the Feldman check at every member and p2 is named.
  rs = await dkgWith('p2', { dealShareTo: 'p3' });
  assert.ok(rs.every(isCulprit('p2')), JSON.stringify(rs.map((r) => r.status === 'rejected' && String(r.reason))));
  rs = await dkgWith('p1', { equivocateTo: 'p2' });
  assert.ok(rs.every(isCulprit('p1')), JSON.stringify(rs.map((r) => r.status === 'rejected' && String(r.reason))));

  const infos = values(await session(members, (ch) => runDkg({ members, threshold: 2 }, { channel: ch, sessionId: 'y', store: store(ch.self) })));
  const info = infos[0]!;
  const msg = 'abcd';
  rs = await session(members, (ch) => runSign({ keyId: info.keyId, message: msg, signers: members }, { channel: ch, dir: dirOf(ch.self), passphrase: PASS, tamper: ch.self === 'p3' ? { badCommitment: true } : undefined }));
  assert.ok(rs.every(isCulprit('p3')), JSON.stringify(rs.map((r) => r.status === 'rejected' && String(r.reason))));
  rs = await session(members, (ch) => runSign({ keyId: info.keyId, message: msg, signers: members }, { channel: ch, dir: dirOf(ch.self), passphrase: PASS, tamper: ch.self === 'p2' ? { badShare: true } : undefined }));
  assert.ok(rs.every(isCulprit('p2')), JSON.stringify(rs.map((r) => r.status === 'rejected' && String(r.reason))));
  // The coordinator (p1, first by name) cheating with its own share is named by everyone too (the fallback round).
  rs = await session(members, (ch) => runSign({ keyId: info.keyId, message: msg, signers: members }, { channel: ch, dir: dirOf(ch.self), passphrase: PASS, tamper: ch.self === 'p1' ? { badShare: true } : undefined }));
  assert.ok(rs.every(isCulprit('p1')), JSON.stringify(rs.map((r) => r.status === 'rejected' && String(r.reason))));
  // A coordinator that hands out a signature that does not verify is named by the signers it sent it to.
  rs = await session(members, (ch) => runSign({ keyId: info.keyId, message: msg, signers: members }, { channel: ch, dir: dirOf(ch.self), passphrase: PASS, tamper: ch.self === 'p1' ? { badResult: true } : undefined }));
  assert.ok(rs.slice(1).every(isCulprit('p1')), JSON.stringify(rs.map((r) => r.status === 'rejected' && String(r.reason))));

  // A member that never answers is named by the others after the round deadline.
  const nets = createMemoryNetworks(members);
  const res = await Promise.allSettled(
    nets.filter((n) => n.self !== 'p2').map(async (net) => {
      const ch = new Channel(net, 300);
      try {
        return await runDkg({ members, threshold: 2 }, { channel: ch, sessionId: 'z', store: store('silent-' + net.self) });
      } catch (err) {
        await net.abort(err as Error);
        throw err;
      }
    }),
  );
  assert.ok(res.every((r) => r.status === 'rejected' && (r.reason instanceof SilentMemberError ? r.reason.member === 'p2' : /p2/.test(String(r.reason)))), JSON.stringify(res.map((r) => r.status === 'rejected' && String(r.reason))));
  nets.forEach((n) => void n.abort(new Error('test over')));
});

test('the nonce store: a journaled nonce is gone for every read, also after a stale rewrite; a used nonce never signs again', async () => {
  const members = ['n1', 'n2'];
  const info = values(await session(members, (ch) => runDkg({ members, threshold: 2 }, { channel: ch, sessionId: 'nonce-rule', store: store(ch.self) })))[0]!;
  const msg = Buffer.from('once').toString('hex');
  const signAt = (k: number) => session(members, (ch) => runSign({ keyId: info.keyId, message: msg, signers: members, nonceIndex: { n1: k, n2: k } }, { channel: ch, dir: dirOf(ch.self), passphrase: PASS }));
  const journal = join(dirOf('n1'), `${info.keyId}.used`);
  // A journal line names a used nonce: reads drop it (as after a crash right after the append).
  appendFileSync(journal, '0:3\n');
  assert.equal(readShareFile(dirOf('n1'), info.keyId).nonces['3'], undefined, 'reads drop the journaled nonce');
  assert.ok(JSON.parse(readFileSync(join(dirOf('n1'), `${info.keyId}.json`), 'utf8')).nonces['3'], 'still in the file itself');
  const first = values(await signAt(0));
  assert.ok(FROST.verify(fromHex(first[0]!.signature), fromHex(msg), fromHex(info.groupKey)));
  // The signature appended its nonce to the journal; the file itself is not rewritten on the signature's path.
  assert.deepEqual(readFileSync(journal, 'utf8').trim().split('\n'), ['0:3', '0:0']);
  assert.equal(readShareFile(dirOf('n1'), info.keyId).nonces['0'], undefined);
  assert.equal(nextNonceIndex(readShareFile(dirOf('n1'), info.keyId).nonces), 1);
  // Another process's stale rewrite (from a read taken before nonce 5 was used) cannot bring nonce 5 back.
  const stale = readShareFile(dirOf('n1'), info.keyId);
  assert.ok(stale.nonces['5']);
  consumeNonce(dirOf('n1'), readShareFile(dirOf('n1'), info.keyId), 5);
  writeShareFile(dirOf('n1'), stale);
  assert.ok(JSON.parse(readFileSync(join(dirOf('n1'), `${info.keyId}.json`), 'utf8')).nonces['5'], 'the stale rewrite put it in the file');
  assert.equal(readShareFile(dirOf('n1'), info.keyId).nonces['5'], undefined, 'and the journal still drops it');
  const again = await signAt(0);
  assert.ok(again.every((r) => r.status === 'rejected'));
  assert.match(String((again[0] as PromiseRejectedResult).reason), /already used/);
  // A full rewrite (here a signature with a commit round) leaves every journaled nonce out of the file; the journal stays for the epoch.
  appendFileSync(journal, '0:4\n');
  values(await session(members, (ch) => runSign({ keyId: info.keyId, message: msg, signers: members }, { channel: ch, dir: dirOf(ch.self), passphrase: PASS })));
  const onDisk = JSON.parse(readFileSync(join(dirOf('n1'), `${info.keyId}.json`), 'utf8'));
  for (const k of ['0', '3', '4', '5']) assert.equal(onDisk.nonces[k], undefined, `nonce ${k}`);
  assert.ok(existsSync(journal));
});
