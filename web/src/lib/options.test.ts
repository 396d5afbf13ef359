import { describe, expect, it } from "vitest";

import { checkOptions, formFromConfig, fullRequest, optionSpecs } from "./options";
import { DEFAULT_FORM } from "./validate";

// The shapes FastAPI writes for OptimizeRequest (see /openapi.json): plain, enum, nullable and bounded fields.
const openapi = {
  components: {
    schemas: {
      OptimizeRequest: {
        properties: {
          trials: { type: "integer", minimum: 1, maximum: 10000, title: "Trials", default: 20 },
          seed: { type: "integer", minimum: 0, maximum: 2147483647, title: "Seed", default: 42 },
          pruner: { type: "string", enum: ["median", "hyperband", "none"], title: "Pruner", default: "hyperband" },
          trial_timeout: { anyOf: [{ type: "number", minimum: 1, maximum: 604800 }, { type: "null" }],
            title: "Trial Timeout" },
          warm_start: { type: "boolean", title: "Warm Start", default: true },
          text_column: { anyOf: [{ type: "string", maxLength: 500 }, { type: "null" }], title: "Text Column" },
        },
      },
    },
  },
};

describe("every option from the server's schema", () => {
  const specs = optionSpecs(openapi);
  it("skips the form's own fields and reads kinds, ranges and defaults", () => {
    expect(specs.map((s) => s.name)).toEqual(["seed", "pruner", "trial_timeout", "warm_start", "text_column"]);
    expect(specs[1]).toMatchObject({ kind: "enum", choices: ["median", "hyperband", "none"], default: "hyperband" });
    expect(specs[2]).toMatchObject({ kind: "number", min: 1, max: 604800, default: null });
    expect(specs[3]).toMatchObject({ kind: "boolean", default: true });
  });
  it("checks values before anything is sent; empty means the default", () => {
    expect(checkOptions(specs, { seed: "-1", trial_timeout: "soon", pruner: "" })).toEqual({
      seed: "Seed must be at least 0 and at most 2147483647.", trial_timeout: "Trial Timeout must be a number.",
    });
  });
  it("sends only what was set, typed", () => {
    const body = fullRequest(DEFAULT_FORM, specs, { seed: "7", warm_start: "false", pruner: "", text_column: "body" });
    expect(body).toMatchObject({ seed: 7, warm_start: false, text_column: "body" });
    expect(body).not.toHaveProperty("pruner");
  });
  it("round-trips a job's configuration (export, import, run again) with a new run name", () => {
    const body = { ...fullRequest({ ...DEFAULT_FORM, mode: "simple", workers: "2", runName: "old" }, specs,
      { seed: "7", pruner: "median" }) };
    const form = formFromConfig(body, specs);
    expect(form.values).toMatchObject({ mode: "simple", workers: "2", runName: "" });
    expect(form.extra).toEqual({ seed: "7", pruner: "median" });
    expect(fullRequest(form.values, specs, form.extra)).toEqual({ ...body, run_name: undefined });
  });
});
