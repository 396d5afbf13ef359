// A layer's details: shape, parameters, type-specific facts and health. The 2-D graph and the 3-D view show it.
import type { GraphNodeData } from "../api/types";
import { count, paramValue, pct } from "../lib/format";
import { shapeText } from "../lib/graphLayout";
import { Term } from "./Glossary";

const FACT_KEYS = ["filters", "kernel_size", "in_channels", "units", "in_features", "features", "stride",
  "padding", "pool_size", "vocab_size", "embedding_dim", "hidden_size", "num_layers", "bidirectional", "p"];

export function LayerPanel({ layer }: { layer: GraphNodeData }) {
  const facts = FACT_KEYS.filter((key) => layer[key] !== undefined && layer[key] !== null);
  const health = layer.health;
  return (
    <div className="layer-panel" data-testid="layer-panel">
      <h5>
        {layer.type} <span className="muted">({layer.name})</span>
      </h5>
      <dl className="kv">
        <dt>Output shape</dt>
        <dd>{shapeText(layer.output_shape) || "–"}</dd>
        <dt>Parameters</dt>
        <dd>
          {count(layer.params)} ({layer.trainable_params.toLocaleString()} trainable)
        </dd>
        {layer.activation && (
          <>
            <dt><Term kind="hyperparameter" name="activation">Activation</Term></dt>
            <dd>{layer.activation}</dd>
          </>
        )}
        {facts.map((key) => (
          <FactRow key={key} name={key} value={layer[key]} />
        ))}
      </dl>
      {health ? (
        <dl className="kv">
          <dt><Term kind="health" name="dead">Dead units</Term></dt>
          <dd>{health.units ? `${pct(health.dead)} of ${health.units}` : "not measured"}</dd>
          <dt><Term kind="health" name="saturated">Saturated units</Term></dt>
          <dd>{health.units ? pct(health.saturated) : "not measured"}</dd>
          <dt><Term kind="health" name="grad_norm_mean">Gradient norm (mean / max)</Term></dt>
          <dd>
            {paramValue(health.grad_norm_mean)} / {paramValue(health.grad_norm_max)}
          </dd>
          <dt><Term kind="health" name="grad_score">Gradient score</Term></dt>
          <dd>{paramValue(health.grad_score)}</dd>
        </dl>
      ) : (
        <p className="muted small">No health measurements for this layer.</p>
      )}
    </div>
  );
}

function FactRow({ name, value }: { name: string; value: unknown }) {
  return (
    <>
      <dt><Term kind="hyperparameter" name={name}>{name.replace(/_/g, " ")}</Term></dt>
      <dd>{paramValue(value)}</dd>
    </>
  );
}
