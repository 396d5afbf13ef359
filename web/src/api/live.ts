// The live picture of one job: a pure reducer over the WebSocket events of docs/api.md (and over the polled
// REST answers when the socket is down), so the same code path serves both and is testable without a server.
import type {
  EpochProgressData,
  EventEnvelope,
  Job,
  JobSnapshot,
  NoticeData,
  Progress,
  RunningTrial,
  TrialCompleteData,
  TrialStartData,
  TrialSummary,
} from "./types";

export interface LiveJob {
  job: Job | null;
  trials: TrialSummary[]; // ordered by number
  seq: number; // last applied event of this job; -1 before the first snapshot
  notices: string[];
}

export const EMPTY_LIVE: LiveJob = { job: null, trials: [], seq: -1, notices: [] };

export type LiveAction =
  | { kind: "event"; event: EventEnvelope }
  | { kind: "polled"; job: Job; trials: TrialSummary[] }
  | { kind: "reset" };

const MAX_NOTICES = 20;

export function liveReducer(state: LiveJob, action: LiveAction): LiveJob {
  if (action.kind === "reset") return EMPTY_LIVE;
  if (action.kind === "polled") {
    return { ...state, job: action.job, trials: withBest(sorted(action.trials), action.job.progress), seq: action.job.seq };
  }
  const event = action.event;
  if (event.type === "snapshot") {
    const data = event.data as JobSnapshot;
    if (!data.job) return state; // the all-jobs socket's snapshot; not for this reducer
    return { ...state, job: data.job, trials: withBest(sorted(data.trials), data.job.progress), seq: event.seq ?? data.job.seq };
  }
  // Events at or below what we already hold are repeats (a snapshot can already include them).
  if (event.seq != null && event.seq <= state.seq) return state;
  const seq = event.seq ?? state.seq;
  switch (event.type) {
    case "job_status":
    case "job_complete": {
      const job = event.data as Job;
      return { ...state, seq, job, trials: withBest(state.trials, job.progress) };
    }
    case "trial_start": {
      const data = event.data as TrialStartData;
      const previous = state.trials.find((t) => t.number === data.trial);
      const progress = data.progress.running_trials.find((r) => r.trial === data.trial) ?? null;
      const trial: TrialSummary = {
        ...(previous ?? blankTrial(data.trial)),
        state: "RUNNING",
        architecture: data.architecture ?? previous?.architecture ?? null,
        progress,
        started_at: progress?.started ?? event.time,
        worker: data.worker,
      };
      return withProgress({ ...state, seq, trials: upsert(state.trials, trial) }, data.progress);
    }
    case "epoch_progress": {
      const data = event.data as EpochProgressData;
      const previous = state.trials.find((t) => t.number === data.trial) ?? blankTrial(data.trial);
      const known = data.progress.running_trials.find((r) => r.trial === data.trial);
      const progress: RunningTrial = {
        trial: data.trial,
        worker: known?.worker ?? previous.worker ?? "local",
        started: known?.started ?? previous.started_at ?? event.time,
        epoch: data.epoch,
        total_epochs: data.total_epochs,
        fraction: data.fraction,
        loss: data.loss,
        accuracy: data.accuracy,
        val_accuracy: data.val_accuracy ?? previous.progress?.val_accuracy ?? null,
      };
      const trial: TrialSummary = { ...previous, state: "RUNNING", progress };
      return withProgress({ ...state, seq, trials: upsert(state.trials, trial) }, data.progress);
    }
    case "trial_complete": {
      const data = event.data as TrialCompleteData;
      return withProgress({ ...state, seq, trials: upsert(state.trials, data.trial) }, data.progress);
    }
    case "notice": {
      const data = event.data as NoticeData;
      return { ...state, seq, notices: [...state.notices, data.message].slice(-MAX_NOTICES) };
    }
    default:
      return { ...state, seq };
  }
}

function withProgress(state: LiveJob, progress: Progress): LiveJob {
  const job = state.job ? { ...state.job, progress } : state.job;
  return { ...state, job, trials: withBest(state.trials, progress) };
}

/** The best trial moves as trials finish: the job's progress names it, so every tile agrees. */
function withBest(trials: TrialSummary[], progress: Progress | undefined): TrialSummary[] {
  const best = progress?.best_trial;
  if (best == null) return trials;
  return trials.map((t) => (t.is_best === (t.number === best) ? t : { ...t, is_best: t.number === best }));
}

function sorted(trials: TrialSummary[]): TrialSummary[] {
  return [...trials].sort((a, b) => a.number - b.number);
}

function upsert(trials: TrialSummary[], trial: TrialSummary): TrialSummary[] {
  const index = trials.findIndex((t) => t.number === trial.number);
  if (index === -1) return sorted([...trials, trial]);
  const next = [...trials];
  next[index] = trial;
  return next;
}

function blankTrial(number: number): TrialSummary {
  return {
    number,
    state: "RUNNING",
    params: {},
    architecture: null,
    value: null,
    metrics: {},
    health_overall: null,
    health_metrics: null,
    health_summary: null,
    started_at: null,
    finished_at: null,
    duration_s: null,
    worker: null,
    error: null,
    is_best: false,
    plots: [],
    progress: null,
  };
}
