// Shapes of the nettune REST + WebSocket API (docs/api.md). Everything the server's OpenAPI schema describes is
// taken from the types generated from it (schema.gen.ts, by `make api-types`; a test fails when they drift), so
// a model changed in Python changes here. Written out by hand are only what the schema leaves open: a trial's
// health report and architecture graph (dicts on the server) and the WebSocket events (no OpenAPI for those).
import type { components } from "./schema.gen";

type Schemas = components["schemas"];

export type JobState = Schemas["JobState"];
export type TrialState = Schemas["TrialSummary"]["state"];

export type RunningTrial = Schemas["RunningTrial"];
/** Where a running trial is within its epochs: shared by progress snapshots and epoch_progress events. */
export type EpochPosition = Pick<RunningTrial,
  "trial" | "epoch" | "total_epochs" | "fraction" | "loss" | "accuracy" | "val_accuracy">;
export type ParamStats = Schemas["ParamStats"];
export type LayerStatsEpoch = Schemas["LayerStatsEpoch"];
export type Progress = Schemas["Progress"];
export type JobResult = Schemas["JobResult"];
export type Job = Schemas["Job"];
export type Architecture = Schemas["Architecture"];
export type TrialSummary = Schemas["TrialSummary"];
export type PlotList = Schemas["PlotList"];
export type DatasetEntry = Schemas["DatasetEntry"];
export type DatasetExample = Schemas["DatasetExample"];
export type DatasetList = Schemas["DatasetList"];
export type DatasetExamples = Schemas["DatasetExamples"];
export type JobList = Schemas["JobList"];
export type TrialList = Schemas["TrialList"];
export type TensorBoardLink = Schemas["TensorBoardLink"];
export type GlossaryEntry = Schemas["GlossaryEntry"];
export type Glossary = Schemas["Glossary"];
export type HealthStatus = Schemas["HealthStatus"];
/** This server's request limits (POST /optimize answers 422 beyond them). */
export type ServerLimits = Schemas["ServerLimits"];
/** The body of POST /optimize (every field optional; the server fills defaults). */
export type OptimizeRequest = Schemas["OptimizeRequest"];
export type HistoryRow = Record<string, number | null>;

// The forward-pass view: GET /jobs/{id}/trials/{n}/activations?example=N (and /best-model/activations).
export type ForwardInput = Schemas["ForwardInput"];
export type LayerActivation = Schemas["LayerActivation"];
export type ForwardPrediction = Schemas["ForwardPrediction"];
export type ForwardPass = Schemas["ForwardPass"];

// -- inside TrialDetail.health and .graph, which the schema types as open objects --------------------------

export interface LayerHealth {
  name: string;
  kind: string;
  units: number;
  dead: number | null;
  saturated: number | null;
  grad_norm_mean: number | null;
  grad_norm_max: number | null;
  activation: string | null;
  grad_score: number | null;
  layers?: LayerHealth[];
}

export interface HealthReport {
  metrics: Record<string, number | null>;
  overall: number | null;
  overfitting_gap: number | null;
  dead_fraction: number | null;
  saturated_fraction: number | null;
  per_layer: LayerHealth[];
  summary: string;
  issues: string[];
  unmeasured: string[];
  details: Record<string, Record<string, number | null>>;
}

export interface GraphNodeData {
  id: string;
  name: string;
  type: string;
  kind: string;
  label: string;
  output_shape: number[];
  params: number;
  trainable_params: number;
  health: LayerHealth | null;
  activation?: string | null;
  filters?: number;
  kernel_size?: number[];
  units?: number;
  layout3d?: { color_intensity?: number; color_basis?: string };
  [fact: string]: unknown;
}

export interface ArchitectureGraph {
  format: string;
  model: {
    family: string;
    input_shape: number[];
    num_classes: number;
    total_params: number;
    trainable_params: number;
    layers: number;
    unassigned_params: number;
  };
  elements: {
    nodes: { data: GraphNodeData; position?: { x: number; y: number } }[];
    edges: { data: { id: string; source: string; target: string } }[];
  };
  health?: { overall: number | null; metrics: Record<string, number | null> | null; summary: string | null };
}

export type TrialDetail = Omit<Schemas["TrialDetail"], "health" | "history" | "graph"> & {
  health: HealthReport | null;
  history: HistoryRow[];
  graph: ArchitectureGraph | null;
};

export type BestModel = Omit<Schemas["BestModel"], "trial"> & { trial: TrialDetail };

// -- WebSocket events (/ws/jobs/{id}) ------------------------------------------------------------------------

export type EventType =
  | "snapshot"
  | "job_status"
  | "trial_start"
  | "epoch_progress"
  | "trial_complete"
  | "job_complete"
  | "notice";

export interface EventEnvelope<T = unknown> {
  type: EventType;
  job_id: string | null;
  seq: number | null;
  time: number;
  data: T;
}

export interface JobSnapshot {
  job: Job;
  trials: TrialSummary[];
}

export interface TrialStartData {
  trial: number;
  worker: string;
  total_epochs: number;
  model_config: Record<string, unknown>;
  architecture: Architecture | null;
  progress: Progress;
}

export interface EpochProgressData extends EpochPosition {
  progress: Progress;
}

export interface TrialCompleteData {
  trial: TrialSummary;
  outcome: "complete" | "pruned" | "failed" | "cancelled";
  progress: Progress;
}

export interface NoticeData {
  message: string;
  level: string;
}
