import { describe, expect, it } from "vitest";

import trialsFixture from "../test/fixtures/trials.json";
import type { TrialSummary } from "../api/types";
import { accuracyHealth, association, axisPosition, optimizationHistory, parallelAxes, parameterImportance, pearson, ranks } from "./study";

const real = trialsFixture.trials as unknown as TrialSummary[];

function trial(number: number, value: number | null, params: Record<string, unknown>, extra: Partial<TrialSummary> = {}): TrialSummary {
  return {
    number, state: value == null ? "PRUNED" : "COMPLETE", params, architecture: null, value,
    metrics: { val_accuracy: value }, health_overall: value == null ? null : 1 - value, health_metrics: null,
    health_summary: null, started_at: null, finished_at: null, duration_s: null, worker: null, error: null,
    is_best: false, plots: [], progress: null, ...extra,
  };
}

describe("statistics", () => {
  it("ranks ties with their mean rank", () => {
    expect(ranks([10, 20, 20, 5])).toEqual([2, 3.5, 3.5, 1]);
  });
  it("pearson is 1, -1 and 0 where it should be", () => {
    expect(pearson([1, 2, 3], [2, 4, 6])).toBeCloseTo(1);
    expect(pearson([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1);
    expect(pearson([1, 2, 3], [5, 5, 5])).toBe(0);
  });
  it("association: monotone numbers give 1, categories use the correlation ratio, constants give null", () => {
    expect(association([1e-4, 1e-3, 1e-2], [0.1, 0.5, 0.9])).toBeCloseTo(1);
    expect(association(["adam", "adam", "sgd", "sgd"], [0.9, 0.9, 0.1, 0.1])).toBeCloseTo(1);
    expect(association(["adam", "adam"], [0.1, 0.9])).toBeNull();
  });
});

describe("study charts data", () => {
  it("history keeps the best-so-far and skips unfinished trials", () => {
    const points = optimizationHistory([trial(0, 0.5, {}), trial(1, null, {}), trial(2, 0.4, {}), trial(3, 0.8, {})]);
    expect(points).toEqual([
      { trial: 0, value: 0.5, best: 0.5 },
      { trial: 2, value: 0.4, best: 0.5 },
      { trial: 3, value: 0.8, best: 0.8 },
    ]);
  });

  it("importance: the study's own once the job has it, a live estimate before", () => {
    const trials = [trial(0, 0.2, { lr: 0.1, opt: "a" }), trial(1, 0.5, { lr: 0.01, opt: "a" }), trial(2, 0.9, { lr: 0.001, opt: "a" })];
    const live = parameterImportance(null, trials);
    expect(live?.source).toBe("live");
    expect(live?.values.map((v) => v.param)).toEqual(["lr"]); // opt never varied
    const job = { result: { importance: { lr: 0.3, opt: 0.7 } } } as never;
    expect(parameterImportance(job, trials)?.values).toEqual([{ param: "opt", importance: 0.7 }, { param: "lr", importance: 0.3 }]);
    expect(parameterImportance(null, trials.slice(0, 2))).toBeNull();
  });

  it("parallel axes: log scale for spans over two decades, categories in order, objective last", () => {
    const axes = parallelAxes([trial(0, 0.2, { lr: 1e-4, opt: "sgd", same: 1 }), trial(1, 0.9, { lr: 1e-2, opt: "adam", same: 1 })]);
    expect(axes.map((a) => a.param)).toEqual(["lr", "opt", "objective"]);
    expect(axes[0].kind).toBe("log");
    expect(axisPosition(axes[0], 1e-3)).toBeCloseTo(0.5);
    expect(axisPosition(axes[1], "adam")).toBe(0);
    expect(axisPosition(axes[1], "sgd")).toBe(1);
  });

  it("accuracy vs health marks the Pareto front", () => {
    const points = accuracyHealth([
      trial(0, 0.9, {}, { health_overall: 0.5 }),
      trial(1, 0.8, {}, { health_overall: 0.9 }),
      trial(2, 0.7, {}, { health_overall: 0.6 }), // beaten by trial 1 on both
    ]);
    expect(points.map((p) => [p.trial, p.pareto])).toEqual([[0, true], [1, true], [2, false]]);
  });

  it("works on trials recorded from a real server", () => {
    expect(optimizationHistory(real).length).toBe(real.filter((t) => t.state === "COMPLETE").length);
    expect(accuracyHealth(real).some((p) => p.pareto)).toBe(true);
    expect(parallelAxes(real).at(-1)?.param).toBe("objective");
  });
});
