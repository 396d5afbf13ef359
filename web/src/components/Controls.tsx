// The start form: dataset, target metric, budget, execution; Start and Cancel with clear states, and
// validation messages before anything is sent.
import { useEffect, useMemo, useState } from "react";

import { ApiError, api } from "../api/client";
import { ACTIVE_JOB_STATES, requestChoices } from "../api/schema";
import type { DatasetEntry, GlossaryEntry, Job, ServerLimits } from "../api/types";
import { checkOptions, formFromConfig, fullRequest, type OptionSpec, optionSpecs } from "../lib/options";
import { DEFAULT_FORM, type FormErrors, type FormValues, validate } from "../lib/validate";
import { Explain, useGlossary, useTerm } from "./Glossary";

// The activations a search can be fixed to, and the objectives: the server's choices, from its schema.
const ACTIVATIONS = requestChoices("activation");
const MODE_LABELS: Record<FormValues["mode"], string> = { simple: "Accuracy", health: "Accuracy + model health" };

interface Props {
  datasets: DatasetEntry[] | null;
  limits?: ServerLimits;
  current: Job | null;
  online: boolean;
  onStarted: (job: Job) => void;
  onCancelled: (job: Job) => void;
  preferredDataset?: string | null; // e.g. a dataset just uploaded: the form switches to it
  schema?: unknown | null; // the server's OpenAPI document: every option the API takes
  preset?: { config: Record<string, unknown>; nonce: number } | null; // a past job to run again
}

