/** Network: the registered nodes and their stakes, the chain head, this node's health and metrics. */
import { useEffect, useState } from 'preact/hooks';
import { get, parseMetrics } from '../api';
import { tokens, short } from '../format';
import { useLive } from '../live';
import { ErrorBox, Section, Status, useGet } from '../components/ui';

const gwei = (wei?: string) => (wei ? `${(Number(wei) / 1e9).toFixed(3)} gwei` : '…');

function sumOf(m: Map<string, number>, prefix: string): number {
  let s = 0;
  for (const [k, v] of m) if (k.startsWith(prefix)) s += v;
  return s;
}

export function NetworkPage() {
  const live = useLive();
  const net = useGet('/chain/network', [live.chain?.block]);
  const node = useGet('/node');
  const health = useGet('/health', [live.chain?.block]);
  const [metrics, setMetrics] = useState<Map<string, number>>();
  useEffect(() => {
    get<string>('/metrics').then((t) => setMetrics(parseMetrics(t)), () => {});
  }, [live.tasks]);
  const self = (node.data?.address ?? '').toLowerCase();
  const byStatus = metrics ? [...metrics].filter(([k]) => k.startsWith('tacit_tasks{')).map(([k, v]) => [/status="([^"]*)"/.exec(k)?.[1] ?? k, v] as const) : [];
  return (
    <>
      <h1>Network</h1>
      <div class="grid">
        <Section title="Chain">
          <dl class="facts">
            <dt>chain id</dt><dd>{net.data?.chainId ?? node.data?.chainId ?? '…'}</dd>
            <dt>block</dt><dd data-testid="block">{live.chain?.block ?? net.data?.block ?? '…'}</dd>
            <dt>gas price</dt><dd>{gwei(live.chain?.gasPrice ?? net.data?.gasPrice)}</dd>
            <dt>minimum stake</dt><dd>{tokens(net.data?.minStake)} tokens</dd>
          </dl>
        </Section>
        <Section title="This node">
          <dl class="facts">
            <dt>name</dt><dd>{node.data?.name ?? '…'}</dd>
            <dt>address</dt><dd class="mono" title={node.data?.address}>{short(node.data?.address)}</dd>
            <dt>roles</dt><dd>{node.data?.roles?.join(', ')}</dd>
            <dt>peer</dt><dd class="mono">{node.data?.peer?.endpoint}</dd>
            <dt>health</dt><dd>{health.data?.ok ? <Status value="OK" /> : health.error ? <Status value="Down" /> : '…'}</dd>
            <dt>version</dt><dd>{health.data?.version}</dd>
            <dt>uptime</dt><dd>{health.data ? `${Math.round(health.data.uptime)} s` : '…'}</dd>
          </dl>
        </Section>
        <Section title="Metrics">
          {metrics ? (
            <dl class="facts">
              {byStatus.map(([s, v]) => <><dt>tasks {s}</dt><dd>{v}</dd></>)}
              <dt>MPC bytes sent</dt><dd>{sumOf(metrics, 'tacit_mpc_bytes_sent_total').toLocaleString()}</dd>
              <dt>chain transactions</dt><dd>{sumOf(metrics, 'tacit_chain_transactions_total')}</dd>
              <dt>API requests</dt><dd>{sumOf(metrics, 'tacit_api_requests_total')}</dd>
            </dl>
          ) : <p>…</p>}
        </Section>
      </div>
      <Section title="Registered nodes">
        <ErrorBox error={net.error} />
        <div class="scroll">
          <table data-testid="nodes">
            <caption class="sr-only">Nodes in the NodeRegistry</caption>
            <thead><tr><th scope="col">name</th><th scope="col">address</th><th scope="col">roles</th><th scope="col">stake</th><th scope="col">status</th><th scope="col">endpoint</th></tr></thead>
            <tbody>
              {(net.data?.nodes ?? []).map((n: any) => (
                <tr class={n.address.toLowerCase() === self ? 'self' : ''}>
                  <th scope="row">{n.name}{n.address.toLowerCase() === self ? ' (this node)' : ''}</th>
                  <td class="mono" title={n.address}>{short(n.address)}</td>
                  <td>{Object.entries(n.roles).filter(([, v]) => v).map(([k]) => k).join(', ')}</td>
                  <td>{tokens(n.stake)} tokens</td>
                  <td><Status value={n.exiting ? 'Exiting' : BigInt(n.stake) >= BigInt(net.data?.minStake ?? '0') ? 'Active' : 'Understaked'} /></td>
                  <td class="mono">{n.endpoint}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Section>
    </>
  );
}
