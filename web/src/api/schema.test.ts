import { describe, expect, it } from "vitest";

import openapi from "./openapi.json";
import {
  ACTIVE_JOB_STATES, DEFAULT_LIMITS, FINAL_JOB_STATES, JOB_STATES, RESUMABLE_JOB_STATES, RUN_NAME_PATTERN,
  requestChoices, requestDefault,
} from "./schema";
import { DEFAULT_FORM } from "../lib/validate";

const request = openapi.components.schemas.OptimizeRequest.properties;

describe("lists, defaults and limits read from the server's schema", () => {
  it("offers exactly the server's choices", () => {
    expect(requestChoices("activation")).toEqual(request.activation.anyOf[0].enum);
    expect(requestChoices("mode")).toEqual(request.mode.enum);
  });
  it("starts the form from the server's defaults", () => {
    expect(DEFAULT_FORM.trials).toBe(String(request.trials.default));
    expect(DEFAULT_FORM.healthWeight).toBe(String(request.health_weight.default));
    expect(DEFAULT_FORM.mode).toBe(requestDefault("mode"));
    expect(DEFAULT_FORM.workers).toBe(""); // no default: the server picks (auto)
  });
  it("checks run names with the server's pattern", () => {
    expect(RUN_NAME_PATTERN.source).toBe(request.run_name.anyOf[0].pattern);
    expect(RUN_NAME_PATTERN.test("mnist_run-2.b")).toBe(true);
    expect(RUN_NAME_PATTERN.test("../etc")).toBe(false);
  });
  it("groups job states: every state active or final, resumable ones final", () => {
    expect([...ACTIVE_JOB_STATES, ...FINAL_JOB_STATES].sort()).toEqual([...JOB_STATES].sort());
    expect(RESUMABLE_JOB_STATES.every((s) => FINAL_JOB_STATES.includes(s))).toBe(true);
    expect(RESUMABLE_JOB_STATES).not.toContain("COMPLETED");
  });
  it("knows nettune serve's default limits before a server reports its own", () => {
    const limits = openapi.components.schemas.ServerLimits.properties;
    expect(DEFAULT_LIMITS).toEqual(Object.fromEntries(Object.entries(limits).map(([k, v]) => [k, v.default])));
    expect(DEFAULT_LIMITS.trials).toBeGreaterThan(0);
  });
});
