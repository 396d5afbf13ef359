// One epoch's per-layer views, drawn from the statistics the trainer reports at each epoch's end: gradient flow
// (each layer's gradient norm, log scale) and the weight and bias distributions (an 8-bin histogram per layer).
// The same components draw a running trial's latest epoch and a finished trial's replay.
import { useRef } from "react";

import type { LayerStatsEpoch, ParamStats } from "../../api/types";
import { Term } from "../Glossary";
import { PngButton } from "./PngButton";
import { H, PAD, W } from "./svg";

const fmt = (v: number | null | undefined) => (v == null ? "–" : Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3)
  ? v.toExponential(1) : Number(v.toPrecision(3)).toString());

/** A layer's short label: its position (input → output) and kind, as the model's layer table names them. */
export const layerLabel = (stats: LayerStatsEpoch, i: number) => `${i + 1} ${stats.kinds[i]}`;

/** The log10 range that holds every positive gradient norm of `epochs`: a fixed axis while a replay plays. */
export function gradientRange(epochs: LayerStatsEpoch[]): [number, number] {
  const values = epochs.flatMap((e) => [...e.grad_mean, ...e.grad_max]).filter(
    (v): v is number => v != null && v > 0 && Number.isFinite(v));
  if (!values.length) return [-3, 1];
  const lo = Math.floor(Math.log10(Math.min(...values)));
  const hi = Math.ceil(Math.log10(Math.max(...values)));
  return [lo, Math.max(hi, lo + 1)];
}

export function GradientFlowChart({ stats, range }: { stats: LayerStatsEpoch; range?: [number, number] }) {
  const card = useRef<HTMLElement>(null);
  const [lo, hi] = range ?? gradientRange([stats]);
  const n = stats.layers.length;
  const left = PAD.left + 8;
  const slot = (W - PAD.right - left) / Math.max(1, n);
  const y = (v: number) => H - PAD.bottom - ((Math.log10(v) - lo) / (hi - lo)) * (H - PAD.bottom - PAD.top);
  const base = H - PAD.bottom;
  const bar = (v: number | null) => (v != null && v > 0 ? Math.max(PAD.top, Math.min(base, y(v))) : base);
  const decades = Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
  const title = `Gradient flow, epoch ${stats.epoch}`;
  return (
    <figure className="chart-card" ref={card} data-testid="gradient-flow">
      <PngButton card={card} title={title} />
      <h4><Term kind="health" name="gradient_flow">Gradient flow</Term> <span className="muted small">epoch {stats.epoch}</span></h4>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={title} className="chart">
        <rect x={PAD.left} y={PAD.top} width={W - PAD.left - PAD.right} height={H - PAD.top - PAD.bottom}
          className="chart-bg" />
        {decades.map((d) => (
          <g key={d}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(10 ** d)} y2={y(10 ** d)} className="grid" />
            <text x={PAD.left - 6} y={y(10 ** d) + 4} textAnchor="end" className="tick">{`1e${d}`}</text>
          </g>
        ))}
        {stats.layers.map((name, i) => {
          const x = left + i * slot;
          const mean = stats.grad_mean[i];
          const peak = stats.grad_max[i];
          return (
            <g key={name} data-layer={name}>
              <title>{`${name} (${stats.kinds[i]}): mean ${fmt(mean)}, max ${fmt(peak)}`}</title>
              <rect className="grad-max" x={x + slot * 0.1} width={slot * 0.8} y={bar(peak)} height={base - bar(peak)} />
              <rect className="grad-mean" x={x + slot * 0.28} width={slot * 0.44} y={bar(mean)}
                height={base - bar(mean)} />
              {mean == null && <text x={x + slot / 2} y={base - 4} textAnchor="middle" className="tick">n/a</text>}
              <text x={x + slot / 2} y={base + 13} textAnchor="middle" className="tick">{i + 1}</text>
              {slot > 34 && <text x={x + slot / 2} y={base + 24} textAnchor="middle" className="tick">{stats.kinds[i]}</text>}
            </g>
          );
        })}
        <text transform={`translate(12 ${(PAD.top + base) / 2}) rotate(-90)`} textAnchor="middle"
          className="axis-label">gradient L2 norm (log)</text>
      </svg>
      <figcaption className="legend-inline small">
        <span className="key grad-max-key">max over the epoch</span>
        <span className="key grad-mean-key">mean</span>
        <span className="muted">layer 1 = input side{stats.layers_total > n ? ` · ${n} of ${stats.layers_total} layers` : ""}</span>
      </figcaption>
    </figure>
  );
}

