import { describe, expect, it } from "vitest";

import datasetsFixture from "../test/fixtures/datasets.json";
import { DEFAULT_LIMITS } from "../api/schema";
import type { DatasetEntry } from "../api/types";
import { DEFAULT_FORM, toRequest, validate } from "./validate";

const datasets = datasetsFixture.datasets as DatasetEntry[];

describe("start form validation", () => {
  it("accepts the defaults", () => {
    expect(validate(DEFAULT_FORM, datasets)).toEqual({});
    expect(DEFAULT_FORM.workers).toBe("");
  });
  it("names each bad field", () => {
    const errors = validate({ ...DEFAULT_FORM, trials: "0", maxEpochs: "2.5", workers: "x", dataFraction: "0" }, datasets);
    expect(errors.trials).toMatch(/between 1 and/);
    expect(errors.maxEpochs).toMatch(/whole number/);
    expect(errors.workers).toMatch(/whole number/);
    expect(errors.dataFraction).toMatch(/above 0/);
  });
  it("requires an endpoint for remote execution and checks URLs", () => {
    expect(validate({ ...DEFAULT_FORM, execution: "remote" }, datasets).endpoint).toMatch(/Enter the endpoint/);
    expect(validate({ ...DEFAULT_FORM, execution: "remote", endpoint: "ftp://x" }, datasets).endpoint).toMatch(/http/);
    expect(validate({ ...DEFAULT_FORM, execution: "remote", endpoint: "abc123" }, datasets).endpoint).toBeUndefined();
  });
  it("uses the server's own limits", () => {
    const limits = { ...DEFAULT_LIMITS, trials: 50, max_epochs_per_trial: 10, concurrent_workers: 2 };
    const errors = validate({ ...DEFAULT_FORM, trials: "60", maxEpochs: "11", workers: "3" }, datasets, limits);
    expect(errors.trials).toBe("Trials must be between 1 and 50.");
    expect(errors.maxEpochs).toBe("Max epochs per trial must be between 1 and 10.");
    expect(errors.workers).toBe("Concurrent workers must be between 1 and 2.");
  });
  it("rejects datasets the server does not offer and bad run names", () => {
    expect(validate({ ...DEFAULT_FORM, dataset: "svhn" }, datasets).dataset).toMatch(/does not offer/);
    expect(validate({ ...DEFAULT_FORM, runName: "../x" }, datasets).runName).toMatch(/Run name/);
  });
  it("builds the POST /optimize body with only what applies", () => {
    expect(toRequest({ ...DEFAULT_FORM, mode: "simple", trials: "4", execution: "remote", endpoint: " http://gpu:8001 " }))
      .toEqual({
        dataset: "mnist", mode: "simple", trials: 4, max_epochs_per_trial: 6, data_fraction: 1,
        use_runpod_service: true, runpod_endpoint: "http://gpu:8001",
      });
    // An empty Workers field is auto: the body leaves concurrent_workers out so the server chooses.
    expect(toRequest({ ...DEFAULT_FORM, workers: "2" })).toMatchObject({ concurrent_workers: 2 });
    expect(toRequest({ ...DEFAULT_FORM, activation: "tanh", runName: "r1" })).toMatchObject({ health_weight: 0.3, activation: "tanh", run_name: "r1" });
  });
});
