// Per running trial: epoch N of M and % within the epoch, updated from the WebSocket; overall progress
// and ETA. Bars animate between updates (CSS transitions), so ~20 updates per epoch look smooth.
import type { Job, RunningTrial } from "../api/types";
import { duration, pct } from "../lib/format";
import type { LinkState } from "../hooks/useJobLive";

const LINK_TEXT: Record<LinkState, string> = {
  idle: "",
  connecting: "connecting…",
  live: "live",
  polling: "polling (live connection down)",
  down: "server unreachable",
};

export function LiveProgress({ job, link }: { job: Job | null; link: LinkState }) {
  if (!job) {
    return (
      <section className="card progress" aria-label="Progress">
        <h3>Progress</h3>
        <p className="empty">Start a search or open a past job to see its progress.</p>
      </section>
    );
  }
  const p = job.progress;
  const running = job.state === "RUNNING";
  const inFlight = p.running_trials.reduce((sum, r) => sum + runDone(r), 0);
  const overall = p.total_trials > 0 ? Math.min(1, (p.finished + (running ? inFlight : 0)) / p.total_trials) : 0;
  return (
    <section className="card progress" aria-label="Progress">
      <div className="progress-head">
        <h3>
          Progress <span className={`state state-${job.state.toLowerCase()}`}>{job.state}</span>
        </h3>
        {LINK_TEXT[link] && <span className={`link link-${link}`}>{LINK_TEXT[link]}</span>}
      </div>
      <div className="overall" data-testid="overall-progress">
        <Bar value={overall} label={`Overall: ${p.finished} of ${p.total_trials} trials finished`} />
        <span className="muted small">
          {p.finished} / {p.total_trials} trials · {pct(overall, 0)}
          {running && ` · ETA ${p.eta_s != null ? duration(p.eta_s) : "after the first trial"}`}
          {job.cancel_requested && running && " · cancelling"}
        </span>
      </div>
      {job.error && <p className="form-error">{job.error}</p>}
      {running && p.running_trials.length === 0 && <p className="muted">Waiting for the next trial to start…</p>}
      {job.state === "QUEUED" && <p className="muted">Queued: starts when the running job finishes.</p>}
      <ul className="running">
        {p.running_trials.map((r) => (
          <li key={r.trial} data-testid={`running-${r.trial}`}>
            <div className="running-head">
              <strong>Trial #{r.trial}</strong>
              <span>
                {r.epoch > 0 ? `epoch ${r.epoch} of ${r.total_epochs} · ${pct(r.fraction, 0)} of this epoch`
                  : "preparing…"}
              </span>
            </div>
            <Bar value={r.fraction} label={`Trial ${r.trial} epoch ${r.epoch} progress`} thin />
            <span className="muted small">
              {r.loss != null && `loss ${r.loss.toFixed(3)} · `}
              {r.accuracy != null && `train acc ${pct(r.accuracy, 1)}`}
              {r.val_accuracy != null && ` · val acc ${pct(r.val_accuracy, 1)}`}
              {r.worker && r.worker !== "local" && ` · on ${r.worker}`}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

function runDone(r: RunningTrial): number {
  if (r.total_epochs <= 0) return 0;
  return Math.min(1, (Math.max(0, r.epoch - 1) + r.fraction) / r.total_epochs);
}

function Bar({ value, label, thin = false }: { value: number; label: string; thin?: boolean }) {
  const percent = Math.round(Math.max(0, Math.min(1, value)) * 1000) / 10;
  return (
    <div className={thin ? "bar thin" : "bar"} role="progressbar" aria-label={label} aria-valuemin={0}
      aria-valuemax={100} aria-valuenow={percent}>
      <div className="bar-inner" style={{ width: `${percent}%` }} />
    </div>
  );
}
