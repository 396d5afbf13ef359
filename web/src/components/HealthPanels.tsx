// Health shown three ways: the six metric bars, the two-column key numbers panel, and the per-layer table
// of dead and saturated units and gradient norms. Every number has its explanation next to it.
import type { HealthReport, HistoryRow, TrialSummary } from "../api/types";
import { fixed, paramValue, pct } from "../lib/format";
import { grade, lastValue, medianGradNorm } from "../lib/health";
import { Term } from "./Glossary";

export function HealthSummary({ summary, issues }: { summary: string | null; issues?: string[] }) {
  if (!summary) return <p className="muted">No health report for this trial (it did not complete training).</p>;
  return (
    <div className="health-summary" data-testid="health-summary">
      <p>{summary}</p>
      {issues && issues.length > 0 && (
        <details>
          <summary>All {issues.length} issue(s)</summary>
          <ul>{issues.map((issue) => <li key={issue}>{issue}</li>)}</ul>
        </details>
      )}
    </div>
  );
}

export function MetricBars({ metrics, unmeasured = [] }: {
  metrics: Record<string, number | null>;
  unmeasured?: string[];
}) {
  return (
    <div className="metric-bars">
      {Object.entries(metrics).map(([name, value]) => (
        <div key={name} className="metric-row">
          <span className="metric-name"><Term kind="health" name={name} /></span>
          <span className="bar thin">
            <span className={`bar-inner grade-${grade(value)}`} style={{ width: `${(value ?? 0) * 100}%` }} />
          </span>
          <span className="metric-value">
            {fixed(value, 2)}
            {unmeasured.includes(name) && <span className="muted small" title="not measured: neutral score"> n/m</span>}
          </span>
        </div>
      ))}
    </div>
  );
}

/** Key numbers in two columns: gradients, loss, dead/saturated units, stability and the rest. */
export function HealthKeyNumbers({ trial, health, history }: {
  trial: TrialSummary;
  health: HealthReport | null;
  history: HistoryRow[];
}) {
  const m = health?.metrics ?? trial.health_metrics ?? {};
  const rows: [React.ReactNode, string][] = [
    [<Term kind="health" name="health_overall">Overall health</Term>, fixed(health?.overall ?? trial.health_overall, 3)],
    [<Term kind="health" name="grad_norm_mean">Gradient norm (median layer)</Term>, paramValue(medianGradNorm(health))],
    [<Term kind="health" name="gradient_health" />, fixed(m.gradient_health, 3)],
    [<Term kind="health" name="train_loss">Final training loss</Term>, fixed(lastValue(history, "train_loss"), 4)],
    [<Term kind="health" name="val_loss">Final validation loss</Term>, fixed(lastValue(history, "val_loss"), 4)],
    [<Term kind="health" name="training_stability" />, fixed(m.training_stability, 3)],
    [<Term kind="health" name="dead_fraction">Dead units / filters</Term>, pct(health?.dead_fraction)],
    [<Term kind="health" name="saturated_fraction">Saturated units</Term>, pct(health?.saturated_fraction)],
    [<Term kind="health" name="neuron_utilization" />, fixed(m.neuron_utilization, 3)],
    [<Term kind="health" name="convergence_quality" />, fixed(m.convergence_quality, 3)],
    [<Term kind="health" name="overfitting_gap">Overfitting gap</Term>, pct(health?.overfitting_gap)],
    [<Term kind="health" name="accuracy_consistency" />, fixed(m.accuracy_consistency, 3)],
    [<Term kind="health" name="parameter_efficiency" />, fixed(m.parameter_efficiency, 3)],
    [<>Validation / test accuracy</>,
      `${pct(trial.metrics.val_accuracy as number | null, 2)} / ${pct(trial.metrics.test_accuracy as number | null, 2)}`],
  ];
  return (
    <dl className="two-col" data-testid="health-key-numbers">
      {rows.map(([label, value], i) => (
        <div key={i} className="two-col-item">
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

export function LayerTable({ health }: { health: HealthReport }) {
  if (!health.per_layer.length) return null;
  return (
    <div className="scroll-x">
      <table className="layers" data-testid="layer-table">
        <thead>
          <tr>
            <th>Layer</th>
            <th>Kind</th>
            <th>Units</th>
            <th><Term kind="health" name="dead">Dead</Term></th>
            <th><Term kind="health" name="saturated">Saturated</Term></th>
            <th><Term kind="health" name="grad_norm_mean">Grad norm mean / max</Term></th>
            <th><Term kind="health" name="grad_score">Grad score</Term></th>
          </tr>
        </thead>
        <tbody>
          {health.per_layer.map((layer) => (
            <tr key={layer.name}>
              <td>{layer.name}</td>
              <td>{layer.kind}{layer.activation ? ` (${layer.activation})` : ""}</td>
              <td>{layer.units || "–"}</td>
              <td className={(layer.dead ?? 0) >= 0.1 ? "warn" : ""}>{layer.units ? pct(layer.dead) : "–"}</td>
              <td className={(layer.saturated ?? 0) >= 0.1 ? "warn" : ""}>{layer.units ? pct(layer.saturated) : "–"}</td>
              <td>{paramValue(layer.grad_norm_mean)} / {paramValue(layer.grad_norm_max)}</td>
              <td>{fixed(layer.grad_score, 2)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
