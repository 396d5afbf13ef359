// The few SVG pieces the study charts share: a scaled frame with ticks. Charts are drawn in a fixed
// viewBox and stretch to their container's width, so they work on a phone without a chart library.
import type { ReactNode } from "react";

export const W = 520;
export const H = 300;
export const PAD = { left: 46, right: 14, top: 14, bottom: 36 };

export interface Scale {
  (value: number): number;
  domain: [number, number];
}

export function linear(domain: [number, number], range: [number, number]): Scale {
  const [d0, d1] = domain[0] === domain[1] ? [domain[0] - 0.5, domain[1] + 0.5] : domain;
  const scale = ((value: number) => range[0] + ((value - d0) / (d1 - d0)) * (range[1] - range[0])) as Scale;
  scale.domain = [d0, d1];
  return scale;
}

/** Domain with a little margin, clamped to [0, 1] for scores. */
export function scoreDomain(values: number[]): [number, number] {
  if (!values.length) return [0, 1];
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const margin = Math.max(0.02, (hi - lo) * 0.1);
  return [Math.max(0, lo - margin), Math.min(1, hi + margin)];
}

export function ticks([lo, hi]: [number, number], n = 4): number[] {
  const step = (hi - lo) / n;
  return Array.from({ length: n + 1 }, (_, i) => lo + i * step);
}

export function Frame({ title, x, y, xLabel, yLabel, children, integerX = false }: {
  title: string;
  x: Scale;
  y: Scale;
  xLabel: string;
  yLabel: string;
  children: ReactNode;
  integerX?: boolean;
}) {
  const xTicks = integerX ? integerTicks(x.domain) : ticks(x.domain);
  return (
    <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={title} className="chart">
      <rect x={PAD.left} y={PAD.top} width={W - PAD.left - PAD.right} height={H - PAD.top - PAD.bottom}
        className="chart-bg" />
      {ticks(y.domain).map((t) => (
        <g key={`y${t}`}>
          <line x1={PAD.left} x2={W - PAD.right} y1={y(t)} y2={y(t)} className="grid" />
          <text x={PAD.left - 6} y={y(t) + 4} textAnchor="end" className="tick">{t.toFixed(2)}</text>
        </g>
      ))}
      {xTicks.map((t) => (
        <text key={`x${t}`} x={x(t)} y={H - PAD.bottom + 16} textAnchor="middle" className="tick">
          {integerX ? t : t.toFixed(2)}
        </text>
      ))}
      <text x={(PAD.left + W - PAD.right) / 2} y={H - 4} textAnchor="middle" className="axis-label">{xLabel}</text>
      <text transform={`translate(12 ${(PAD.top + H - PAD.bottom) / 2}) rotate(-90)`} textAnchor="middle"
        className="axis-label">{yLabel}</text>
      {children}
    </svg>
  );
}

function integerTicks([lo, hi]: [number, number]): number[] {
  const first = Math.ceil(lo);
  const last = Math.floor(hi);
  const step = Math.max(1, Math.ceil((last - first) / 6));
  const out: number[] = [];
  for (let t = first; t <= last; t += step) out.push(t);
  return out;
}
