import { describe, expect, it } from "vitest";

import events from "../test/fixtures/events_recorded.json";
import trialsFixture from "../test/fixtures/trials.json";
import jobFixture from "../test/fixtures/job_completed.json";
import { EMPTY_LIVE, type LiveJob, liveReducer } from "./live";
import type { EventEnvelope, Job, TrialSummary } from "./types";

const recorded = events as unknown as EventEnvelope[];

function replay(frames: EventEnvelope[], from: LiveJob = EMPTY_LIVE): LiveJob {
  return frames.reduce((state, event) => liveReducer(state, { kind: "event", event }), from);
}

describe("liveReducer over a recorded WebSocket stream", () => {
  it("starts from the snapshot", () => {
    const state = replay(recorded.slice(0, 1));
    expect(state.job?.state).toBe("RUNNING");
    expect(state.seq).toBe(recorded[0].seq);
    expect(state.trials).toEqual([]);
  });

  it("shows a running trial with its epoch and fraction while it trains", () => {
    const firstProgress = recorded.findIndex((e) => e.type === "epoch_progress");
    const state = replay(recorded.slice(0, firstProgress + 3));
    const trial = state.trials.find((t) => t.number === 0);
    expect(trial?.state).toBe("RUNNING");
    expect(trial?.architecture?.filters.length).toBeGreaterThan(0);
    const last = recorded[firstProgress + 2].data as { fraction: number; epoch: number };
    expect(trial?.progress?.fraction).toBeCloseTo(last.fraction);
    expect(trial?.progress?.epoch).toBe(last.epoch);
    expect(state.job?.progress.running_trials.map((r) => r.trial)).toEqual([0]);
  });

  it("ends with every trial complete, the best one marked, and the final job state", () => {
    const state = replay(recorded);
    expect(state.job?.state).toBe("COMPLETED");
    expect(state.trials.map((t) => t.state)).toEqual(["COMPLETE", "COMPLETE"]);
    const best = state.job?.progress.best_trial;
    expect(best).not.toBeNull();
    expect(state.trials.filter((t) => t.is_best).map((t) => t.number)).toEqual([best]);
    expect(state.trials.every((t) => t.progress === null)).toBe(true);
    expect(state.trials.every((t) => t.health_summary)).toBe(true);
  });

  it("ignores repeated events (seq at or below what it holds)", () => {
    const once = replay(recorded);
    const twice = replay(recorded.slice(1), once);
    expect(twice).toBe(once);
  });

  it("moves the best marker when a later trial becomes best", () => {
    const trials = trialsFixture.trials as unknown as TrialSummary[];
    const job = jobFixture as unknown as Job;
    const polled = liveReducer(EMPTY_LIVE, { kind: "polled", job, trials });
    const other = trials.find((t) => !t.is_best && t.state === "COMPLETE");
    expect(other).toBeDefined();
    const moved = liveReducer(polled, {
      kind: "event",
      event: {
        type: "trial_complete", job_id: job.job_id, seq: job.seq + 1, time: 0,
        data: { trial: other, outcome: "complete", progress: { ...job.progress, best_trial: other!.number } },
      },
    });
    expect(moved.trials.filter((t) => t.is_best).map((t) => t.number)).toEqual([other!.number]);
  });

  it("keeps notices", () => {
    const state = liveReducer(EMPTY_LIVE, {
      kind: "event",
      event: { type: "notice", job_id: "x", seq: 5, time: 0, data: { message: "endpoint down; training locally", level: "warning" } },
    });
    expect(state.notices).toEqual(["endpoint down; training locally"]);
  });
});
