import { act, fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import glossaryFixture from "../test/fixtures/glossary.json";
import jobFixture from "../test/fixtures/job_completed.json";
import trialsFixture from "../test/fixtures/trials.json";
import { reportReachable } from "../api/connectivity";
import type { Glossary, Job, TrialSummary } from "../api/types";
import { App } from "../App";
import { ConnectionBanner } from "./Banner";
import { StudyCharts } from "./charts/StudyCharts";
import { GlossaryProvider } from "./Glossary";
import { PastJobs } from "./PastJobs";

const job = jobFixture as unknown as Job;
const trials = trialsFixture.trials as unknown as TrialSummary[];
const glossary = glossaryFixture as unknown as Glossary;

describe("StudyCharts", () => {
  it("draws one history point per completed trial and the study's importance once the job has it", () => {
    render(<GlossaryProvider glossary={glossary}><StudyCharts job={job} trials={trials} /></GlossaryProvider>);
    const completed = trials.filter((t) => t.state === "COMPLETE").length;
    expect(screen.getByRole("img", { name: "Optimization history" }).querySelectorAll("circle").length).toBe(completed);
    expect(screen.getByText(/From the finished study/)).toBeTruthy();
    const scatter = screen.getByRole("img", { name: "Accuracy vs health" });
    expect(scatter.querySelectorAll("circle.best").length).toBe(1);
  });
  it("says what is missing instead of drawing empty charts", () => {
    render(<StudyCharts job={null} trials={[]} />);
    expect(screen.getByText(/Appears when the first trial completes/)).toBeTruthy();
    expect(screen.getByText(/Needs at least 3 completed trials/)).toBeTruthy();
  });
});

describe("ConnectionBanner", () => {
  it("appears while the server is unreachable and offers a retry", () => {
    let retried = 0;
    const { rerender } = render(<ConnectionBanner online={false} onRetry={() => retried++} />);
    expect(screen.getByTestId("offline-banner").textContent).toMatch(/not reachable/);
    fireEvent.click(screen.getByRole("button", { name: "Retry now" }));
    expect(retried).toBe(1);
    rerender(<ConnectionBanner online onRetry={() => {}} />);
    expect(screen.queryByTestId("offline-banner")).toBeNull();
  });
});

describe("App without a server", () => {
  it("shows the banner once a request fails, and no data", async () => {
    // The test page's origin is 127.0.0.1:9 (vite.config.ts), where nothing listens: like a server that is down.
    render(<App />);
    await screen.findByTestId("offline-banner", undefined, { timeout: 5000 });
    expect(screen.getByTestId("server-status").textContent).toMatch(/unreachable/);
    expect(screen.getByTestId("tile-accuracy").textContent).toContain("–");
    act(() => reportReachable());
    expect(screen.queryByTestId("offline-banner")).toBeNull();
  });
});

describe("PastJobs", () => {
  it("lists jobs with their state and offers Resume only where the server allows it", () => {
    const cancelled = { ...job, job_id: "c1", run_name: "stopped_one", state: "CANCELLED" } as Job;
    const opened: string[] = [];
    render(<PastJobs jobs={[job, cancelled]} selected={job.job_id} onOpen={(id) => opened.push(id)} onResumed={() => {}} />);
    expect(screen.getAllByRole("button", { name: "Resume" }).length).toBe(1);
    fireEvent.click(screen.getByText("stopped_one"));
    expect(opened).toEqual(["c1"]);
  });
});
