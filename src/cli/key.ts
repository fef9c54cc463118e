/**
 * `tacit key create | sign | refresh | reshare | list | verify`: threshold keys held by
 * several members, each member a separate process on loopback TLS (as `tacit run` does),
 * each keeping only its own encrypted share under `<dir>/<member>/`. The passphrase of the
 * members' share stores comes from TACIT_PASSPHRASE or the terminal, never from a flag.
 * With `--manifest FILE --node-api URL` the same subcommands run as on-chain tasks among
 * member nodes instead (key-network.ts): members are node names or addresses.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { FROST, fromHex } from '../keys/suite.js';
import { createTacitClient } from '../sdk/client.js';
import { readPassphrase } from '../node/passphrase.js';
import { createKey } from '../sdk/actions/createKey.js';
import { listKeys } from '../sdk/actions/listKeys.js';
import { refreshKey } from '../sdk/actions/refreshKey.js';
import { reshareKey } from '../sdk/actions/reshareKey.js';
import { signWithKey } from '../sdk/actions/signWithKey.js';
import { resolveKeyId, type KeyStoreParameters } from '../sdk/actions/keySession.js';
import type { GroupKeyInfo } from '../keys/group-key.js';
import { dispatch, parseFlags, UsageError } from './usage.js';
import { NETWORK_FLAGS, networkContext, networkCreate, networkList, networkRefresh, networkReshare, networkSign, loadState, listStates, type NetworkFlags } from './key-network.js';

const USAGE = `usage: tacit key <subcommand> [options]

subcommands:
  create  --members a,b,c --threshold T        distributed key generation (no one holds the key)
  sign    --key ID --signers a,b (--message HEX | --text STRING) [--fresh]
                                               a threshold of members sign; prints the signature
  refresh --key ID                             new shares for every member, same group key
  reshare --key ID --members a,b,c --threshold T [--dealers a,b]
                                               hand the key to new members / a new threshold
  list                                         the keys held under --dir
  verify  --key ID (--message HEX | --text STRING) --signature HEX

options:
  --dir DIR   where members keep their shares (default ~/.tacit/keys; member m uses DIR/m)
  --json      one JSON object on stdout

The share stores' passphrase comes from TACIT_PASSPHRASE or a prompt.

Among member NODES, each ceremony an on-chain task the members' nodes consent to:
  --manifest FILE   the deployment; the requester key comes from TACIT_PRIVATE_KEY
  --node-api URL    API of the member node that receives the outcome (public data only)
  --fee UNITS       payment-token units per task, split among the members (default 0)
  --deadline SECS   task deadline (default 300)
  --no-register     create: do not record the key in the KeyRegistry
Members, signers and dealers are then registered node names or addresses; shares stay in
each node's data directory; the public key states are kept in DIR/.network/. Registration
(create) and rotation (refresh, reshare) go to the KeyRegistry, signed by the group key.`;

const common = { dir: { type: 'string' }, json: { type: 'boolean', default: false }, ...NETWORK_FLAGS } as const;

/** The network context when --manifest is given, else undefined (local member processes). */
const networkOf = (v: NetworkFlags & { dir?: string }) => (v.manifest ? networkContext(v, dirOf(v), USAGE) : undefined);

const dirOf = (v: { dir?: string }) => resolve(v.dir ?? process.env['TACIT_KEY_DIR'] ?? join(homedir(), '.tacit', 'keys'));
const list = (s: string | undefined, flag: string): string[] => {
  const xs = (s ?? '').split(',').map((x) => x.trim()).filter(Boolean);
  if (!xs.length) throw new UsageError(`${flag} needs a comma-separated list of member names`, { hint: USAGE });
  return xs;
};
const int = (s: string | undefined, flag: string): number => {
  const n = Number(s);
  if (!Number.isInteger(n)) throw new UsageError(`${flag} must be an integer`, { hint: USAGE });
  return n;
};

async function storeOf(dir: string, creating = false): Promise<KeyStoreParameters> {
  const passphrase = await readPassphrase({ creating, confirm: false });
  const n = process.env['TACIT_SCRYPT_N'];
  return { keyDir: dir, passphrase, ...(n ? { scryptN: Number(n) } : {}) };
}

function keyIdOf(dir: string, prefix: string | undefined): string {
  if (!prefix) throw new UsageError('give --key ID (see `tacit key list`)', { hint: USAGE });
  return resolveKeyId(listKeys({ keyDir: dir }).map((k) => ({ key: { keyId: k.keyId } })), prefix);
}

