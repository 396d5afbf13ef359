// A trial's per-epoch training and validation accuracy (and loss on a second panel).
import { useRef } from "react";

import type { HistoryRow } from "../../api/types";
import { PngButton } from "./PngButton";
import { Frame, H, PAD, W, linear, scoreDomain } from "./svg";

const SERIES = [
  { key: "train_accuracy", label: "train accuracy", className: "series-a" },
  { key: "val_accuracy", label: "validation accuracy", className: "series-b" },
];
const LOSS = [
  { key: "train_loss", label: "train loss", className: "series-a" },
  { key: "val_loss", label: "validation loss", className: "series-b" },
];

/** `epochs`: a fixed [first, last] epoch axis (a replay keeps it while the curves grow); else the rows' own. */
export function HistoryChart({ history, epochs }: { history: HistoryRow[]; epochs?: [number, number] }) {
  return (
    <div className="split">
      <Panel history={history} series={SERIES} yLabel="accuracy" score epochs={epochs} />
      <Panel history={history} series={LOSS} yLabel="loss" score={false} epochs={epochs} />
    </div>
  );
}

function Panel({ history, series, yLabel, score, epochs: fixedEpochs }: {
  history: HistoryRow[];
  series: typeof SERIES;
  yLabel: string;
  score: boolean;
  epochs?: [number, number];
}) {
  const card = useRef<HTMLElement>(null);
  const epochOf = (row: HistoryRow, i: number) => (typeof row.epoch === "number" ? row.epoch : i + 1);
  const values = history.flatMap((row) => series.map((s) => row[s.key])).filter(
    (v): v is number => typeof v === "number" && Number.isFinite(v));
  if (!values.length) return null;
  const epochs = history.map(epochOf);
  const x = linear(fixedEpochs ?? [Math.min(...epochs), Math.max(...epochs)], [PAD.left + 10, W - PAD.right - 10]);
  const domain: [number, number] = score ? scoreDomain(values) : [0, Math.max(...values) * 1.1];
  const y = linear(domain, [H - PAD.bottom, PAD.top]);
  return (
    <figure className="chart-card" ref={card}>
      <PngButton card={card} title={`Training ${yLabel}`} />
      <Frame title={`Training ${yLabel}`} x={x} y={y} xLabel="epoch" yLabel={yLabel} integerX>
        {series.map((s) => {
          const points = history
            .map((row, i) => [epochOf(row, i), row[s.key]] as const)
            .filter((p): p is readonly [number, number] => typeof p[1] === "number" && Number.isFinite(p[1]));
          return (
            <g key={s.key} className={s.className}>
              <polyline points={points.map(([e, v]) => `${x(e)},${y(v)}`).join(" ")} className="series-line" />
              {points.map(([e, v]) => <circle key={e} cx={x(e)} cy={y(v)} r={3} className="series-dot" />)}
            </g>
          );
        })}
      </Frame>
      <figcaption className="legend-inline small">
        {series.map((s) => <span key={s.key} className={`key ${s.className}`}>{s.label}</span>)}
      </figcaption>
    </figure>
  );
}
