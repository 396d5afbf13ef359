// The server's OpenAPI schema as shipped with this build (openapi.json, written by `make api-types` from the
// Python code; tests/api/test_api_types.py fails when it drifts). Every list of choices, default, pattern and
// limit the dashboard needs is read from here, so none is restated in TypeScript. Only `components` is
// imported: the bundler leaves the paths out.
import { components } from "./openapi.json";
import type { JobState, OptimizeRequest, ServerLimits } from "./types";

interface PropertySchema {
  enum?: string[];
  anyOf?: PropertySchema[];
  pattern?: string;
  default?: unknown;
}

interface ObjectSchema {
  properties: Record<string, PropertySchema>;
}

const schemas = components.schemas as unknown as Record<string, ObjectSchema> & {
  JobState: { enum: JobState[]; "x-final": JobState[]; "x-resumable": JobState[]; "x-active": JobState[] };
};

function property(model: string, name: string): PropertySchema {
  const found = schemas[model]?.properties[name];
  if (!found) throw new Error(`the API schema has no ${model}.${name}; run \`make api-types\``);
  return found;
}

/** The non-null branch of an optional property (`T | null` is `anyOf: [T, {type: null}]`). */
function value(model: string, name: string): PropertySchema {
  const raw = property(model, name);
  return raw.anyOf?.find((s) => s.enum !== undefined || s.pattern !== undefined) ?? raw;
}

/** The choices POST /optimize accepts for `name` (an enum option such as `activation` or `mode`). */
export function requestChoices<K extends keyof OptimizeRequest>(name: K): NonNullable<OptimizeRequest[K]>[] {
  const choices = value("OptimizeRequest", name).enum;
  if (!choices) throw new Error(`OptimizeRequest.${name} has no choices in the API schema`);
  return choices as NonNullable<OptimizeRequest[K]>[];
}

/** What the server uses for `name` when a request leaves it out (undefined: none, the server decides). */
export function requestDefault<K extends keyof OptimizeRequest>(name: K): OptimizeRequest[K] | undefined {
  return property("OptimizeRequest", name).default as OptimizeRequest[K] | undefined;
}

/** A run's name (and an upload's): the server's pattern, as a RegExp. */
export const RUN_NAME_PATTERN = new RegExp(value("OptimizeRequest", "run_name").pattern ?? "");

export const JOB_STATES: readonly JobState[] = schemas.JobState.enum;
export const FINAL_JOB_STATES: readonly JobState[] = schemas.JobState["x-final"];
export const RESUMABLE_JOB_STATES: readonly JobState[] = schemas.JobState["x-resumable"];
/** Queued or running: the job may still change. */
export const ACTIVE_JOB_STATES: readonly JobState[] = schemas.JobState["x-active"];

/** `nettune serve`'s default limits, used until a server reports its own (GET /health). */
export const DEFAULT_LIMITS = Object.fromEntries(
  Object.entries(schemas.ServerLimits.properties).map(([name, p]) => [name, p.default]),
) as unknown as ServerLimits;
