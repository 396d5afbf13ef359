// Study charts, redrawn live from the trials the server reports: optimization history, parameter
// importance, parallel coordinates and accuracy vs health.
import { useRef } from "react";

import type { Job, TrialSummary } from "../../api/types";
import { paramValue, pct } from "../../lib/format";
import {
  accuracyHealth,
  axisPosition,
  completed,
  optimizationHistory,
  parallelAxes,
  parameterImportance,
} from "../../lib/study";
import { lookupTerm, Term, useGlossary } from "../Glossary";
import { PngButton } from "./PngButton";
import { Frame, H, PAD, W, linear, scoreDomain } from "./svg";

export function StudyCharts({ job, trials }: { job: Job | null; trials: TrialSummary[] }) {
  const mode = job?.progress.mode ?? String(job?.config.mode ?? "health");
  const objective = mode === "health" ? "Total score" : "Accuracy";
  return (
    <div className="charts">
      <Card title="Optimization history" help={`${objective} of every completed trial and the best so far.`}>
        <HistoryChart trials={trials} objective={objective} />
      </Card>
      <Card title="Parameter importance" help="How much each hyperparameter moved the objective.">
        <ImportanceChart job={job} trials={trials} />
      </Card>
      <Card title="Parallel coordinates"
        help="One line per completed trial through its hyperparameters; darker lines scored higher.">
        <ParallelChart job={job} trials={trials} />
      </Card>
      <Card title="Accuracy vs health"
        help="Trials up and to the right are both accurate and healthy; the line joins the Pareto front.">
        <ScatterChart trials={trials} />
      </Card>
    </div>
  );
}

function Card({ title, help, children }: { title: string; help: string; children: React.ReactNode }) {
  const card = useRef<HTMLElement>(null);
  return (
    <figure className="card chart-card" ref={card}>
      <figcaption>
        <h4>{title} <PngButton card={card} title={title} /></h4>
        <span className="muted small">{help}</span>
      </figcaption>
      {children}
    </figure>
  );
}

function Empty({ children }: { children: React.ReactNode }) {
  return <p className="empty">{children}</p>;
}

function HistoryChart({ trials, objective }: { trials: TrialSummary[]; objective: string }) {
  const points = optimizationHistory(trials);
  if (!points.length) return <Empty>Appears when the first trial completes.</Empty>;
  const x = linear([Math.min(...points.map((p) => p.trial)), Math.max(...points.map((p) => p.trial))],
    [PAD.left + 10, W - PAD.right - 10]);
  const y = linear(scoreDomain(points.map((p) => p.value)), [H - PAD.bottom, PAD.top]);
  // Best-so-far as a step line: flat until a trial improves on it.
  const step = points.map((p, i) => (i === 0 ? `M${x(p.trial)},${y(p.best)}` : `H${x(p.trial)}V${y(p.best)}`))
    .join("");
  return (
    <Frame title="Optimization history" x={x} y={y} xLabel="trial" yLabel={objective} integerX>
      <path d={step} className="line-best" />
      {points.map((p) => (
        <circle key={p.trial} cx={x(p.trial)} cy={y(p.value)} r={4.5} className="dot">
          <title>{`Trial ${p.trial}: ${p.value.toFixed(4)}`}</title>
        </circle>
      ))}
    </Frame>
  );
}

function ImportanceChart({ job, trials }: { job: Job | null; trials: TrialSummary[] }) {
  const importance = parameterImportance(job, trials);
  if (!importance) return <Empty>Needs at least 3 completed trials whose hyperparameters differ.</Empty>;
  const top = importance.values.slice(0, 10);
  const max = Math.max(...top.map((v) => v.importance), 1e-9);
  return (
    <div className="bars">
      {top.map(({ param, importance: value }) => (
        <div className="bar-row" key={param}>
          <span className="bar-label"><Term kind="hyperparameter" name={param}>{param}</Term></span>
          <span className="bar-track">
            <span className="bar-fill" style={{ width: `${(value / max) * 100}%` }} />
          </span>
          <span className="bar-value">{value.toFixed(2)}</span>
        </div>
      ))}
      <p className="muted small">
        {importance.source === "study"
          ? "From the finished study (Optuna's fANOVA importance)."
          : "Live estimate while the search runs: rank correlation with the objective, normalized. The study's " +
            "own importance replaces it when the job ends."}
      </p>
    </div>
  );
}

const MAX_PARALLEL_AXES = 8;

