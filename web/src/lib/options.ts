// Every option POST /optimize accepts, read from the server's own OpenAPI schema (components.schemas.
// OptimizeRequest), so the form offers exactly what the API takes, with its types, ranges, choices and
// defaults, and no second list to keep in step. The form's main fields cover the common ones; the rest are
// rendered from here under "More options". A job's configuration converts to and from the form, for
// export, import and re-running a past job.
import { DEFAULT_FORM, type FormValues, toRequest } from "./validate";
import { requestChoices } from "../api/schema";
import type { OptimizeRequest } from "../api/types";

const MODES = requestChoices("mode");

export type OptionKind = "boolean" | "enum" | "integer" | "number" | "string";

export interface OptionSpec {
  name: string;
  title: string;
  description: string;
  kind: OptionKind;
  choices: string[];
  min?: number;
  max?: number;
  exclusiveMin?: boolean;
  default: unknown; // null: none (the option is off or decided by the server)
}

/** Options the form's own fields set (lib/validate.ts FormValues). */
export const FORM_FIELDS = new Set([
  "dataset", "mode", "trials", "max_epochs_per_trial", "concurrent_workers", "use_runpod_service",
  "runpod_endpoint", "data_fraction", "health_weight", "activation", "run_name",
]);

interface JsonSchema {
  type?: string;
  enum?: string[];
  anyOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  title?: string;
  description?: string;
  default?: unknown;
}

/** The options of `openapi` beyond the form's own fields, in the server's order. */
export function optionSpecs(openapi: unknown): OptionSpec[] {
  const schema = (openapi as { components?: { schemas?: Record<string, { properties?: Record<string, JsonSchema> }> } })
    ?.components?.schemas?.OptimizeRequest;
  const out: OptionSpec[] = [];
  for (const [name, raw] of Object.entries(schema?.properties ?? {})) {
    if (FORM_FIELDS.has(name)) continue;
    const branch = raw.anyOf?.find((s) => s.type !== "null") ?? raw;
    const kind: OptionKind = branch.enum ? "enum"
      : branch.type === "boolean" ? "boolean"
      : branch.type === "integer" ? "integer"
      : branch.type === "number" ? "number" : "string";
    out.push({
      name, kind, title: raw.title ?? name, description: raw.description ?? "", choices: branch.enum ?? [],
      min: branch.minimum ?? branch.exclusiveMinimum, max: branch.maximum,
      exclusiveMin: branch.exclusiveMinimum !== undefined, default: raw.default ?? null,
    });
  }
  return out;
}

/** Why `text` is not a valid value of `spec`, or undefined ("" always is: the default). */
export function checkOption(spec: OptionSpec, text: string): string | undefined {
  const value = text.trim();
  if (!value) return undefined;
  if (spec.kind === "enum" && !spec.choices.includes(value)) return `${spec.title}: one of ${spec.choices.join(", ")}.`;
  if (spec.kind === "boolean" && value !== "true" && value !== "false") return `${spec.title}: true or false.`;
  if (spec.kind === "integer" || spec.kind === "number") {
    const n = Number(value);
    if (!Number.isFinite(n) || (spec.kind === "integer" && !Number.isInteger(n))) {
      return `${spec.title} must be a ${spec.kind === "integer" ? "whole number" : "number"}.`;
    }
    const low = spec.min !== undefined && (spec.exclusiveMin ? n <= spec.min : n < spec.min);
    if (low || (spec.max !== undefined && n > spec.max)) {
      return `${spec.title} must be ${spec.exclusiveMin ? "above" : "at least"} ${spec.min} and at most ${spec.max}.`;
    }
  }
  return undefined;
}

export function checkOptions(specs: OptionSpec[], extra: Record<string, string>): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const spec of specs) {
    const message = checkOption(spec, extra[spec.name] ?? "");
    if (message) errors[spec.name] = message;
  }
  return errors;
}

function typed(spec: OptionSpec, text: string): unknown {
  if (spec.kind === "boolean") return text === "true";
  if (spec.kind === "integer" || spec.kind === "number") return Number(text);
  return text;
}

/** The request body: the form's fields and every extra option the user set (left empty = the default). */
export function fullRequest(values: FormValues, specs: OptionSpec[], extra: Record<string, string>): OptimizeRequest {
  const body = toRequest(values);
  for (const spec of specs) {
    const text = (extra[spec.name] ?? "").trim();
    if (text) (body as Record<string, unknown>)[spec.name] = typed(spec, text);
  }
  return body;
}

/** The form for a job's configuration (an exported file, or a past job to run again). */
export function formFromConfig(config: Record<string, unknown>, specs: OptionSpec[]):
  { values: FormValues; extra: Record<string, string> } {
  const text = (key: string, fallback: string) => (config[key] === undefined || config[key] === null
    ? fallback : String(config[key]));
  const values: FormValues = {
    ...DEFAULT_FORM,
    dataset: text("dataset", DEFAULT_FORM.dataset),
    mode: MODES.find((m) => m === config.mode) ?? DEFAULT_FORM.mode,
    trials: text("trials", DEFAULT_FORM.trials),
    maxEpochs: text("max_epochs_per_trial", DEFAULT_FORM.maxEpochs),
    workers: text("concurrent_workers", ""),
    execution: config.use_runpod_service ? "remote" : "local",
    endpoint: text("runpod_endpoint", ""),
    dataFraction: text("data_fraction", DEFAULT_FORM.dataFraction),
    healthWeight: text("health_weight", DEFAULT_FORM.healthWeight),
    activation: text("activation", ""),
    runName: "", // a new run: the old name belongs to the job it came from
  };
  const extra: Record<string, string> = {};
  for (const spec of specs) {
    const value = config[spec.name];
    if (value !== undefined && value !== null && value !== spec.default) extra[spec.name] = String(value);
  }
  return { values, extra };
}
