/**
 * Line charts with uPlot (MIT; small, fast canvas charts). Each chart is a figure with a
 * caption and a data table for screen readers and keyboard users (the canvas itself is
 * not readable), and it redraws to its container's width, so it fits a phone too.
 */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Series {
  label: string;
  values: number[];
  color: string;
  dash?: number[];
}

export function LineChart(props: { title: string; xLabel: string; yLabel: string; x: number[]; series: Series[]; testId?: string; square?: boolean }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const width = () => Math.max(240, Math.min(el.clientWidth || 480, 560));
    const opts: uPlot.Options = {
      width: width(),
      height: props.square ? width() * 0.8 : 260,
      scales: { x: { time: false } },
      axes: [{ label: props.xLabel }, { label: props.yLabel }],
      series: [{ label: props.xLabel }, ...props.series.map((s) => ({ label: s.label, stroke: s.color, width: 2, ...(s.dash ? { dash: s.dash } : {}) }))],
      legend: { show: true },
    };
    const plot = new uPlot(opts, [props.x, ...props.series.map((s) => s.values)], el);
    const ro = new ResizeObserver(() => plot.setSize({ width: width(), height: props.square ? width() * 0.8 : 260 }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.destroy();
    };
  }, [props.x, props.series]);
  return (
    <figure class="chart" data-testid={props.testId}>
      <figcaption>{props.title}</figcaption>
      <div ref={box} role="img" aria-label={`${props.title}: chart of ${props.series.map((s) => s.label).join(', ')} against ${props.xLabel}`} />
      <details>
        <summary>Data table</summary>
        <table>
          <thead><tr><th scope="col">{props.xLabel}</th>{props.series.map((s) => <th scope="col">{s.label}</th>)}</tr></thead>
          <tbody>
            {props.x.map((x, i) => <tr><td>{x.toFixed(3)}</td>{props.series.map((s) => <td>{s.values[i]?.toFixed(3)}</td>)}</tr>)}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
