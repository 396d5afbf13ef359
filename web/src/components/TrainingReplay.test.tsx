import { act, fireEvent, render, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import glossaryFixture from "../test/fixtures/glossary.json";
import recorded from "../test/fixtures/layer_stats.json";
import type { Glossary, HistoryRow, LayerStatsEpoch } from "../api/types";
import { GradientFlowChart, WeightStatsChart, gradientRange } from "./charts/LayerCharts";
import { GlossaryProvider } from "./Glossary";
import { LiveLayerViews, REPLAY_STEP_MS, TrainingReplay } from "./TrainingReplay";

// Recorded from a real 4-epoch CNN trial on 3% of MNIST (see the fixtures' README).
const stats = recorded.layer_stats as unknown as LayerStatsEpoch[];
const history = recorded.history as unknown as HistoryRow[];
const glossary = glossaryFixture as unknown as Glossary;
const withGlossary = (ui: React.ReactNode) => render(<GlossaryProvider glossary={glossary}>{ui}</GlossaryProvider>);

const meanBarHeights = () => Array.from(screen.getByTestId("gradient-flow").querySelectorAll("rect.grad-mean"))
  .map((r) => Number(r.getAttribute("height")));

afterEach(() => vi.useRealTimers());

describe("GradientFlowChart", () => {
  it("draws one mean and one max bar per layer, taller for a larger norm on a log axis", () => {
    const last = stats[stats.length - 1];
    withGlossary(<GradientFlowChart stats={last} />);
    const chart = screen.getByRole("img", { name: `Gradient flow, epoch ${last.epoch}` });
    expect(chart.querySelectorAll("rect.grad-max").length).toBe(last.layers.length);
    const heights = meanBarHeights();
    const order = (values: number[]) => values.map((_, i) => i).sort((a, b) => values[a] - values[b]);
    expect(order(heights)).toEqual(order(last.grad_mean as number[]));
    expect(screen.getByRole("button", { name: `Download Gradient flow, epoch ${last.epoch} as PNG` })).toBeTruthy();
    expect(screen.getByRole("button", { name: `What is ${glossary.health_metrics.gradient_flow.title}?` })).toBeTruthy();
  });
  it("spans whole decades that hold every epoch's norms", () => {
    const [lo, hi] = gradientRange(stats);
    const all = stats.flatMap((s) => [...s.grad_mean, ...s.grad_max]) as number[];
    expect(10 ** lo).toBeLessThanOrEqual(Math.min(...all));
    expect(10 ** hi).toBeGreaterThanOrEqual(Math.max(...all));
  });
});

describe("WeightStatsChart", () => {
  it("shows each layer's weight and bias histograms, and says where a layer has no bias", () => {
    const first = stats[0];
    withGlossary(<WeightStatsChart stats={first} />);
    const chart = screen.getByRole("img", { name: `Weights and biases, epoch ${first.epoch}` });
    expect(chart.querySelectorAll("g[data-layer]").length).toBe(first.layers.length);
    expect(chart.querySelectorAll(".hist-weight").length).toBe(first.layers.length);
    const noBias = first.bias.hist.filter((h) => h === null).length;
    expect(noBias).toBeGreaterThan(0); // a conv before batch norm has none
    expect(within(chart as unknown as HTMLElement).getAllByText("no bias").length).toBe(noBias);
    expect(chart.querySelectorAll(".hist-weight .hist-bar").length).toBe(first.layers.length * first.weight.hist[0]!.length);
    expect(screen.getByText(new RegExp(`values in ${first.weight.hist[0]!.length} equal bins`))).toBeTruthy();
  });
});

describe("TrainingReplay", () => {
  it("starts at the last epoch; moving the slider redraws curves, gradient flow and weights for that epoch", () => {
    withGlossary(<TrainingReplay history={history} layerStats={stats} />);
    const slider = screen.getByTestId("replay-slider") as HTMLInputElement;
    expect(slider.value).toBe(String(stats.length));
    const dots = () => screen.getByRole("img", { name: "Training accuracy" }).querySelectorAll("circle").length;
    expect(dots()).toBe(2 * history.length);
    const atEnd = meanBarHeights();
    fireEvent.change(slider, { target: { value: "1" } });
    expect(screen.getByTestId("replay-epoch").textContent).toBe(`epoch 1 of ${stats.length}`);
    expect(dots()).toBe(2); // train and validation accuracy of epoch 1
    expect(screen.getByRole("img", { name: "Gradient flow, epoch 1" })).toBeTruthy();
    expect(screen.getByRole("img", { name: "Weights and biases, epoch 1" })).toBeTruthy();
    expect(meanBarHeights()).not.toEqual(atEnd);
  });
  it("plays from the first epoch to the last, one epoch per step, then stops", () => {
    vi.useFakeTimers();
    withGlossary(<TrainingReplay history={history} layerStats={stats} />);
    fireEvent.click(screen.getByTestId("replay-play"));
    expect(screen.getByTestId("replay-epoch").textContent).toBe(`epoch 1 of ${stats.length}`);
    for (let epoch = 2; epoch <= stats.length; epoch++) {
      act(() => vi.advanceTimersByTime(REPLAY_STEP_MS));
      expect(screen.getByTestId("replay-epoch").textContent).toBe(`epoch ${epoch} of ${stats.length}`);
    }
    act(() => vi.advanceTimersByTime(REPLAY_STEP_MS * 3));
    expect(screen.getByTestId("replay-epoch").textContent).toBe(`epoch ${stats.length} of ${stats.length}`);
    expect(screen.getByTestId("replay-play").textContent).toMatch(/Play/);
  });
  it("still replays the curves of a trial that saved no layer statistics", () => {
    withGlossary(<TrainingReplay history={history} layerStats={[]} />);
    expect(screen.getByText(/saved no per-epoch layer statistics/)).toBeTruthy();
    fireEvent.change(screen.getByTestId("replay-slider"), { target: { value: "2" } });
    expect(screen.getByRole("img", { name: "Training loss" }).querySelectorAll("circle").length).toBe(4);
  });
});

describe("LiveLayerViews", () => {
  it("draws the running trial's latest epoch, or says when the views will appear", () => {
    const { rerender } = withGlossary(<LiveLayerViews stats={null} />);
    expect(screen.getByText(/appear when the first epoch ends/)).toBeTruthy();
    rerender(<GlossaryProvider glossary={glossary}><LiveLayerViews stats={stats[1]} /></GlossaryProvider>);
    expect(screen.getByRole("img", { name: "Gradient flow, epoch 2" })).toBeTruthy();
    expect(screen.getByRole("img", { name: "Weights and biases, epoch 2" })).toBeTruthy();
  });
});
