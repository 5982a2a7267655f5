// A Chart.js chart (line or bar) on a canvas, with a table of the same
// numbers for screen readers.  Chart.js is loaded with the admin pages only.
import { useEffect, useRef } from 'react';
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Legend, Tooltip);

export interface Series {
  label: string;
  data: number[];
}

const COLORS = ['#f5c518', '#4fa3ff', '#ff6b6b', '#5cd68a'];

export function ChartView({ type, labels, series, title }: { type: 'line' | 'bar'; labels: string[]; series: Series[]; title: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const chart = new Chart(canvas.current, {
      type,
      data: {
        labels,
        datasets: series.map((s, i) => ({
          label: s.label,
          data: s.data,
          backgroundColor: COLORS[i % COLORS.length],
          borderColor: COLORS[i % COLORS.length],
          tension: 0.25,
        })),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        indexAxis: type === 'bar' ? 'y' : 'x',
        plugins: { legend: { labels: { color: '#d8dbe2' } } },
        scales: {
          x: { ticks: { color: '#b8bcc6' }, grid: { color: '#2a2e38' } },
          y: { ticks: { color: '#b8bcc6' }, grid: { color: '#2a2e38' } },
        },
      },
    });
    return () => chart.destroy();
  }, [type, labels, series]);
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      {series.every((s) => s.data.every((v) => !v)) && <p className="hint">No activity in this window yet.</p>}
      <div className="chart-box">
        <canvas ref={canvas} role="img" aria-label={title} />
      </div>
      <details>
        <summary>Data</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">Label</th>
              {series.map((s) => (
                <th key={s.label} scope="col">
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {labels.map((l, i) => (
              <tr key={l + i}>
                <th scope="row">{l}</th>
                {series.map((s) => (
                  <td key={s.label}>{s.data[i]}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
