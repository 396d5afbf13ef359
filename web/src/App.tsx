// The dashboard: start a search, watch it live, compare its trials, understand their health, and download
// the best model. Everything shown comes from the server (REST + WebSocket, docs/api.md).
import { useCallback, useEffect, useState } from "react";

import { ACTIVE_JOB_STATES } from "./api/schema";
import type { Job } from "./api/types";
import { BestModel } from "./components/BestModel";
import { ConnectionBanner, ErrorLine, TokenPrompt } from "./components/Banner";
import { StudyCharts } from "./components/charts/StudyCharts";
import { Controls } from "./components/Controls";
import { GlossaryProvider } from "./components/Glossary";
import { LiveProgress } from "./components/LiveProgress";
import { PastJobs } from "./components/PastJobs";
import { SummaryTiles } from "./components/SummaryTiles";
import { TrialDetail } from "./components/TrialDetail";
import { TrialGallery } from "./components/TrialGallery";
import { YourData } from "./components/YourData";
import { TensorBoardButton } from "./components/TensorBoardButton";
import { useJobLive } from "./hooks/useJobLive";
import { useServer } from "./hooks/useServer";
import { timestamp } from "./lib/format";

function jobFromHash(): string | null {
  const match = /(?:^#|&)job=([^&]+)/.exec(window.location.hash);
  return match ? decodeURIComponent(match[1]) : null;
}

export function App() {
  const server = useServer();
  const [jobId, setJobId] = useState<string | null>(jobFromHash);
  const [openTrial, setOpenTrial] = useState<number | null>(null);
  const [uploaded, setUploaded] = useState<string | null>(null); // the form switches to a fresh upload
  const [preset, setPreset] = useState<{ config: Record<string, unknown>; nonce: number } | null>(null);
  const live = useJobLive(jobId);
  const job = live.job;

  const select = useCallback((id: string) => {
    setJobId(id);
    setOpenTrial(null);
    window.history.replaceState(null, "", `#job=${encodeURIComponent(id)}`);
  }, []);

  // With nothing chosen yet, follow the job that is running (or the newest one).
  useEffect(() => {
    if (jobId || !server.jobs?.length) return;
    const active = server.jobs.find((j) => ACTIVE_JOB_STATES.includes(j.state));
    select((active ?? server.jobs[0]).job_id);
  }, [jobId, server.jobs, select]);

  const onStarted = (started: Job) => {
    select(started.job_id);
    server.refreshJobs();
  };
  const closeTrial = useCallback(() => setOpenTrial(null), []);

  return (
    <GlossaryProvider glossary={server.glossary}>
      <header className="top-bar">
        <h1>nettune</h1>
        <span className="muted small">health-aware hyperparameter search</span>
        <span className={server.online ? "pill pill-up" : "pill pill-down"} data-testid="server-status">
          {server.online ? `server ${server.health?.version ?? ""} connected` : "server unreachable"}
        </span>
      </header>
      <ConnectionBanner online={server.online} onRetry={server.retryNow} />
      {server.authNeeded && <TokenPrompt onSaved={server.retryNow} />}
      <ErrorLine message={server.online ? server.error : null} />
      <main>
        <div className="top-grid">
          <Controls datasets={server.datasets} limits={server.health?.limits} current={job} online={server.online} onStarted={onStarted}
            onCancelled={() => server.refreshJobs()} preferredDataset={uploaded} schema={server.schema}
            preset={preset} />
          <div className="live-col">
            {job && (
              <div className="job-title" data-testid="job-title">
                <strong>{job.run_name}</strong>
                <span className="muted small">
                  {String(job.config.dataset)} · started {timestamp(job.started_at ?? job.created_at)}
                  {job.finished_at ? ` · ended ${timestamp(job.finished_at)}` : ""}
                </span>
                {job.config.tensorboard === true && <TensorBoardButton jobId={job.job_id} />}
              </div>
            )}
            {live.error && <p className="form-error" role="alert">{live.error}</p>}
            <SummaryTiles job={job} />
            <LiveProgress job={job} link={live.link} />
            {live.notices.length > 0 && (
              <ul className="notices">{live.notices.map((n, i) => <li key={i}>{n}</li>)}</ul>
            )}
          </div>
        </div>
        <YourData datasets={server.datasets} onDeleted={server.refreshDatasets}
          onUploaded={(name) => { setUploaded(name); server.refreshDatasets(); }} />
        {job && <BestModel job={job} />}
        {job && (
          <section aria-label="Study charts">
            <h2>Study</h2>
            <StudyCharts job={job} trials={live.trials} />
          </section>
        )}
        {job && <TrialGallery trials={live.trials} onOpen={setOpenTrial} />}
        <section aria-label="Past jobs" className="past">
          <h2>Jobs on this server</h2>
          <PastJobs jobs={server.jobs} selected={jobId} onOpen={select} onResumed={(j) => onStarted(j)}
            onRerun={(config) => { setPreset({ config, nonce: Date.now() }); window.scrollTo(0, 0); }} />
        </section>
      </main>
      {job && openTrial != null && (
        <TrialDetail jobId={job.job_id} number={openTrial} onClose={closeTrial}
          summary={live.trials.find((t) => t.number === openTrial)}
          running={job.progress.running_trials.find((r) => r.trial === openTrial)} />
      )}
    </GlossaryProvider>
  );
}
