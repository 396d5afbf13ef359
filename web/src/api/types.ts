// Shapes of the nettune REST + WebSocket API, as documented in docs/api.md.

export type JobState = "QUEUED" | "RUNNING" | "COMPLETED" | "FAILED" | "CANCELLED" | "INTERRUPTED";
export const FINAL_JOB_STATES: readonly JobState[] = ["COMPLETED", "FAILED", "CANCELLED", "INTERRUPTED"];
export const RESUMABLE_JOB_STATES: readonly JobState[] = ["FAILED", "CANCELLED", "INTERRUPTED"];

export type TrialState = "WAITING" | "RUNNING" | "COMPLETE" | "PRUNED" | "FAIL" | "INTERRUPTED";

/** Where a running trial is within its epochs: shared by progress snapshots and epoch_progress events. */
export interface EpochPosition {
  trial: number;
  epoch: number;
  total_epochs: number;
  fraction: number;
  loss: number | null;
  accuracy: number | null;
  val_accuracy: number | null;
}

export interface RunningTrial extends EpochPosition {
  worker: string;
  started: number;
  history?: HistoryRow[]; // finished epochs so far: the trial's curves while it runs
}

export interface Progress {
  total_trials: number;
  completed: number;
  pruned: number;
  failed: number;
  finished: number;
  running: number;
  running_trials: RunningTrial[];
  best_accuracy: number | null;
  best_score: number | null;
  best_trial: number | null;
  mode: string;
  average_duration_s: number | null;
  elapsed_s: number;
  eta_s: number | null;
  notices: string[];
}

export interface JobResult {
  best_trial: number | null;
  best_value: number | null;
  best_accuracy: number | null;
  best_test_accuracy: number | null;
  best_health: number | null;
  counts: Record<string, number>;
  importance: Record<string, number>;
  interrupted: boolean;
}

export interface Job {
  job_id: string;
  run_name: string;
  state: JobState;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  error: string | null;
  cancel_requested: boolean;
  config: Record<string, unknown>;
  progress: Progress;
  model_ready: boolean;
  result: JobResult | null;
  seq: number;
}

export interface Architecture {
  family: string;
  conv_layers: number;
  filters: number[];
  kernel_sizes: number[];
  dense_layers: number;
  dense_nodes: number[];
  activation: string;
  param_count: number;
  [extra: string]: unknown;
}

export interface TrialSummary {
  number: number;
  state: TrialState;
  params: Record<string, unknown>;
  architecture: Architecture | null;
  value: number | null;
  metrics: Record<string, unknown>;
  health_overall: number | null;
  health_metrics: Record<string, number | null> | null;
  health_summary: string | null;
  started_at: number | null;
  finished_at: number | null;
  duration_s: number | null;
  worker: string | null;
  error: string | null;
  is_best: boolean;
  plots: string[];
  progress: RunningTrial | null;
}

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

export type HistoryRow = Record<string, number | null>;

export interface TrialDetail extends TrialSummary {
  health: HealthReport | null;
  history: HistoryRow[];
  graph: ArchitectureGraph | null;
  model_config: Record<string, unknown> | null;
}

export interface BestModel {
  job_id: string;
  run_name: string;
  mode: string;
  model_ready: boolean;
  trial: TrialDetail;
}

export interface PlotList {
  job_id: string;
  study: string[];
  study_skipped: Record<string, string>;
  trials: Record<string, string[]>;
}

export interface DatasetEntry {
  name: string;
  modality: string;
  task: string;
  family: string;
  num_classes: number;
  class_names: string[];
  train_size: number;
  test_size: number;
  input_shape: number[];
  description: string;
  available_offline: boolean;
  // uploaded datasets (POST /datasets/uploads/{name}) only
  uploaded?: boolean;
  format?: string | null;
  filename?: string | null;
  bytes?: number | null;
  uploaded_at?: number | null;
  class_counts?: Record<string, Record<string, number>> | null;
  skipped_unreadable?: number | null;
}

export interface DatasetExample {
  label: string;
  image: string | null; // data:image/png;base64,...
  text: string | null;
}

export interface GlossaryEntry {
  title: string;
  what: string;
  why?: string | null;
  bad_value?: string | null;
}

export interface Glossary {
  hyperparameters: Record<string, GlossaryEntry>;
  param_aliases: Record<string, string>;
  health_metrics: Record<string, GlossaryEntry>;
  options: Record<string, GlossaryEntry>;
}

export interface HealthStatus {
  status: "ok";
  version: string;
  uptime_s: number;
  jobs: Record<string, number>;
  max_running_jobs: number;
  limits?: ServerLimits;
  auth_required: boolean;
}

/** This server's request limits (POST /optimize answers 422 beyond them). */
export interface ServerLimits {
  trials: number;
  max_epochs_per_trial: number;
  concurrent_workers: number;
  body_bytes?: number;
  queued_jobs?: number;
}

/** The body of POST /optimize (every field optional; the server fills defaults). */
export interface OptimizeRequest {
  dataset?: string;
  mode?: "simple" | "health";
  trials?: number;
  max_epochs_per_trial?: number;
  concurrent_workers?: number;
  health_weight?: number;
  data_fraction?: number;
  activation?: string | null;
  use_runpod_service?: boolean;
  runpod_endpoint?: string | null;
  run_name?: string;
  [option: string]: unknown;
}

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