function ParallelChart({ job, trials }: { job: Job | null; trials: TrialSummary[] }) {
  const glossary = useGlossary();
  const done = completed(trials);
  // The most important parameters first (and at most 8 of them), so the chart stays readable.
  const rank = new Map(parameterImportance(job, trials)?.values.map((v, i) => [v.param, i]) ?? []);
  const all = parallelAxes(trials);
  const objectiveAxis = all.filter((a) => a.param === "objective");
  const axes = [
    ...all.filter((a) => a.param !== "objective")
      .sort((a, b) => (rank.get(a.param) ?? 99) - (rank.get(b.param) ?? 99) || a.param.localeCompare(b.param))
      .slice(0, MAX_PARALLEL_AXES),
    ...objectiveAxis,
  ];
  if (done.length < 2 || axes.length < 2) return <Empty>Appears when two completed trials differ.</Empty>;
  const width = Math.max(W, axes.length * 100);
  const top = 34;
  const bottom = H - 26;
  const xAt = (i: number) => 50 + (i * (width - 100)) / (axes.length - 1);
  const yAt = (position: number) => bottom - position * (bottom - top);
  const values = done.map((t) => t.value as number);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const shade = (v: number) => (hi === lo ? 0.8 : 0.25 + (0.75 * (v - lo)) / (hi - lo));
  return (
    <div className="scroll-x">
      <svg viewBox={`0 0 ${width} ${H}`} role="img" aria-label="Parallel coordinates" className="chart"
        style={{ minWidth: Math.min(width, 560) }}>
        {done.map((t) => {
          const path = axes
            .map((axis, i) => {
              const position = axisPosition(axis, axis.param === "objective" ? t.value : t.params[axis.param]);
              return position == null ? null : `${xAt(i)},${yAt(position)}`;
            })
            .filter(Boolean);
          return (
            <polyline key={t.number} points={path.join(" ")} className={t.is_best ? "pc-line best" : "pc-line"}
              style={{ opacity: shade(t.value as number) }}>
              <title>{`Trial ${t.number}: ${(t.value as number).toFixed(4)}`}</title>
            </polyline>
          );
        })}
        {axes.map((axis, i) => {
          const entry = axis.param === "objective" ? undefined : lookupTerm(glossary, "hyperparameter", axis.param);
          const [low, high] = axis.kind === "category"
            ? [axis.categories[0], axis.categories[axis.categories.length - 1]]
            : [paramValue(axis.min), paramValue(axis.max)];
          return (
            <g key={axis.param}>
              <line x1={xAt(i)} x2={xAt(i)} y1={top} y2={bottom} className="pc-axis" />
              <text x={xAt(i)} y={top - 14} textAnchor="middle" className="axis-label">
                {axis.param}
                <title>{entry ? `${entry.title}: ${entry.what}` : axis.param}</title>
              </text>
              <text x={xAt(i)} y={top - 3} textAnchor="middle" className="tick">{high}</text>
              <text x={xAt(i)} y={bottom + 13} textAnchor="middle" className="tick">{low}</text>
            </g>
          );
        })}
      </svg>
    </div>
  );
}

function ScatterChart({ trials }: { trials: TrialSummary[] }) {
  const points = accuracyHealth(trials);
  if (!points.length) return <Empty>Appears when a completed trial has a health report.</Empty>;
  const x = linear(scoreDomain(points.map((p) => p.health)), [PAD.left + 8, W - PAD.right - 8]);
  const y = linear(scoreDomain(points.map((p) => p.accuracy)), [H - PAD.bottom - 6, PAD.top + 6]);
  const front = points.filter((p) => p.pareto).sort((a, b) => a.health - b.health);
  return (
    <Frame title="Accuracy vs health" x={x} y={y} xLabel="health" yLabel="validation accuracy">
      {front.length > 1 && (
        <polyline points={front.map((p) => `${x(p.health)},${y(p.accuracy)}`).join(" ")} className="line-front" />
      )}
      {points.map((p) => (
        <circle key={p.trial} cx={x(p.health)} cy={y(p.accuracy)} r={p.best ? 7 : 5}
          className={p.best ? "dot best" : p.pareto ? "dot pareto" : "dot"}>
          <title>{`Trial ${p.trial}: accuracy ${pct(p.accuracy, 2)}, health ${p.health.toFixed(3)}${
            p.pareto ? " (Pareto front)" : ""}`}</title>
        </circle>
      ))}
    </Frame>
  );
}
