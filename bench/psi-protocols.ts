/**
 * `npm run bench -- psi [--json]`: two-party PSI at 2^20 × 2^20 ids (half common; set
 * TACIT_BENCH_PSI_LOG2N for other sizes), each party its own process on loopback TLS, the
 * OPRF protocol (KKRT, src/psi/oprf) and the ECDH protocol (src/psi/run-psi.ts) in the same
 * run on the same sets. One JSON line per protocol (slowest party's seconds, largest
 * per-party bytes), then one comparing them.
 */
import { fileURLToPath } from 'node:url';
import { runLocalSession } from '../src/node/local/cluster.js';
import type { PsiProtocolRecord } from './psi-protocol-programs.js';

export async function runPsiProtocolsBench(opts: { json: boolean }): Promise<void> {
  const log2n = Number(process.env.TACIT_BENCH_PSI_LOG2N ?? 20);
  const n = 2 ** log2n;
  const protocols = ['oprf', 'ecdh'] as const;
  const results = await runLocalSession({
    program: 'bench-psi-protocols',
    params: { n, protocols },
    parties: [{ id: 'bank', roles: ['data', 'receiver'] }, { id: 'bureau', roles: ['data'] }],
    programModule: fileURLToPath(new URL('./psi-protocol-programs.js', import.meta.url)),
    timeoutMs: 60 * 60 * 1000,
  });
  const per = [...results.values()].map((r) => (r.output as { records: PsiProtocolRecord[] }).records);
  const lines = protocols.map((protocol, i) => {
    const recs = per.map((r) => r[i]!);
    const size = recs.find((r) => r.size !== undefined)?.size;
    if (size !== n / 2) throw new Error(`psi bench: ${protocol} found ${size} common ids, expected ${n / 2}`);
    return {
      suite: 'psi',
      protocol,
      parties: 2,
      n,
      seconds: Math.round(Math.max(...recs.map((r) => r.seconds)) * 1000) / 1000,
      bytesPerParty: Math.max(...recs.map((r) => r.bytes)),
      intersection: size,
      transport: 'tls-processes',
    };
  });
  for (const l of lines) {
    if (opts.json) console.log(JSON.stringify(l));
    else console.log(`psi ${l.protocol.padEnd(5)} 2 × 2^${log2n} ids: ${l.seconds.toFixed(2)} s, ${(l.bytesPerParty / 2 ** 20).toFixed(1)} MiB per party`);
  }
  const speedup = Math.round((lines[1]!.seconds / lines[0]!.seconds) * 100) / 100;
  if (opts.json) console.log(JSON.stringify({ suite: 'psi', op: 'oprf-vs-ecdh', n, ecdhOverOprf: speedup }));
  else console.log(`oprf is ${speedup}x faster than ecdh`);
}
