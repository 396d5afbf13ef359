// The REST client: one function per endpoint of docs/api.md. Every failure becomes an ApiError whose message
// is a sentence a user can act on (the server's `detail`, or what went wrong on the way).
import { reportReachable, reportUnreachable } from "./connectivity";
import type {
  BestModel,
  DatasetEntry,
  DatasetExamples,
  DatasetList,
  ForwardPass,
  Glossary,
  HealthStatus,
  Job,
  JobList,
  OptimizeRequest,
  PlotList,
  TensorBoardLink,
  TrialDetail,
  TrialList,
} from "./types";

export class ApiError extends Error {
  /** HTTP status; 0 when the server could not be reached at all. */
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.name = "ApiError";
    this.status = status;
  }

  get unreachable(): boolean {
    return this.status === 0;
  }
}

const TOKEN_KEY = "nettune.token";

export function getToken(): string | null {
  try {
    return window.localStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function setToken(token: string | null): void {
  try {
    if (token) window.localStorage.setItem(TOKEN_KEY, token);
    else window.localStorage.removeItem(TOKEN_KEY);
  } catch {
    // Storage can be disabled (private mode); the token then lasts for this page only.
  }
}

/** The server's origin-relative base path: the page is served by the API itself, at its root. */
export function apiUrl(path: string): string {
  return new URL(path, window.location.origin).toString();
}

/** ws(s):// URL of a WebSocket path, with the token as a query parameter (browsers cannot set headers). */
export function wsUrl(path: string): string {
  const url = new URL(path, window.location.origin);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  const token = getToken();
  if (token) url.searchParams.set("token", token);
  return url.toString();
}

/** Link to a file endpoint; a token, if set, goes in the query string since <a>/<img> cannot send headers. */
export function fileUrl(path: string): string {
  const url = new URL(path, window.location.origin);
  const token = getToken();
  if (token) url.searchParams.set("token", token);
  return url.pathname + url.search;
}

async function describeFailure(response: Response): Promise<string> {
  const text = await response.text().catch(() => "");
  try {
    const body = JSON.parse(text) as { detail?: unknown };
    if (typeof body.detail === "string") return body.detail;
    if (Array.isArray(body.detail)) {
      // FastAPI's validation list: [{loc: [...], msg}] -> "trials: Input should be ..."
      return body.detail
        .map((item: { loc?: unknown[]; msg?: string }) => {
          const where = (item.loc ?? []).filter((part) => part !== "body").join(".");
          return where ? `${where}: ${item.msg ?? "invalid"}` : (item.msg ?? "invalid");
        })
        .join("; ");
    }
  } catch {
    // not JSON: fall through to the status line
  }
  return `the server answered ${response.status} ${response.statusText || ""}`.trim();
}

export async function request<T>(path: string, init: RequestInit = {}): Promise<T> {
  const headers = new Headers(init.headers);
  headers.set("Accept", "application/json");
  if (init.body != null && !headers.has("Content-Type")) headers.set("Content-Type", "application/json");
  const token = getToken();
  if (token) headers.set("Authorization", `Bearer ${token}`);
  let response: Response;
  try {
    response = await fetch(apiUrl(path), { ...init, headers });
  } catch {
    const message = "Cannot reach the nettune server; is `nettune serve` running?";
    reportUnreachable(message);
    throw new ApiError(0, message);
  }
  reportReachable();
  if (!response.ok) {
    throw new ApiError(response.status, await describeFailure(response));
  }
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** A dataset file as the raw request body: the server streams it to disk (it is not JSON, nor multipart) and
 * reads its format from the file name's suffix. */
async function uploadDataset(name: string, file: File): Promise<DatasetEntry> {
  const query = new URLSearchParams({ filename: file.name });
  return request<DatasetEntry>(`/datasets/uploads/${encodeURIComponent(name)}?${query}`, {
    method: "POST", body: file, headers: { "Content-Type": "application/octet-stream" },
  });
}

const get = <T>(path: string) => request<T>(path);
const post = <T>(path: string, body?: unknown) =>
  request<T>(path, { method: "POST", body: body === undefined ? undefined : JSON.stringify(body) });

const job = (id: string) => `/jobs/${encodeURIComponent(id)}`;

export const api = {
  health: () => get<HealthStatus>("/health"),
  datasets: () => get<DatasetList>("/datasets").then((r) => r.datasets),
  uploadDataset,
  datasetExamples: (name: string) =>
    get<DatasetExamples>(`/datasets/uploads/${encodeURIComponent(name)}/examples`)
      .then((r) => r.examples),
  deleteDataset: (name: string) =>
    request<void>(`/datasets/uploads/${encodeURIComponent(name)}`, { method: "DELETE" }),
  glossary: () => get<Glossary>("/glossary"),
  openapi: () => get<unknown>("/openapi.json"),
  jobs: () => get<JobList>("/jobs").then((r) => r.jobs),
  job: (id: string) => get<Job>(job(id)),
  optimize: (body: OptimizeRequest) => post<Job>("/optimize", body),
  cancel: (id: string) => post<Job>(`${job(id)}/cancel`),
  resume: (id: string) => post<Job>(`${job(id)}/resume`),
  trials: (id: string) =>
    get<TrialList>(`${job(id)}/trials`).then((r) => r.trials),
  trial: (id: string, n: number) => get<TrialDetail>(`${job(id)}/trials/${n}`),
  bestModel: (id: string) => get<BestModel>(`${job(id)}/best-model`),
  plots: (id: string) => get<PlotList>(`${job(id)}/plots`),
  /** One test example through a trial's trained model (`n` a trial, or null for the best model). */
  activations: (id: string, n: number | null, example: number) =>
    get<ForwardPass>(`${job(id)}/${n === null ? "best-model" : `trials/${n}`}/activations?example=${example}`),
  openTensorBoard: (id: string) => post<TensorBoardLink>(`${job(id)}/tensorboard`),
};

export const links = {
  download: (id: string) => fileUrl(`/download/${encodeURIComponent(id)}`),
  studyPlot: (id: string, name: string) => fileUrl(`${job(id)}/plots/${encodeURIComponent(name)}`),
  trialPlot: (id: string, n: number, name: string) =>
    fileUrl(`${job(id)}/trials/${n}/plots/${encodeURIComponent(name)}`),
  /** The architecture as a download: `n` a trial, or null for the best model. */
  architecture: (id: string, n: number | null, format: "svg" | "pdf" | "json") =>
    fileUrl(`${job(id)}/${n === null ? "best-model" : `trials/${n}`}/architecture.${format}`),
};