export function Controls({ datasets, limits, current, online, onStarted, onCancelled, preferredDataset, schema,
  preset }: Props) {
  const [values, setValues] = useState<FormValues>(DEFAULT_FORM);
  const [extra, setExtra] = useState<Record<string, string>>({});
  const specs = useMemo(() => optionSpecs(schema), [schema]);
  const extraErrors = useMemo(() => checkOptions(specs, extra), [specs, extra]);
  const [importError, setImportError] = useState<string | null>(null);
  useEffect(() => {
    if (preferredDataset) setValues((v) => ({ ...v, dataset: preferredDataset }));
  }, [preferredDataset]);
  useEffect(() => {
    if (!preset) return;
    const form = formFromConfig(preset.config, specs);
    setValues(form.values);
    setExtra(form.extra);
  }, [preset, specs]);
  const [touched, setTouched] = useState(false); // a start was attempted: show every problem
  const [edited, setEdited] = useState<Set<keyof FormValues>>(new Set());
  const [submitting, setSubmitting] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  const [serverError, setServerError] = useState<string | null>(null);
  const errors: FormErrors = useMemo(() => validate(values, datasets, limits), [values, datasets, limits]);
  const invalid = Object.keys(errors).length > 0 || Object.keys(extraErrors).length > 0;
  const shown: FormErrors = touched
    ? errors
    : Object.fromEntries(Object.entries(errors).filter(([key]) => edited.has(key as keyof FormValues)));
  const selected = datasets?.find((d) => d.name === values.dataset) ?? null;
  // "Accuracy + model health" is explained together with what model health is made of.
  const glossary = useGlossary();
  const healthParts = glossary ? Object.values(glossary.health_metrics) : [];

  const set = <K extends keyof FormValues>(key: K, value: FormValues[K]) => {
    setValues((v) => ({ ...v, [key]: value }));
    setEdited((e) => (e.has(key) ? e : new Set(e).add(key)));
    setServerError(null);
  };

  async function start(event: React.FormEvent) {
    event.preventDefault();
    setTouched(true);
    if (invalid || submitting) return;
    setSubmitting(true);
    setServerError(null);
    try {
      onStarted(await api.optimize(fullRequest(values, specs, extra)));
    } catch (err) {
      setServerError(err instanceof ApiError ? err.message : String(err));
    } finally {
      setSubmitting(false);
    }
  }

  async function cancel() {
    if (!current) return;
    setCancelling(true);
    setServerError(null);
    try {
      onCancelled(await api.cancel(current.job_id));
    } catch (err) {
      setServerError(err instanceof ApiError ? err.message : String(err));
    } finally {
      setCancelling(false);
    }
  }

  const active = current && ACTIVE_JOB_STATES.includes(current.state);
  const cancelLabel = !active
    ? "Cancel"
    : current.cancel_requested || cancelling
      ? "Cancelling…"
      : current.state === "QUEUED" ? "Cancel queued job" : "Cancel job";

  return (
    <form className="card controls" onSubmit={start} noValidate aria-label="Start a search">
      <h2>New search</h2>
      <Field label="Dataset" option="dataset" error={shown.dataset} htmlFor="f-dataset">
        <select id="f-dataset" value={values.dataset} onChange={(e) => set("dataset", e.target.value)}
          disabled={!datasets}>
          {!datasets && <option value={values.dataset}>Loading datasets…</option>}
          {datasets?.map((d) => (
            <option key={d.name} value={d.name}>
              {d.name} — {d.task}{d.uploaded ? " · your upload" : d.available_offline ? " · available" : " · downloads first"}
            </option>
          ))}
        </select>
        {selected && (
          <span className="hint">
            {selected.description} {selected.train_size.toLocaleString()} train / {selected.test_size.toLocaleString()}{" "}
            test, {selected.num_classes} classes.{" "}
            {selected.available_offline
              ? "Already on the server."
              : "Not on the server yet: the job downloads it first (needs network access)."}
          </span>
        )}
      </Field>
      <Field label="Target metric" option="mode" htmlFor="f-mode" more={healthParts}>
        <select id="f-mode" value={values.mode} onChange={(e) => set("mode", e.target.value as FormValues["mode"])}>
          {requestChoices("mode").map((m) => <option key={m} value={m}>{MODE_LABELS[m]}</option>)}
        </select>
      </Field>
      <div className="row3">
        <Field label="Trials" option="trials" error={shown.trials} htmlFor="f-trials">
          <input id="f-trials" inputMode="numeric" value={values.trials} onChange={(e) => set("trials", e.target.value)} />
        </Field>
        <Field label="Max epochs" option="max_epochs_per_trial"
          error={shown.maxEpochs} htmlFor="f-epochs">
          <input id="f-epochs" inputMode="numeric" value={values.maxEpochs}
            onChange={(e) => set("maxEpochs", e.target.value)} />
        </Field>
        <Field label="Workers" option="concurrent_workers" error={shown.workers}
          htmlFor="f-workers">
          <input id="f-workers" inputMode="numeric" placeholder="auto" value={values.workers}
            onChange={(e) => set("workers", e.target.value)} />
        </Field>
      </div>
      <Field label="Execution" option="use_runpod_service" htmlFor="f-exec">
        <select id="f-exec" value={values.execution}
          onChange={(e) => set("execution", e.target.value as FormValues["execution"])}>
          <option value="local">This machine</option>
          <option value="remote">RunPod or self-hosted endpoint</option>
        </select>
      </Field>
      {values.execution === "remote" && (
        <Field label="Endpoint" option="runpod_endpoint" error={shown.endpoint}
          htmlFor="f-endpoint">
          <input id="f-endpoint" placeholder="endpoint id or http://gpu-box:8001" value={values.endpoint}
            onChange={(e) => set("endpoint", e.target.value)} />
        </Field>
      )}
      <details className="advanced">
        <summary>More options</summary>
        <div className="row3">
          <Field label="Data fraction" option="data_fraction" error={shown.dataFraction}
            htmlFor="f-fraction">
            <input id="f-fraction" inputMode="decimal" value={values.dataFraction}
              onChange={(e) => set("dataFraction", e.target.value)} />
          </Field>
          {values.mode === "health" && (
            <Field label="Health weight" option="health_weight" error={shown.healthWeight}
              htmlFor="f-weight">
              <input id="f-weight" inputMode="decimal" value={values.healthWeight}
                onChange={(e) => set("healthWeight", e.target.value)} />
            </Field>
          )}
          <Field label="Activation" option="activation" htmlFor="f-activation">
            <select id="f-activation" value={values.activation} onChange={(e) => set("activation", e.target.value)}>
              <option value="">searched</option>
              {ACTIVATIONS.map((a) => <option key={a} value={a}>{a}</option>)}
            </select>
          </Field>
        </div>
        <Field label="Run name" option="run_name" error={shown.runName} htmlFor="f-run">
          <input id="f-run" placeholder="automatic" value={values.runName} onChange={(e) => set("runName", e.target.value)} />
        </Field>
        {specs.length > 0 && (
          <div className="all-options" data-testid="all-options">
            {specs.map((spec) => (
              <OptionField key={spec.name} spec={spec} value={extra[spec.name] ?? ""} error={extraErrors[spec.name]}
                onChange={(text) => { setExtra((x) => ({ ...x, [spec.name]: text })); setServerError(null); }} />
            ))}
          </div>
        )}
        <div className="buttons">
          <button type="button" className="small-button" onClick={() => exportConfig(fullRequest(values, specs, extra))}>
            Export configuration
          </button>
          <label className="small-button file-button">
            Import configuration
            <input type="file" accept=".json,application/json" aria-label="Import configuration"
              onChange={async (e) => {
                const file = e.target.files?.[0];
                e.target.value = "";
                if (!file) return;
                try {
                  const form = formFromConfig(JSON.parse(await file.text()) as Record<string, unknown>, specs);
                  setValues(form.values);
                  setExtra(form.extra);
                  setImportError(null);
                } catch {
                  setImportError(`${file.name} is not a nettune configuration (JSON, as Export configuration writes).`);
                }
              }} />
          </label>
        </div>
        {importError && <p className="form-error" role="alert">{importError}</p>}
      </details>
      {Object.keys(shown).length > 0 && (
        <p className="form-error" role="alert">Fix the fields marked above before starting.</p>
      )}
      {serverError && <p className="form-error" role="alert">{serverError}</p>}
      <div className="buttons">
        <button type="submit" className="primary" disabled={submitting || !online || Object.keys(shown).length > 0}>
          {submitting ? "Starting…" : active ? "Queue search" : "Start search"}
        </button>
        <button type="button" className="danger" onClick={cancel}
          disabled={!active || cancelling || Boolean(current?.cancel_requested) || !online}>
          {cancelLabel}
        </button>
      </div>
    </form>
  );
}

