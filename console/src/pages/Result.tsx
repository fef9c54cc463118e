/** A task's result as the receiver got it, drawn per program (charts with uPlot). */
import { useMemo } from 'preact/hooks';
import { num } from '../format';
import { LineChart } from '../components/chart';

function Curves({ curve, auc, ks }: { curve: { population: number[]; tpr: number[]; fpr: number[] }; auc?: number; ks?: number }) {
  const roc = useMemo(() => {
    // ROC points by rising false-positive rate (uPlot wants ascending x)
    const pts = curve.fpr.map((f, i) => [f, curve.tpr[i]!] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const x = pts.map((p) => p[0]);
    return { x, series: [{ label: 'true-positive rate', values: pts.map((p) => p[1]), color: '#1b5fbf' }, { label: 'chance', values: x, color: '#8a8a8a', dash: [4, 4] }] };
  }, [curve]);
  const ksc = useMemo(() => {
    const order = curve.population.map((p, i) => i).sort((a, b) => curve.population[a]! - curve.population[b]!);
    const x = order.map((i) => curve.population[i]!);
    return {
      x,
      series: [
        { label: 'TPR', values: order.map((i) => curve.tpr[i]!), color: '#1b5fbf' },
        { label: 'FPR', values: order.map((i) => curve.fpr[i]!), color: '#c0392b' },
        { label: 'TPR − FPR', values: order.map((i) => curve.tpr[i]! - curve.fpr[i]!), color: '#1e8449', dash: [6, 3] },
      ],
    };
  }, [curve]);
  return (
    <div class="charts">
      <LineChart testId="roc-chart" title={`ROC curve${auc !== undefined ? ` (AUC ${num(auc)})` : ''}`} xLabel="false-positive rate" yLabel="true-positive rate" x={roc.x} series={roc.series} square />
      <LineChart testId="ks-chart" title={`KS curve${ks !== undefined ? ` (KS ${num(ks)})` : ''}`} xLabel="share of rows, highest scores first" yLabel="rate" x={ksc.x} series={ksc.series} />
    </div>
  );
}

/** "0xabc….x3" → "bank.x3" (features are named by their owner's address). */
function featureName(f: string | undefined, j: number, names: Record<string, string>): string {
  if (!f) return `x${j}`;
  const m = /^(0x[0-9a-fA-F]{40})\.(.*)$/.exec(f);
  return m ? `${names[m[1]!.toLowerCase()] ?? `${m[1]!.slice(0, 8)}…`}.${m[2]}` : f;
}

function Weights({ model, names }: { model: { weights: number[]; intercept: number; features?: string[] }; names: Record<string, string> }) {
  const max = Math.max(1e-12, ...model.weights.map(Math.abs));
  return (
    <table class="weights" data-testid="weights">
      <caption>Model weights (original scale) · intercept {num(model.intercept)}</caption>
      <thead><tr><th scope="col">feature</th><th scope="col">weight</th><th scope="col"><span class="sr-only">magnitude</span></th></tr></thead>
      <tbody>
        {model.weights.map((w, j) => (
          <tr>
            <th scope="row" class="mono">{featureName(model.features?.[j], j, names)}</th>
            <td>{num(w, 6)}</td>
            <td aria-hidden="true"><span class={`bar ${w < 0 ? 'neg' : 'pos'}`} style={{ width: `${(Math.abs(w) / max) * 100}%` }} /></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Result({ program, result, names = {} }: { program?: string | null; result: any; names?: Record<string, string> }) {
  if (result === null || typeof result !== 'object') return <pre>{JSON.stringify(result)}</pre>;
  return (
    <div data-testid="result">
      <dl class="facts">
        {typeof result.auc === 'number' && <><dt>AUC</dt><dd data-testid="auc">{num(result.auc)}</dd></>}
        {typeof result.ks === 'number' && <><dt>KS</dt><dd data-testid="ks">{num(result.ks)}</dd></>}
        {typeof result.rows === 'number' && <><dt>aligned rows</dt><dd>{result.rows}</dd></>}
        {typeof result.size === 'number' && <><dt>intersection size</dt><dd data-testid="psi-size">{result.size}</dd></>}
        {typeof result.total === 'number' && <><dt>total debt</dt><dd data-testid="debt-total">{result.total.toLocaleString(undefined, { minimumFractionDigits: 2 })}</dd></>}
        {typeof result.lenders === 'number' && <><dt>lenders</dt><dd>{result.lenders}</dd></>}
      </dl>
      {result.curve && <Curves curve={result.curve} auc={result.auc} ks={result.ks} />}
      {program === 'lr-train' && !result.curve && <p>This task did not ask for curves (parameter <code>curvePoints</code>): only AUC and KS were revealed.</p>}
      {result.model?.weights && <Weights model={result.model} names={names} />}
      {Array.isArray(result.scores) && (
        <table data-testid="scores"><caption>Scores</caption><thead><tr><th scope="col">#</th><th scope="col">score</th></tr></thead>
          <tbody>{result.scores.map((s: number | null, i: number) => <tr><th scope="row">{i + 1}</th><td>{s === null ? 'not found' : num(s)}</td></tr>)}</tbody></table>
      )}
      {result.features && !result.model && (
        <table data-testid="iv"><caption>Information value per feature</caption><thead><tr><th scope="col">feature</th><th scope="col">IV</th></tr></thead>
          <tbody>{Object.entries(result.features as Record<string, { iv: number }>).map(([k, v]) => <tr><th scope="row" class="mono">{featureName(k, 0, names)}</th><td>{num(v.iv)}</td></tr>)}</tbody></table>
      )}
      <details><summary>Raw result (JSON)</summary><pre>{JSON.stringify(result, null, 2)}</pre></details>
    </div>
  );
}
