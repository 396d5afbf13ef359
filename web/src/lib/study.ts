// Numbers behind the study charts, computed from the trials the server returned (nothing else).
import type { Job, TrialSummary } from "../api/types";

export function accuracyOf(trial: TrialSummary): number | null {
  const value = trial.metrics?.val_accuracy;
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

export function completed(trials: TrialSummary[]): TrialSummary[] {
  return trials.filter((t) => t.state === "COMPLETE" && t.value != null);
}

export interface HistoryPoint {
  trial: number;
  value: number;
  best: number;
}

/** Objective per completed trial, in trial order, with the best-so-far line. */
export function optimizationHistory(trials: TrialSummary[]): HistoryPoint[] {
  let best = -Infinity;
  return completed(trials)
    .sort((a, b) => a.number - b.number)
    .map((t) => {
      best = Math.max(best, t.value as number);
      return { trial: t.number, value: t.value as number, best };
    });
}

export interface Importance {
  source: "study" | "live";
  values: { param: string; importance: number }[];
}

const MIN_TRIALS_FOR_ESTIMATE = 3;

/** The study's importance once the job has one; while it runs, a live rank-correlation estimate. */
export function parameterImportance(job: Job | null, trials: TrialSummary[]): Importance | null {
  const fromStudy = job?.result?.importance;
  if (fromStudy && Object.keys(fromStudy).length > 0) {
    return { source: "study", values: sortedImportance(fromStudy) };
  }
  const done = completed(trials);
  if (done.length < MIN_TRIALS_FOR_ESTIMATE) return null;
  const objective = done.map((t) => t.value as number);
  const raw: Record<string, number> = {};
  for (const param of paramNames(done)) {
    const values = done.map((t) => t.params[param]);
    if (values.some((v) => v === undefined)) continue; // conditional parameter: not in every trial
    const strength = association(values, objective);
    if (strength != null) raw[param] = strength;
  }
  const total = Object.values(raw).reduce((a, b) => a + b, 0);
  if (total <= 0) return null;
  return { source: "live", values: sortedImportance(Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, v / total]))) };
}

function sortedImportance(map: Record<string, number>): { param: string; importance: number }[] {
  return Object.entries(map)
    .map(([param, importance]) => ({ param, importance }))
    .sort((a, b) => b.importance - a.importance);
}

export function paramNames(trials: TrialSummary[]): string[] {
  const names = new Set<string>();
  trials.forEach((t) => Object.keys(t.params ?? {}).forEach((k) => names.add(k)));
  return [...names].sort();
}

/** |Spearman ρ| for numbers, correlation ratio η for categories; null when the parameter never varied. */
export function association(values: unknown[], objective: number[]): number | null {
  if (new Set(values.map(String)).size < 2) return null;
  if (values.every((v) => typeof v === "number")) {
    const rho = pearson(ranks(values as number[]), ranks(objective));
    return rho == null ? null : Math.abs(rho);
  }
  const groups = new Map<string, number[]>();
  values.forEach((v, i) => groups.set(String(v), [...(groups.get(String(v)) ?? []), objective[i]]));
  const mean = objective.reduce((a, b) => a + b, 0) / objective.length;
  const total = objective.reduce((a, y) => a + (y - mean) ** 2, 0);
  if (total === 0) return 0;
  let between = 0;
  groups.forEach((ys) => {
    const m = ys.reduce((a, b) => a + b, 0) / ys.length;
    between += ys.length * (m - mean) ** 2;
  });
  return Math.sqrt(between / total);
}

export function ranks(values: number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(values.length);
  let i = 0;
  while (i < order.length) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    const rank = (i + j) / 2 + 1; // ties share their mean rank
    for (let k = i; k <= j; k++) out[order[k][1]] = rank;
    i = j + 1;
  }
  return out;
}

export function pearson(x: number[], y: number[]): number | null {
  const n = x.length;
  if (n < 2) return null;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  if (sxx === 0 || syy === 0) return 0;
  return sxy / Math.sqrt(sxx * syy);
}

export interface Axis {
  param: string;
  kind: "number" | "log" | "category";
  categories: string[];
  min: number;
  max: number;
}

/** Axes of the parallel-coordinates chart: every parameter that varied, then the objective. */
export function parallelAxes(trials: TrialSummary[]): Axis[] {
  const done = completed(trials);
  const axes: Axis[] = [];
  for (const param of paramNames(done)) {
    const values = done.map((t) => t.params[param]).filter((v) => v !== undefined && v !== null);
    if (new Set(values.map(String)).size < 2) continue;
    axes.push(makeAxis(param, values));
  }
  if (done.length) axes.push(makeAxis("objective", done.map((t) => t.value as number)));
  return axes;
}

function makeAxis(param: string, values: unknown[]): Axis {
  if (values.every((v) => typeof v === "number")) {
    const numbers = values as number[];
    const min = Math.min(...numbers);
    const max = Math.max(...numbers);
    const log = min > 0 && max / min >= 100; // learning rates and weight decay span decades
    return { param, kind: log ? "log" : "number", categories: [], min, max };
  }
  const categories = [...new Set(values.map(String))].sort();
  return { param, kind: "category", categories, min: 0, max: categories.length - 1 };
}

/** Position 0..1 of a value on an axis (0 bottom), or null when the trial has no value there. */
export function axisPosition(axis: Axis, value: unknown): number | null {
  if (value === undefined || value === null) return null;
  if (axis.kind === "category") {
    const index = axis.categories.indexOf(String(value));
    if (index < 0) return null;
    return axis.categories.length === 1 ? 0.5 : index / (axis.categories.length - 1);
  }
  if (typeof value !== "number") return null;
  if (axis.max === axis.min) return 0.5;
  if (axis.kind === "log") return (Math.log(value) - Math.log(axis.min)) / (Math.log(axis.max) - Math.log(axis.min));
  return (value - axis.min) / (axis.max - axis.min);
}

export interface ScatterPoint {
  trial: number;
  accuracy: number;
  health: number;
  pareto: boolean;
  best: boolean;
}

/** Accuracy vs health for completed trials with both, marking the Pareto front (no other trial beats both). */
export function accuracyHealth(trials: TrialSummary[]): ScatterPoint[] {
  const points = completed(trials)
    .map((t) => ({ trial: t.number, accuracy: accuracyOf(t), health: t.health_overall, best: t.is_best }))
    .filter((p): p is { trial: number; accuracy: number; health: number; best: boolean } =>
      p.accuracy != null && p.health != null);
  return points.map((p) => ({
    ...p,
    pareto: !points.some((q) => q !== p && q.accuracy >= p.accuracy && q.health >= p.health &&
      (q.accuracy > p.accuracy || q.health > p.health)),
  }));
}