const ROW = 40;
const TOP = 22;
const LABEL_W = 118;
const PANEL_W = (W - LABEL_W - 24) / 2;

export function WeightStatsChart({ stats }: { stats: LayerStatsEpoch }) {
  const card = useRef<HTMLElement>(null);
  const height = TOP + stats.layers.length * ROW + 6;
  const title = `Weights and biases, epoch ${stats.epoch}`;
  const bins = stats.weight.hist.find((h) => h)?.length ?? 0; // the server's bin count, not a copy of it
  return (
    <figure className="chart-card" ref={card} data-testid="weight-stats">
      <PngButton card={card} title={title} />
      <h4><Term kind="health" name="weight_stats">Weights and biases</Term> <span className="muted small">epoch {stats.epoch}</span></h4>
      <svg viewBox={`0 0 ${W} ${height}`} role="img" aria-label={title} className="chart">
        <text x={LABEL_W + PANEL_W / 2} y={14} textAnchor="middle" className="axis-label">weight</text>
        <text x={LABEL_W + 12 + PANEL_W * 1.5} y={14} textAnchor="middle" className="axis-label">bias</text>
        {stats.layers.map((name, i) => (
          <g key={name} transform={`translate(0 ${TOP + i * ROW})`} data-layer={name}>
            <text x={4} y={16} className="tick layer-name">{layerLabel(stats, i)}</text>
            <text x={4} y={28} className="tick">{name.length > 20 ? `…${name.slice(-19)}` : name}</text>
            <Histogram stats={stats.weight} i={i} x={LABEL_W} kind="weight" />
            <Histogram stats={stats.bias} i={i} x={LABEL_W + PANEL_W + 12} kind="bias" />
          </g>
        ))}
      </svg>
      <figcaption className="small muted">
        Each row: the layer's values in {bins} equal bins from its smallest to its largest; μ mean, σ spread.
        {stats.layers_total > stats.layers.length ? ` ${stats.layers.length} of ${stats.layers_total} layers.` : ""}
      </figcaption>
    </figure>
  );
}

function Histogram({ stats, i, x, kind }: { stats: ParamStats; i: number; x: number; kind: string }) {
  const hist = stats.hist[i];
  if (!hist) {
    return <text x={x + 4} y={18} className="tick">no {kind}</text>;
  }
  const peak = Math.max(1, ...hist);
  const w = (PANEL_W - 4) / hist.length;
  const h = 22;
  return (
    <g className={`hist hist-${kind}`}>
      <title>{`${kind}: mean ${fmt(stats.mean[i])}, std ${fmt(stats.std[i])}, min ${fmt(stats.min[i])}, max ${fmt(stats.max[i])}`}</title>
      <rect x={x} y={2} width={PANEL_W} height={h + 2} className="chart-bg" />
      {hist.map((c, b) => (
        <rect key={b} className="hist-bar" x={x + 2 + b * w} width={Math.max(1, w - 1)} y={2 + h - (c / peak) * h + 1}
          height={(c / peak) * h} />
      ))}
      <text x={x} y={36} className="tick">{fmt(stats.min[i])}</text>
      <text x={x + PANEL_W / 2} y={36} textAnchor="middle" className="tick">
        {`μ ${fmt(stats.mean[i])} σ ${fmt(stats.std[i])}`}
      </text>
      <text x={x + PANEL_W} y={36} textAnchor="end" className="tick">{fmt(stats.max[i])}</text>
    </g>
  );
}
