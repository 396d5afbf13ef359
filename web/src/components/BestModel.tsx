// The best model so far: its graph, its health in two columns, and the Download button that becomes active
// once the optimized model has been assembled.
import { useEffect, useState } from "react";

import { ApiError, api, links } from "../api/client";
import { ACTIVE_JOB_STATES } from "../api/schema";
import type { BestModel as Best, Job } from "../api/types";
import { fixed, pct } from "../lib/format";
import { ArchitectureDownloads } from "./ArchitectureDownloads";
import { ArchitectureView } from "./ArchitectureView";
import { HealthKeyNumbers, HealthSummary } from "./HealthPanels";

export function BestModel({ job }: { job: Job }) {
  const [best, setBest] = useState<Best | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const bestTrial = job.progress.best_trial;

  useEffect(() => {
    let cancelled = false;
    if (bestTrial == null) {
      setBest(null);
      setMessage("No completed trial yet: the best model appears when the first trial completes.");
      return;
    }
    api.bestModel(job.job_id).then(
      (b) => !cancelled && (setBest(b), setMessage(null)),
      (err) => {
        if (cancelled) return;
        if (err instanceof ApiError && err.unreachable) return; // the banner says it; keep what we have
        setMessage(err instanceof ApiError ? err.message : String(err));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [job.job_id, bestTrial, job.state, job.model_ready]);

  const trial = best?.trial;
  return (
    <section className="card best" aria-label="Best model" data-testid="best-model">
      <div className="best-head">
        <h2>Best model{trial ? ` — trial #${trial.number}` : ""}</h2>
        <DownloadButton job={job} />
      </div>
      {message && <p className="muted">{message}</p>}
      {trial && (
        <>
          <p className="best-line">
            {job.progress.mode === "health" ? "Total score" : "Accuracy objective"} {fixed(trial.value, 4)} ·
            validation accuracy {pct(trial.metrics.val_accuracy as number | null, 2)}
            {trial.metrics.test_accuracy != null && ` · test accuracy ${pct(trial.metrics.test_accuracy as number, 2)}`}
          </p>
          <HealthSummary summary={trial.health_summary} />
          <div className="split best-split">
            {trial.graph ? <ArchitectureView graph={trial.graph} jobId={job.job_id} trial={null} playable />
              : <p className="muted">No graph for this trial.</p>}
            <HealthKeyNumbers trial={trial} health={trial.health} history={trial.history} />
          </div>
          {trial.graph && <ArchitectureDownloads jobId={job.job_id} trial={null} />}
        </>
      )}
    </section>
  );
}

function DownloadButton({ job }: { job: Job }) {
  if (job.model_ready) {
    return (
      <a className="button primary" href={links.download(job.job_id)} download data-testid="download">
        Download model (.zip)
      </a>
    );
  }
  const why = ACTIVE_JOB_STATES.includes(job.state)
    ? "The optimized model is assembled when the job ends."
    : "This job has no optimized model (no trial saved one).";
  return (
    <span className="download-wait">
      <button type="button" className="primary" disabled data-testid="download" aria-describedby="download-why">
        Download model (.zip)
      </button>
      <span id="download-why" className="muted small">{why}</span>
    </span>
  );
}