/** The request body as a file the form (or the API) takes back: `nettune-config.json`. */
function exportConfig(body: Record<string, unknown>) {
  const url = URL.createObjectURL(new Blob([JSON.stringify(body, null, 2)], { type: "application/json" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = "nettune-config.json";
  link.click();
  URL.revokeObjectURL(url);
}

/** One option from the server's schema: a choice, a switch or a value, empty meaning the server's default. */
function OptionField({ spec, value, error, onChange }: {
  spec: OptionSpec; value: string; error?: string; onChange: (text: string) => void;
}) {
  const id = `o-${spec.name}`;
  const fallback = spec.default === null ? "none" : String(spec.default);
  return (
    <Field label={spec.title} option={spec.name} error={error} htmlFor={id}>
      {spec.kind === "enum" || spec.kind === "boolean" ? (
        <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
          <option value="">default ({fallback})</option>
          {(spec.kind === "boolean" ? ["true", "false"] : spec.choices).map((c) => <option key={c} value={c}>{c}</option>)}
        </select>
      ) : (
        <input id={id} value={value} placeholder={fallback} title={spec.description}
          inputMode={spec.kind === "string" ? "text" : "decimal"} onChange={(e) => onChange(e.target.value)} />
      )}
    </Field>
  );
}

/** A labelled input; the explanation button sits beside the label (not inside it, so it labels nothing). */
function Field({ label, option, error, htmlFor, children, more }: {
  label: string;
  option: string;
  error?: string;
  htmlFor: string;
  children: React.ReactNode;
  more?: GlossaryEntry[];
}) {
  const entry = useTerm("option", option);
  return (
    <div className={error ? "field invalid" : "field"}>
      <span className="field-label">
        <label htmlFor={htmlFor}>{label}</label>
        {entry && <Explain entry={entry} more={more} />}
      </span>
      {children}
      {error && <span className="field-error">{error}</span>}
    </div>
  );
}
