// One trial opened: health summary, interactive architecture graph, health breakdown with per-layer dead
// and saturated units, training curves with gradient flow and weights (live, or replayed epoch by epoch),
// the trial's plots and its hyperparameters.
import { useEffect, useRef, useState } from "react";

import { ApiError, api, links } from "../api/client";
import type { TrialDetail as Detail, TrialSummary, RunningTrial } from "../api/types";
import { duration, fixed, paramValue, pct } from "../lib/format";
import { STATE_LABEL } from "../lib/trials";
import { ArchitectureDownloads } from "./ArchitectureDownloads";
import { ArchitectureView } from "./ArchitectureView";
import { HistoryChart } from "./charts/HistoryChart";
import { Term } from "./Glossary";
import { HealthKeyNumbers, HealthSummary, LayerTable, MetricBars } from "./HealthPanels";
import { LiveLayerViews, TrainingReplay } from "./TrainingReplay";

interface Props {
  jobId: string;
  summary: TrialSummary | undefined; // the live tile; a change of state reloads the detail
  number: number;
  onClose: () => void;
  running?: RunningTrial; // while the trial trains: its progress, with the epochs finished so far
}

export function TrialDetail({ jobId, summary, number, onClose, running }: Props) {
  const [detail, setDetail] = useState<Detail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const dialog = useRef<HTMLDivElement>(null);
  const version = `${summary?.state}:${summary?.plots.length}:${summary?.finished_at}`;

  useEffect(() => {
    let cancelled = false;
    api.trial(jobId, number).then(
      (d) => !cancelled && (setDetail(d), setError(null)),
      (err) => !cancelled && setError(err instanceof ApiError ? err.message : String(err)),
    );
    return () => {
      cancelled = true;
    };
  }, [jobId, number, version]);

  useEffect(() => {
    dialog.current?.focus();
    const onKey = (event: KeyboardEvent) => event.key === "Escape" && onClose();
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [onClose]);

  const trial = detail ?? summary;
  return (
    <div className="overlay" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className="dialog" role="dialog" aria-modal="true" aria-label={`Trial ${number}`} tabIndex={-1} ref={dialog}
        data-testid="trial-detail">
        <header className="dialog-head">
          <h2>
            Trial #{number}{" "}
            {trial && <span className={`badge badge-${STATE_LABEL[trial.state]}`}>{STATE_LABEL[trial.state]}</span>}
            {trial?.is_best && <span className="badge badge-best">best</span>}
          </h2>
          <button type="button" className="close" onClick={onClose} aria-label="Close trial">×</button>
        </header>
        {error && <p className="form-error" role="alert">{error}</p>}
        {!trial && !error && <p className="muted">Loading trial…</p>}
        {trial && (
          <div className="dialog-body">
            <dl className="facts-inline">
              <div><dt>Objective</dt><dd>{fixed(trial.value, 4)}</dd></div>
              <div><dt>Val. accuracy</dt><dd>{pct(trial.metrics.val_accuracy as number | null, 2)}</dd></div>
              <div><dt>Test accuracy</dt><dd>{pct(trial.metrics.test_accuracy as number | null, 2)}</dd></div>
              <div><dt><Term kind="health" name="health_overall">Health</Term></dt><dd>{fixed(trial.health_overall, 3)}</dd></div>
              <div><dt>Duration</dt><dd>{duration(trial.duration_s)}</dd></div>
              <div><dt>Epochs</dt><dd>{paramValue(trial.metrics.epochs_run)}</dd></div>
              {trial.metrics.stop_reason != null && (
                <div><dt>Stopped</dt><dd>{String(trial.metrics.stop_reason)}</dd></div>
              )}
            </dl>
            {trial.error && <p className="form-error">{trial.error}</p>}
            <section>
              <h3>Health in plain words</h3>
              <HealthSummary summary={trial.health_summary} issues={detail?.health?.issues} />
            </section>
            <section>
              <h3>Architecture</h3>
              {detail?.graph ? (
                <ArchitectureView graph={detail.graph} jobId={jobId} trial={number}
                  playable={detail.state === "COMPLETE"} />
              ) : (
                <p className="muted">{detail ? "This trial has no model configuration." : "Loading graph…"}</p>
              )}
              {detail?.graph && <ArchitectureDownloads jobId={jobId} trial={number} />}
            </section>
            {detail?.health && (
              <section>
                <h3>Health breakdown</h3>
                <div className="split">
                  <MetricBars metrics={detail.health.metrics} unmeasured={detail.health.unmeasured} />
                  <HealthKeyNumbers trial={detail} health={detail.health} history={detail.history} />
                </div>
                <h4>Per layer</h4>
                <LayerTable health={detail.health} />
              </section>
            )}
            {detail && detail.history.length > 0 ? (
              <section data-testid="training-replay">
                <h3>Training, epoch by epoch</h3>
                <TrainingReplay history={detail.history} layerStats={detail.layer_stats ?? []} />
              </section>
            ) : running?.history?.length ? (
              <section data-testid="live-curves">
                <h3>Training curves so far</h3>
                <p className="muted small">
                  Epoch {running.history.length} of {running.total_epochs} done; the curves grow as each epoch ends.
                </p>
                <HistoryChart history={running.history} />
                <LiveLayerViews stats={running.layers} />
              </section>
            ) : null}
            <section>
              <h3>Plots</h3>
              <TrialPlots jobId={jobId} number={number} plots={trial.plots} />
            </section>
            <section>
              <h3>Hyperparameters</h3>
              <Params params={trial.params} />
            </section>
          </div>
        )}
      </div>
    </div>
  );
}

function TrialPlots({ jobId, number, plots }: { jobId: string; number: number; plots: string[] }) {
  const images = plots.filter((p) => p.endsWith(".png"));
  const pages = plots.filter((p) => p.endsWith(".html"));
  if (!plots.length) {
    return (
      <p className="muted">
        No plots for this trial. With plot_generation "best" (the default) the best trial's plots are drawn when
        the job ends; "all" draws them for every completed trial.
      </p>
    );
  }
  return (
    <>
      <div className="plots">
        {images.map((name) => (
          <figure key={name}>
            <a href={links.trialPlot(jobId, number, name)} target="_blank" rel="noreferrer">
              <img src={links.trialPlot(jobId, number, name)} alt={name.replace(/_/g, " ").replace(/\.png$/, "")}
                loading="lazy" />
            </a>
            <figcaption>{name.replace(/_/g, " ").replace(/\.png$/, "")}</figcaption>
          </figure>
        ))}
      </div>
      {pages.length > 0 && (
        <p className="small">
          Interactive:{" "}
          {pages.map((name, i) => (
            <span key={name}>
              {i > 0 && " · "}
              <a href={links.trialPlot(jobId, number, name)} target="_blank" rel="noreferrer">{name}</a>
            </span>
          ))}
        </p>
      )}
    </>
  );
}

function Params({ params }: { params: Record<string, unknown> }) {
  const entries = Object.entries(params).sort(([a], [b]) => a.localeCompare(b));
  if (!entries.length) return <p className="muted">Not known yet (the trial has not reported its parameters).</p>;
  return (
    <dl className="params">
      {entries.map(([key, value]) => (
        <div key={key} className="param">
          <dt><Term kind="hyperparameter" name={key}>{key}</Term></dt>
          <dd>{paramValue(value)}</dd>
        </div>
      ))}
    </dl>
  );
}
