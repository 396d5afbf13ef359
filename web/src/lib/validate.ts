// Checks of the start form before anything is sent; the server checks again (and its limits may be lower).
// Defaults, choices, the run-name pattern and the default limits are the server's, read from its schema.
import { DEFAULT_LIMITS, RUN_NAME_PATTERN, requestDefault } from "../api/schema";
import type { DatasetEntry, OptimizeRequest, ServerLimits } from "../api/types";

export interface FormValues {
  dataset: string;
  mode: NonNullable<OptimizeRequest["mode"]>;
  trials: string;
  maxEpochs: string;
  workers: string;
  execution: "local" | "remote";
  endpoint: string;
  dataFraction: string;
  healthWeight: string;
  activation: string; // "" = searched
  runName: string;
}

/** The server's default for `name` as the form shows it ("" where it has none: auto, searched, unset). */
function defaultText(name: keyof OptimizeRequest): string {
  const value = requestDefault(name);
  return value === undefined || value === null ? "" : String(value);
}

export const DEFAULT_FORM: FormValues = {
  dataset: defaultText("dataset"),
  mode: requestDefault("mode") as FormValues["mode"],
  trials: defaultText("trials"),
  maxEpochs: defaultText("max_epochs_per_trial"),
  workers: defaultText("concurrent_workers"), // "" = auto: the server times the baseline model and picks
  execution: requestDefault("use_runpod_service") ? "remote" : "local",
  endpoint: defaultText("runpod_endpoint"),
  dataFraction: defaultText("data_fraction"),
  healthWeight: defaultText("health_weight"),
  activation: defaultText("activation"), // "" = searched
  runName: "",
};

export type FormErrors = Partial<Record<keyof FormValues, string>>;

function integer(text: string, label: string, min: number, max: number): string | undefined {
  const value = Number(text.trim());
  if (text.trim() === "" || !Number.isInteger(value)) return `${label} must be a whole number.`;
  if (value < min || value > max) return `${label} must be between ${min} and ${max}.`;
  return undefined;
}

function fraction(text: string, label: string, openLow: boolean): string | undefined {
  const value = Number(text.trim());
  if (text.trim() === "" || !Number.isFinite(value)) return `${label} must be a number.`;
  if ((openLow ? value <= 0 : value < 0) || value > 1) {
    return `${label} must be ${openLow ? "above 0" : "at least 0"} and at most 1.`;
  }
  return undefined;
}

export function validate(values: FormValues, datasets: DatasetEntry[] | null,
  limits: ServerLimits = DEFAULT_LIMITS): FormErrors {
  const errors: FormErrors = {};
  if (!values.dataset) errors.dataset = "Choose a dataset.";
  else if (datasets && !datasets.some((d) => d.name === values.dataset)) {
    errors.dataset = `The server does not offer the dataset '${values.dataset}'.`;
  }
  const set = (key: keyof FormValues, message: string | undefined) => {
    if (message) errors[key] = message;
  };
  set("trials", integer(values.trials, "Trials", 1, limits.trials));
  set("maxEpochs", integer(values.maxEpochs, "Max epochs per trial", 1, limits.max_epochs_per_trial));
  if (values.workers.trim()) set("workers", integer(values.workers, "Concurrent workers", 1, limits.concurrent_workers));
  set("dataFraction", fraction(values.dataFraction, "Data fraction", true));
  if (values.mode === "health") set("healthWeight", fraction(values.healthWeight, "Health weight", false));
  if (values.execution === "remote") {
    const endpoint = values.endpoint.trim();
    if (!endpoint) errors.endpoint = "Enter the endpoint: a RunPod endpoint id or an http(s):// worker URL.";
    else if (/\s/.test(endpoint)) errors.endpoint = "The endpoint must not contain spaces.";
    else if (endpoint.includes("://") && !/^https?:\/\/[^/]+/.test(endpoint)) {
      errors.endpoint = "A worker URL must start with http:// or https:// and name a host.";
    }
  }
  if (values.runName.trim() && !RUN_NAME_PATTERN.test(values.runName.trim())) {
    errors.runName = "Run name: letters, digits, '_', '.', '-' (up to 100), starting with a letter or digit.";
  }
  return errors;
}

export function toRequest(values: FormValues): OptimizeRequest {
  const body: OptimizeRequest = {
    dataset: values.dataset,
    mode: values.mode,
    trials: Number(values.trials),
    max_epochs_per_trial: Number(values.maxEpochs),
    data_fraction: Number(values.dataFraction),
    use_runpod_service: values.execution === "remote",
  };
  if (values.mode === "health") body.health_weight = Number(values.healthWeight);
  if (values.execution === "remote") body.runpod_endpoint = values.endpoint.trim();
  if (values.workers.trim()) body.concurrent_workers = Number(values.workers);
  if (values.activation) body.activation = values.activation as OptimizeRequest["activation"];
  if (values.runName.trim()) body.run_name = values.runName.trim();
  return body;
}