function messageOf(v: { message?: string; text?: string }): string {
  if (v.text !== undefined) return Buffer.from(v.text, 'utf8').toString('hex');
  const m = (v.message ?? '').replace(/^0x/, '');
  if (!m || !/^([0-9a-fA-F]{2})+$/.test(m)) throw new UsageError('give --message HEX or --text STRING', { hint: USAGE });
  return m;
}

function print(json: boolean, obj: Record<string, unknown>, text: string): void {
  process.stdout.write(json ? JSON.stringify(obj, (_k, x) => (typeof x === 'bigint' ? x.toString() : x)) + '\n' : text + '\n');
}

const describe = (k: GroupKeyInfo) => `key ${k.keyId}\n  group key  ${k.groupKey}\n  epoch ${k.epoch}, ${k.threshold}-of-${k.members.length}: ${k.members.map((m) => m.name).join(', ')}`;

async function createCommand(argv: string[]): Promise<number> {
  const { values: v } = parseFlags(argv, { ...common, members: { type: 'string' }, threshold: { type: 'string' } }, USAGE);
  const net = await networkOf(v);
  if (net) {
    const r = await networkCreate(net, list(v.members, '--members'), int(v.threshold, '--threshold'), !v['no-register']);
    print(v.json!, { key: r.key, taskId: r.taskId, gasUsed: r.gasUsed, registration: r.registration ?? null }, `${describe(r.key)}\ncreated by task #${r.taskId}${r.registration ? `; registered (signed by task #${r.registration.taskId})` : ''}`);
    return 0;
  }
  const dir = dirOf(v);
  const r = await createKey({ ...(await storeOf(dir, true)), members: list(v.members, '--members'), threshold: int(v.threshold, '--threshold') });
  print(v.json!, { key: r.key, seconds: r.seconds, bytesPerParty: r.bytesPerParty }, `${describe(r.key)}\ncreated in ${(r.seconds * 1000).toFixed(0)} ms`);
  return 0;
}

async function signCommand(argv: string[]): Promise<number> {
  const { values: v } = parseFlags(argv, { ...common, key: { type: 'string' }, signers: { type: 'string' }, message: { type: 'string' }, text: { type: 'string' }, fresh: { type: 'boolean', default: false } }, USAGE);
  const net = await networkOf(v);
  if (net) {
    const key = loadState(net, v.key, USAGE);
    const r = await networkSign(net, key, messageOf(v), v.signers ? list(v.signers, '--signers') : undefined);
    print(v.json!, { keyId: key.keyId, groupKey: r.groupKey, epoch: r.epoch, message: r.message, signature: r.signature, taskId: r.taskId, gasUsed: r.gasUsed }, r.signature);
    return 0;
  }
  const dir = dirOf(v);
  const keyId = keyIdOf(dir, v.key);
  const r = await signWithKey({ ...(await storeOf(dir)), keyId, message: messageOf(v), signers: list(v.signers, '--signers'), fresh: v.fresh });
  print(v.json!, { keyId, groupKey: r.groupKey, epoch: r.epoch, message: r.message, signature: r.signature, preprocessed: r.preprocessed, seconds: r.seconds, bytesPerParty: r.bytesPerParty }, r.signature);
  return 0;
}

async function refreshCommand(argv: string[]): Promise<number> {
  const { values: v } = parseFlags(argv, { ...common, key: { type: 'string' } }, USAGE);
  const net = await networkOf(v);
  if (net) {
    const r = await networkRefresh(net, loadState(net, v.key, USAGE));
    print(v.json!, { key: r.key, taskId: r.taskId, gasUsed: r.gasUsed, rotation: r.rotation ?? null }, `${describe(r.key)}\nrefreshed by task #${r.taskId}: every member holds a new share${r.rotation ? `; registry at epoch ${r.rotation.epoch}` : ''}`);
    return 0;
  }
  const dir = dirOf(v);
  const keyId = keyIdOf(dir, v.key);
  const holder = listKeys({ keyDir: dir }).find((k) => k.keyId === keyId)!.heldBy[0]!.member;
  const r = await refreshKey({ ...(await storeOf(dir)), keyId, member: holder });
  print(v.json!, { key: r.key, seconds: r.seconds, bytesPerParty: r.bytesPerParty }, `${describe(r.key)}\nrefreshed: every member holds a new share; old shares deleted`);
  return 0;
}

async function reshareCommand(argv: string[]): Promise<number> {
  const { values: v } = parseFlags(argv, { ...common, key: { type: 'string' }, members: { type: 'string' }, threshold: { type: 'string' }, dealers: { type: 'string' } }, USAGE);
  const net = await networkOf(v);
  if (net) {
    const r = await networkReshare(net, loadState(net, v.key, USAGE), list(v.members, '--members'), int(v.threshold, '--threshold'), v.dealers ? list(v.dealers, '--dealers') : undefined);
    print(v.json!, { key: r.key, previousEpoch: r.previous.epoch, dealers: r.dealers, taskId: r.taskId, gasUsed: r.gasUsed, rotation: r.rotation ?? null }, `${describe(r.key)}\nreshared from ${r.previous.threshold}-of-${r.previous.members.length} by task #${r.taskId}; same group key${r.rotation ? `; registry at epoch ${r.rotation.epoch}` : ''}`);
    return 0;
  }
  const dir = dirOf(v);
  const keyId = keyIdOf(dir, v.key);
  const r = await reshareKey({ ...(await storeOf(dir, true)), keyId, members: list(v.members, '--members'), threshold: int(v.threshold, '--threshold'), ...(v.dealers ? { dealers: list(v.dealers, '--dealers') } : {}) });
  print(v.json!, { key: r.key, previousEpoch: r.previous.epoch, seconds: r.seconds, bytesPerParty: r.bytesPerParty }, `${describe(r.key)}\nreshared from ${r.previous.threshold}-of-${r.previous.members.length}; same group key`);
  return 0;
}

async function listCommand(argv: string[]): Promise<number> {
  const { values: v } = parseFlags(argv, common, USAGE);
  if (v.manifest) {
    const client = createTacitClient({ manifest: v.manifest });
    const keys = await networkList({ client, stateDir: join(dirOf(v), '.network') });
    const text = keys.length
      ? keys.map((k) => `${k.keyId.slice(0, 16)}  ${k.threshold}-of-${k.members.length}  epoch ${k.epoch}  ${k.groupKey}  registry: ${k.registeredEpoch === null ? 'not registered' : `epoch ${k.registeredEpoch}`}  members ${k.members.map((m) => m.name).join(', ')}`).join('\n')
      : 'no keys';
    print(v.json!, { keys: keys.map((k) => ({ keyId: k.keyId, groupKey: k.groupKey, epoch: k.epoch, threshold: k.threshold, members: k.members.map((m) => m.name), registeredEpoch: k.registeredEpoch })) }, text);
    return 0;
  }
  const keys = listKeys({ keyDir: dirOf(v) });
  const text = keys.length
    ? keys.map((k) => `${k.keyId.slice(0, 16)}  ${k.threshold}-of-${k.members.length}  epoch ${k.epoch}  ${k.groupKey}  held by ${k.heldBy.map((h) => h.member).join(', ')}`).join('\n')
    : 'no keys';
  print(v.json!, { keys }, text);
  return 0;
}

async function verifyCommand(argv: string[]): Promise<number> {
  const { values: v } = parseFlags(argv, { ...common, key: { type: 'string' }, message: { type: 'string' }, text: { type: 'string' }, signature: { type: 'string' } }, USAGE);
  const dir = dirOf(v);
  // A key made among nodes is known by its public state in DIR/.network; a local one by its members' files.
  const known = [...listKeys({ keyDir: dir }).map((x) => ({ key: { keyId: x.keyId }, groupKey: x.groupKey })), ...listStates(join(dir, '.network')).map((x) => ({ key: { keyId: x.keyId }, groupKey: x.groupKey }))];
  if (!v.key) throw new UsageError('give --key ID (see `tacit key list`)', { hint: USAGE });
  const keyId = resolveKeyId(known, v.key);
  const k = known.find((x) => x.key.keyId === keyId)!;
  let valid = false;
  try {
    valid = FROST.verify(fromHex((v.signature ?? '').replace(/^0x/, '')), fromHex(messageOf(v)), fromHex(k.groupKey));
  } catch {
    valid = false;
  }
  print(v.json!, { keyId, valid }, valid ? 'valid' : 'INVALID');
  return valid ? 0 : 1;
}

export function keyCommand(argv: string[]): Promise<number> {
  return dispatch('key', argv, { create: createCommand, sign: signCommand, refresh: refreshCommand, reshare: reshareCommand, list: listCommand, verify: verifyCommand }, USAGE);
}
