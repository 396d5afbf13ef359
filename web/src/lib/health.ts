// Derived health numbers for the two-column panels.
import type { HealthReport, HistoryRow } from "../api/types";

/** Median of the layers' mean gradient norms: one number for "how big are the gradients". */
export function medianGradNorm(health: HealthReport | null): number | null {
  const values = (health?.per_layer ?? [])
    .map((layer) => layer.grad_norm_mean)
    .filter((v): v is number => typeof v === "number" && Number.isFinite(v))
    .sort((a, b) => a - b);
  if (!values.length) return null;
  const mid = Math.floor(values.length / 2);
  return values.length % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

export function lastValue(history: HistoryRow[], key: string): number | null {
  for (let i = history.length - 1; i >= 0; i--) {
    const value = history[i][key];
    if (typeof value === "number" && Number.isFinite(value)) return value;
  }
  return null;
}

/** A 0..1 score as a word and a css class: the thresholds of the server's summary (0.75 / 0.5). */
export function grade(score: number | null | undefined): "good" | "fair" | "poor" | "none" {
  if (score == null || !Number.isFinite(score)) return "none";
  return score >= 0.75 ? "good" : score >= 0.5 ? "fair" : "poor";
}
