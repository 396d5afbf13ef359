// Checks of the start form before anything is sent; the server checks again (and its limits may be lower).
import type { DatasetEntry, OptimizeRequest, ServerLimits } from "../api/types";

export interface FormValues {
  dataset: string;
  mode: "simple" | "health";
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

export const DEFAULT_FORM: FormValues = {
  dataset: "mnist",
  mode: "health",
  trials: "10",
  maxEpochs: "6",
  workers: "", // "" = auto: the server times the baseline model and picks how many trials run at once
  execution: "local",
  endpoint: "",
  dataFraction: "1",
  healthWeight: "0.3",
  activation: "",
  runName: "",
};

export type FormErrors = Partial<Record<keyof FormValues, string>>;

const RUN_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

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

// The server's defaults (--max-trials, --max-epochs, --max-workers), used until it reports its own.
const DEFAULT_LIMITS: ServerLimits = { trials: 1000, max_epochs_per_trial: 200, concurrent_workers: 16 };

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
  if (values.runName.trim() && !RUN_NAME.test(values.runName.trim())) {
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
  if (values.activation) body.activation = values.activation;
  if (values.runName.trim()) body.run_name = values.runName.trim();
  return body;
}
