// Earlier jobs, newest first: open one to see it exactly as it finished; resume a cancelled or interrupted one.
import { useState } from "react";

import { ApiError, api } from "../api/client";
import { RESUMABLE_JOB_STATES } from "../api/schema";
import type { Job } from "../api/types";
import { fixed, pct, timestamp } from "../lib/format";

export function PastJobs({ jobs, selected, onOpen, onResumed, onRerun }: {
  jobs: Job[] | null;
  selected: string | null;
  onOpen: (jobId: string) => void;
  onResumed: (job: Job) => void;
  onRerun?: (config: Record<string, unknown>) => void; // fill the form with this job's configuration
}) {
  const [error, setError] = useState<string | null>(null);
  if (!jobs) return <p className="muted">Loading jobs…</p>;
  if (!jobs.length) return <p className="empty">No jobs yet on this server.</p>;

  async function resume(jobId: string) {
    setError(null);
    try {
      onResumed(await api.resume(jobId));
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    }
  }

  return (
    <>
      {error && <p className="form-error" role="alert">{error}</p>}
      <ul className="jobs" data-testid="jobs">
        {jobs.map((job) => {
          const p = job.progress;
          return (
            <li key={job.job_id} className={job.job_id === selected ? "job on" : "job"}>
              <button type="button" className="job-open" onClick={() => onOpen(job.job_id)}
                aria-current={job.job_id === selected}>
                <span className="job-name">{job.run_name}</span>
                <span className={`state state-${job.state.toLowerCase()}`}>{job.state}</span>
                <span className="muted small">
                  {String(job.config.dataset)} · {String(job.config.mode)} · {p.finished}/{p.total_trials} trials ·
                  best acc {pct(p.best_accuracy, 1)} · score {fixed(p.best_score, 3)} · {timestamp(job.created_at)}
                </span>
              </button>
              {RESUMABLE_JOB_STATES.includes(job.state) && (
                <button type="button" className="small-button" onClick={() => resume(job.job_id)}>Resume</button>
              )}
              {onRerun && (
                <button type="button" className="small-button" onClick={() => onRerun(job.config)}
                  title="Fill the form with this job's configuration (a new run name)">Run again</button>
              )}
            </li>
          );
        })}
      </ul>
    </>
  );
}
