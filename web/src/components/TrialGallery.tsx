// One tile per trial with its state, architecture, size, accuracy, health and duration; the best one
// highlighted; sorting and filtering. A click opens the trial.
import { useState } from "react";

import type { TrialSummary } from "../api/types";
import { count, duration, pct, fixed } from "../lib/format";
import { accuracyOf } from "../lib/study";
import {
  STATE_LABEL,
  SORT_LABEL,
  type SortKey,
  type StateFilter,
  countByFilter,
  filterTrials,
  sortTrials,
} from "../lib/trials";
import { lookupTerm, Term, useGlossary } from "./Glossary";

export function TrialGallery({ trials, onOpen }: { trials: TrialSummary[]; onOpen: (n: number) => void }) {
  const [sort, setSort] = useState<SortKey>("number");
  const [filter, setFilter] = useState<StateFilter>("all");
  const counts = countByFilter(trials);
  const shown = sortTrials(filterTrials(trials, filter), sort);
  return (
    <section aria-label="Trials">
      <div className="gallery-bar">
        <h2>Trials</h2>
        <div className="filters" role="group" aria-label="Filter by state">
          {(Object.keys(counts) as StateFilter[]).map((f) => (
            <button key={f} type="button" className={f === filter ? "chip on" : "chip"} aria-pressed={f === filter}
              onClick={() => setFilter(f)}>
              {f} <span className="chip-count">{counts[f]}</span>
            </button>
          ))}
        </div>
        <label className="sort">
          Sort by{" "}
          <select value={sort} onChange={(e) => setSort(e.target.value as SortKey)} aria-label="Sort trials">
            {(Object.keys(SORT_LABEL) as SortKey[]).map((k) => <option key={k} value={k}>{SORT_LABEL[k]}</option>)}
          </select>
        </label>
      </div>
      <p className="legend muted small">
        Key: <Term kind="hyperparameter" name="conv_blocks">conv</Term> · <Term kind="hyperparameter"
          name="filters">filters</Term> · <Term kind="hyperparameter" name="kernel_size">kernels</Term> ·{" "}
        <Term kind="hyperparameter" name="dense_layers">dense</Term> · <Term kind="hyperparameter"
          name="dense_units">nodes</Term> · <Term kind="hyperparameter" name="activation">activation</Term> ·{" "}
        <Term kind="health" name="health_overall">health</Term>
      </p>
      {trials.length === 0 ? (
        <p className="empty">No trials yet.</p>
      ) : shown.length === 0 ? (
        <p className="empty">No {filter} trials.</p>
      ) : (
        <div className="gallery" data-testid="gallery">
          {shown.map((t) => <TrialTile key={t.number} trial={t} onOpen={onOpen} />)}
        </div>
      )}
    </section>
  );
}

function TrialTile({ trial, onOpen }: { trial: TrialSummary; onOpen: (n: number) => void }) {
  const glossary = useGlossary();
  const tip = (name: string) => lookupTerm(glossary, "hyperparameter", name)?.what;
  const a = trial.architecture;
  const accuracy = accuracyOf(trial);
  const state = STATE_LABEL[trial.state];
  const lstm = a?.family === "lstm";
  return (
    <article className={trial.is_best ? "trial-tile best" : "trial-tile"} role="button" tabIndex={0}
      onClick={() => onOpen(trial.number)}
      onKeyDown={(e) => {
        if (e.key === "Enter" || e.key === " ") {
          e.preventDefault();
          onOpen(trial.number);
        }
      }}
      data-testid={`trial-${trial.number}`} aria-label={`Trial ${trial.number}, ${state}${trial.is_best ? ", best" : ""}`}>
      <div className="tile-top">
        <strong>#{trial.number}</strong>
        <span className={`badge badge-${state}`}>{state}</span>
        {trial.is_best && <span className="badge badge-best">best</span>}
      </div>
      {a ? (
        <dl className="arch-facts">
          {lstm ? (
            <>
              <dt title={tip("lstm_layers")}>LSTM</dt>
              <dd>{String(a.lstm_layers ?? "–")} × {String(a.lstm_units ?? "–")}{a.bidirectional ? " bi" : ""}</dd>
              <dt title={tip("embedding_dim")}>embedding</dt>
              <dd>{String(a.embedding_dim ?? "–")}</dd>
            </>
          ) : (
            <>
              <dt title={tip("conv_blocks")}>conv</dt>
              <dd>{a.conv_layers} layers</dd>
              <dt title={tip("filters")}>filters</dt>
              <dd>{a.filters.join(", ") || "–"}</dd>
              <dt title={tip("kernel_size")}>kernels</dt>
              <dd>{a.kernel_sizes.join(", ") || "–"}</dd>
            </>
          )}
          <dt title={tip("dense_layers")}>dense</dt>
          <dd>{a.dense_layers ? `${a.dense_layers}: ${a.dense_nodes.join(", ")} nodes` : "none"}</dd>
          <dt title={tip("activation")}>activation</dt>
          <dd>{a.activation}</dd>
          <dt>params</dt>
          <dd>{count(a.param_count)}</dd>
        </dl>
      ) : (
        <p className="muted small">Architecture not known yet.</p>
      )}
      {trial.state === "RUNNING" && trial.progress && (
        <div className="tile-progress">
          <div className="bar thin"><div className="bar-inner" style={{ width: `${trial.progress.fraction * 100}%` }} /></div>
          <span className="small muted">epoch {trial.progress.epoch} of {trial.progress.total_epochs}</span>
        </div>
      )}
      <div className="tile-metrics">
        <span><span className="muted">acc</span> {pct(accuracy, 2)}</span>
        <span><span className="muted">health</span> {fixed(trial.health_overall, 3)}</span>
        <span><span className="muted">time</span> {duration(trial.duration_s)}</span>
      </div>
      {trial.health_summary && <p className="tile-summary">{trial.health_summary}</p>}
      {trial.error && <p className="tile-error">{trial.error}</p>}
    </article>
  );
}
