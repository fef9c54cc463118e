/**
 * Admission for the key ceremonies (`key-dkg`, `key-sign`, `key-refresh`, `key-reshare`): the
 * checks a member makes before it takes part. A key that one member controls alone (threshold
 * 1) is not a threshold key, so the default minimum threshold is 2; group sizes are bounded so
 * a request cannot make a member spend unbounded work; a member takes part only in ceremonies
 * that name it. What a member is willing to SIGN is its operator's decision: `signing` set to
 * false makes it refuse every signing request (a per-member veto).
 *
 * A node also caps the wait for one member's message in one round (`roundTimeoutMs`, 10 s:
 * a silent member is named well before the task's deadline; the task's own `roundTimeoutMs`
 * may only be shorter) and the nonces it preprocesses per ceremony (`maxNonceBatch`), so a
 * request cannot make it spend unbounded work.
 *
 * Guards and defaults: minThreshold 2, maxMembers 64, signing true, roundTimeoutMs 10000,
 * maxNonceBatch 1000.
 */
import { ADMIT, admitWith, refuse, type AdmissionRequest, type AdmissionVerdict, type GuardOverrides } from '../admission.js';

export const KEY_GUARDS = { minThreshold: 2, maxMembers: 64, signing: true, roundTimeoutMs: 10_000, maxNonceBatch: 1000 };

const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string' && x.length > 0);

function group(name: string, members: unknown, threshold: unknown, g: typeof KEY_GUARDS, self: string): AdmissionVerdict | undefined {
  if (!strings(members)) return refuse(`parameter ${name} must list the member names`);
  if (new Set(members).size !== members.length) return refuse(`parameter ${name} names a member twice`);
  if (members.length > g.maxMembers) return refuse(`the group has ${members.length} members; this node's guard maxMembers is ${g.maxMembers}`);
  if (threshold !== undefined) {
    if (typeof threshold !== 'number' || !Number.isInteger(threshold)) return refuse('parameter threshold must be an integer');
    if (threshold < g.minThreshold) return refuse(`threshold ${threshold} is below this node's guard minThreshold (${g.minThreshold})`);
    if (threshold > members.length) return refuse(`threshold ${threshold} exceeds the ${members.length} members`);
  }
  if (self && !members.includes(self)) return refuse(`this party is not among the ${name}`);
  return undefined;
}

export function admitKeyCeremony(request: AdmissionRequest, overrides: GuardOverrides): AdmissionVerdict {
  return admitWith(KEY_GUARDS, overrides, (g) => {
    const p = request.params;
    const batch = p['nonceBatch'];
    if (batch !== undefined && (typeof batch !== 'number' || !Number.isInteger(batch) || batch < 1 || batch > g.maxNonceBatch)) {
      return refuse(`parameter nonceBatch must be an integer from 1 to this node's guard maxNonceBatch (${g.maxNonceBatch})`);
    }
    switch (request.program) {
      case 'key-dkg':
        return group('members', p['members'], p['threshold'], g, request.self) ?? ADMIT;
      case 'key-reshare': {
        const problem = group('members', [...new Set([...(strings(p['members']) ? p['members'] : []), ...(strings(p['dealers']) ? p['dealers'] : [])])], undefined, g, request.self);
        return problem ?? group('members', p['members'], p['threshold'], g, '') ?? ADMIT;
      }
      case 'key-sign':
        if (!g.signing) return refuse('this node signs with no group key (guard signing is false)');
        return group('signers', p['signers'], undefined, g, request.self) ?? ADMIT;
      default:
        return ADMIT;
    }
  });
}
