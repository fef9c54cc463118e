/**
 * In a network task, programs name each party by its node address (the only identity every
 * party agrees on), so a result reads `0x3c44…93bc.income`. People read institutions: this
 * relabels a result for display with the names the nodes registered in NodeRegistry —
 * `bureau.income` — in string values and object keys alike, and adds `parties`
 * (name → address) so nothing is lost. Two nodes registered under one name keep an
 * address suffix (`bank(0x3c44…93bc)`) so labels stay unambiguous.
 *
 * The node's own stored result is never rewritten: a later task (lr-predict with the model
 * of an earlier lr-train) binds to addresses, not to names anyone may register.
 */
import { getAddress, isAddress, type Address } from 'viem';
import { NodeRegistryAbi } from '../../chain/artifacts.js';
import type { TacitClient } from '../client.js';

const PREFIXED = /^(0x[0-9a-fA-F]{40})(?=\.|$)/;

/** Every address that starts a string or key of `value` (`0x….column`, or a bare address). */
export function addressesIn(value: unknown, into = new Set<string>()): Set<string> {
  if (typeof value === 'string') {
    const m = PREFIXED.exec(value);
    if (m) into.add(m[1]!.toLowerCase());
  } else if (Array.isArray(value)) {
    for (const v of value) addressesIn(v, into);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      addressesIn(k, into);
      addressesIn(v, into);
    }
  }
  return into;
}

/** Labels for addresses: the registered name, with the address added where two share a name. */
export function partyLabels(names: Map<string, string>): Map<string, string> {
  const count = new Map<string, number>();
  for (const n of names.values()) count.set(n, (count.get(n) ?? 0) + 1);
  const out = new Map<string, string>();
  for (const [addr, n] of names) out.set(addr, count.get(n)! > 1 || !n ? `${n || 'node'}(${getAddress(addr as Address)})` : n);
  return out;
}

/** A copy of `value` with each known address prefix replaced by its label. */
export function relabel<T>(value: T, labels: Map<string, string>): T {
  const swap = (s: string) => s.replace(PREFIXED, (a) => labels.get(a.toLowerCase()) ?? a);
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return swap(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [swap(k), walk(x)]));
    return v;
  };
  return walk(value) as T;
}

/**
 * A task result with parties named as they registered, plus `parties: { label: address }`.
 * Addresses that are not registered nodes stay as they are.
 *
 * @example const shown = await nameParties(client, await getTaskResult(client, { … }));
 */
export async function nameParties(client: Pick<TacitClient, 'ledger'>, result: Record<string, unknown>): Promise<Record<string, unknown>> {
  const found = [...addressesIn(result)].filter((a) => isAddress(a, { strict: false }));
  if (found.length === 0) return result;
  const { pub, manifest } = client.ledger;
  const names = new Map<string, string>();
  await Promise.all(
    found.map(async (a) => {
      const info = await pub.readContract({ address: manifest.contracts.NodeRegistry, abi: NodeRegistryAbi, functionName: 'getNode', args: [getAddress(a)] });
      if (info.registered) names.set(a, info.name);
    }),
  );
  if (names.size === 0) return result;
  const labels = partyLabels(names);
  return { ...relabel(result, labels), parties: Object.fromEntries([...labels].map(([a, l]) => [l, getAddress(a as Address)])) };
}
