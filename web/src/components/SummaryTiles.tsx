// Four live numbers: trials performed, best accuracy, best total score (with the mode), average duration.
import type { Job } from "../api/types";
import { duration, fixed, pct } from "../lib/format";
import { Term } from "./Glossary";

export function SummaryTiles({ job }: { job: Job | null }) {
  const p = job?.progress;
  const mode = p?.mode ?? (job?.config.mode as string | undefined);
  return (
    <section className="tiles" aria-label="Summary">
      <Tile label="Trials performed" testId="tile-trials"
        value={p ? `${p.finished} / ${p.total_trials}` : "–"}
        sub={p ? `${p.completed} completed · ${p.pruned} pruned · ${p.failed} failed` : "no job selected"} />
      <Tile label="Best accuracy" testId="tile-accuracy" value={pct(p?.best_accuracy, 2)}
        sub={p?.best_trial != null ? `validation, best trial #${p.best_trial}` : "validation accuracy"} />
      <Tile
        label={mode === "health"
          ? <Term kind="health" name="total_score">Best total score</Term>
          : <Term kind="option" name="mode">Best score</Term>}
        testId="tile-score" value={fixed(p?.best_score, 4)}
        sub={mode === "health"
          ? `mode: accuracy + health (w = ${job?.config.health_weight ?? "?"})`
          : mode === "simple" ? "mode: accuracy" : "–"} />
      <Tile label="Avg. duration / trial" testId="tile-duration" value={duration(p?.average_duration_s)}
        sub={p ? `elapsed ${duration(p.elapsed_s)}` : "–"} />
    </section>
  );
}

function Tile({ label, value, sub, testId }: { label: React.ReactNode; value: string; sub: string; testId: string }) {
  return (
    <div className="tile" data-testid={testId}>
      <span className="tile-label">{label}</span>
      <span className="tile-value">{value}</span>
      <span className="tile-sub">{sub}</span>
    </div>
  );
}
