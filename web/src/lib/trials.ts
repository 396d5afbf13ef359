// Labels, sorting and filtering of trials for the gallery.
import type { TrialState, TrialSummary } from "../api/types";
import { accuracyOf } from "./study";

export const STATE_LABEL: Record<TrialState, string> = {
  WAITING: "waiting",
  RUNNING: "running",
  COMPLETE: "completed",
  PRUNED: "pruned",
  FAIL: "failed",
  INTERRUPTED: "interrupted",
};

export type SortKey = "number" | "value" | "accuracy" | "health" | "duration" | "params";
export type StateFilter = "all" | "running" | "completed" | "pruned" | "failed";

export const SORT_LABEL: Record<SortKey, string> = {
  number: "Trial number",
  value: "Objective",
  accuracy: "Accuracy",
  health: "Health",
  duration: "Duration",
  params: "Parameters",
};

const FILTER_STATES: Record<StateFilter, TrialState[] | null> = {
  all: null,
  running: ["RUNNING", "WAITING"],
  completed: ["COMPLETE"],
  pruned: ["PRUNED"],
  failed: ["FAIL", "INTERRUPTED"],
};

function sortValue(trial: TrialSummary, key: SortKey): number | null {
  switch (key) {
    case "number":
      return trial.number;
    case "value":
      return trial.value;
    case "accuracy":
      return accuracyOf(trial);
    case "health":
      return trial.health_overall;
    case "duration":
      return trial.duration_s;
    case "params":
      return trial.architecture?.param_count ?? null;
  }
}

/** Sorted copy: trial number ascending, every other key descending (best first); missing values last. */
export function sortTrials(trials: TrialSummary[], key: SortKey): TrialSummary[] {
  const direction = key === "number" ? 1 : -1;
  return [...trials].sort((a, b) => {
    const va = sortValue(a, key);
    const vb = sortValue(b, key);
    if (va == null && vb == null) return a.number - b.number;
    if (va == null) return 1;
    if (vb == null) return -1;
    return va === vb ? a.number - b.number : direction * (va - vb);
  });
}

export function filterTrials(trials: TrialSummary[], filter: StateFilter): TrialSummary[] {
  const states = FILTER_STATES[filter];
  return states ? trials.filter((t) => states.includes(t.state)) : trials;
}

export function countByFilter(trials: TrialSummary[]): Record<StateFilter, number> {
  const out = { all: trials.length, running: 0, completed: 0, pruned: 0, failed: 0 };
  (Object.keys(FILTER_STATES) as StateFilter[]).forEach((filter) => {
    if (filter !== "all") out[filter] = filterTrials(trials, filter).length;
  });
  return out;
}

/** The verdict sentence of a health summary ("Healthy (health 0.81)."), for places with little room. */
export function verdict(summary: string | null): string | null {
  if (!summary) return null;
  const end = summary.search(/[.:](\s|$)/);
  return end < 0 ? summary : summary.slice(0, end + 1).replace(/:$/, ".");
}
