import { fireEvent, render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import datasetsFixture from "../test/fixtures/datasets.json";
import glossaryFixture from "../test/fixtures/glossary.json";
import jobFixture from "../test/fixtures/job_completed.json";
import detailFixture from "../test/fixtures/trial_detail.json";
import trialsFixture from "../test/fixtures/trials.json";
import events from "../test/fixtures/events_recorded.json";
import type { DatasetEntry, EventEnvelope, Glossary, Job, TrialDetail, TrialSummary } from "../api/types";
import { EMPTY_LIVE, liveReducer } from "../api/live";
import { Controls } from "./Controls";
import { GlossaryProvider, Term } from "./Glossary";
import { HealthKeyNumbers, LayerTable, MetricBars } from "./HealthPanels";
import { LiveProgress } from "./LiveProgress";
import { SummaryTiles } from "./SummaryTiles";
import { TrialGallery } from "./TrialGallery";

const glossary = glossaryFixture as unknown as Glossary;
const job = jobFixture as unknown as Job;
const trials = trialsFixture.trials as unknown as TrialSummary[];
const detail = detailFixture as unknown as TrialDetail;
const datasets = datasetsFixture.datasets as DatasetEntry[];

const withGlossary = (ui: React.ReactNode) => render(<GlossaryProvider glossary={glossary}>{ui}</GlossaryProvider>);

describe("SummaryTiles", () => {
  it("shows the job's own numbers", () => {
    render(<SummaryTiles job={job} />);
    const p = job.progress;
    expect(screen.getByTestId("tile-trials").textContent).toContain(`${p.finished} / ${p.total_trials}`);
    expect(screen.getByTestId("tile-accuracy").textContent).toContain(`${(p.best_accuracy! * 100).toFixed(2)}%`);
    expect(screen.getByTestId("tile-score").textContent).toContain(p.best_score!.toFixed(4));
    expect(screen.getByTestId("tile-score").textContent).toContain("accuracy + health");
  });
  it("shows dashes, not numbers, without a job", () => {
    render(<SummaryTiles job={null} />);
    expect(screen.getByTestId("tile-accuracy").textContent).toContain("–");
  });
});

describe("LiveProgress", () => {
  it("shows epoch N of M and the share of the epoch for a running trial", () => {
    const frames = events as unknown as EventEnvelope[];
    const index = frames.findIndex((e) => e.type === "epoch_progress") + 4;
    const state = frames.slice(0, index + 1).reduce((s, event) => liveReducer(s, { kind: "event", event }), EMPTY_LIVE);
    render(<LiveProgress job={state.job} link="live" />);
    const data = frames[index].data as { epoch: number; total_epochs: number; fraction: number };
    const row = screen.getByTestId("running-0");
    expect(row.textContent).toContain(`epoch ${data.epoch} of ${data.total_epochs}`);
    expect(row.textContent).toContain(`${Math.round(data.fraction * 100)}% of this epoch`);
    expect(screen.getByText("live")).toBeTruthy();
  });
});

describe("TrialGallery", () => {
  it("highlights the best trial, filters by state and sorts", () => {
    render(<TrialGallery trials={trials} onOpen={() => {}} />);
    const best = trials.find((t) => t.is_best)!;
    expect(screen.getByTestId(`trial-${best.number}`).className).toContain("best");
    fireEvent.click(screen.getByRole("button", { name: /^pruned/ }));
    const pruned = trials.filter((t) => t.state === "PRUNED").length;
    expect(screen.queryAllByTestId(/^trial-/).length).toBe(pruned);
    fireEvent.click(screen.getByRole("button", { name: /^all/ }));
    fireEvent.change(screen.getByLabelText("Sort trials"), { target: { value: "value" } });
    const first = screen.getAllByTestId(/^trial-/)[0];
    expect(first.getAttribute("data-testid")).toBe(`trial-${best.number}`);
  });
  it("opens a trial on click and on Enter", () => {
    const opened: number[] = [];
    render(<TrialGallery trials={trials} onOpen={(n) => opened.push(n)} />);
    fireEvent.click(screen.getByTestId("trial-0"));
    fireEvent.keyDown(screen.getByTestId("trial-1"), { key: "Enter" });
    expect(opened).toEqual([0, 1]);
  });
});

describe("teaching", () => {
  it("explains a hyperparameter through its Optuna alias with the server's words", () => {
    withGlossary(<Term kind="hyperparameter" name="filters_2" />);
    const button = screen.getByRole("button", { name: /What is/ });
    fireEvent.click(button);
    const tip = screen.getByRole("tooltip");
    expect(tip.textContent).toContain(glossary.hyperparameters.filters.what);
  });
  it("explains every health metric in the bars", () => {
    withGlossary(<MetricBars metrics={detail.health!.metrics} />);
    for (const name of Object.keys(detail.health!.metrics)) {
      expect(screen.getByRole("button", { name: `What is ${glossary.health_metrics[name].title}?` })).toBeTruthy();
    }
  });
  it("shows no explanation rather than an invented one for unknown terms", () => {
    withGlossary(<Term kind="health" name="no_such_metric">Thing</Term>);
    expect(screen.queryByRole("button")).toBeNull();
  });
});

describe("health panels", () => {
  it("flags layers with many dead units and shows key numbers in two columns", () => {
    withGlossary(
      <>
        <LayerTable health={detail.health!} />
        <HealthKeyNumbers trial={detail} health={detail.health} history={detail.history} />
      </>,
    );
    const worst = detail.health!.per_layer.reduce((a, b) => ((b.dead ?? 0) > (a.dead ?? 0) ? b : a));
    const row = within(screen.getByTestId("layer-table")).getByText(worst.name).closest("tr")!;
    expect(row.querySelector("td.warn")?.textContent).toBe(`${((worst.dead ?? 0) * 100).toFixed(1)}%`);
    const numbers = screen.getByTestId("health-key-numbers");
    expect(numbers.textContent).toContain(`${(detail.health!.dead_fraction! * 100).toFixed(1)}%`);
  });
});

describe("Controls", () => {
  it("shows validation messages before submitting and blocks the start", () => {
    withGlossary(<Controls datasets={datasets} current={null} online onStarted={() => {}} onCancelled={() => {}} />);
    fireEvent.change(screen.getByLabelText(/^Trials/), { target: { value: "0" } });
    expect(screen.getByText(/Trials must be between 1 and/)).toBeTruthy();
    expect((screen.getByRole("button", { name: "Start search" }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(screen.getByLabelText(/^Trials/), { target: { value: "3" } });
    expect((screen.getByRole("button", { name: "Start search" }) as HTMLButtonElement).disabled).toBe(false);
  });
  it("asks for an endpoint when execution is remote and lists datasets with availability", () => {
    withGlossary(<Controls datasets={datasets} current={null} online onStarted={() => {}} onCancelled={() => {}} />);
    fireEvent.change(screen.getByLabelText(/^Execution/), { target: { value: "remote" } });
    fireEvent.submit(screen.getByRole("form", { name: "Start a search" }));
    expect(screen.getByText(/Enter the endpoint/)).toBeTruthy();
    const options = Array.from((screen.getByLabelText(/^Dataset/) as HTMLSelectElement).options).map((o) => o.text);
    expect(options.length).toBe(datasets.length);
    expect(options.some((o) => o.includes("image classification"))).toBe(true);
  });
  it("offers Cancel only for a running job, and says when a cancel is under way", () => {
    const running = { ...job, state: "RUNNING", cancel_requested: true } as Job;
    withGlossary(<Controls datasets={datasets} current={running} online onStarted={() => {}} onCancelled={() => {}} />);
    const cancel = screen.getByRole("button", { name: "Cancelling…" }) as HTMLButtonElement;
    expect(cancel.disabled).toBe(true);
  });
});
