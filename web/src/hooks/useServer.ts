// What the whole page needs from the server besides one job: is it up, does it want a token, the datasets,
// the glossary and the list of jobs. Polls slowly while up and quickly while down, so the page reconnects
// by itself when the server comes back.
import { useCallback, useEffect, useRef, useState } from "react";

import { ApiError, api } from "../api/client";
import { isOnline, subscribeConnectivity } from "../api/connectivity";
import type { DatasetEntry, Glossary, HealthStatus, Job } from "../api/types";

export interface ServerState {
  online: boolean;
  health: HealthStatus | null;
  authNeeded: boolean;
  datasets: DatasetEntry[] | null;
  glossary: Glossary | null;
  schema: unknown | null; // the server's OpenAPI document: the form's every option comes from it
  jobs: Job[] | null;
  error: string | null; // the last non-connectivity failure, in words
  refreshJobs: () => void;
  refreshDatasets: () => void;
  retryNow: () => void;
}

const UP_POLL_MS = 4000;
const DOWN_POLL_MS = 1500;

export function useServer(): ServerState {
  const [online, setOnline] = useState(isOnline());
  const [health, setHealth] = useState<HealthStatus | null>(null);
  const [authNeeded, setAuthNeeded] = useState(false);
  const [datasets, setDatasets] = useState<DatasetEntry[] | null>(null);
  const [glossary, setGlossary] = useState<Glossary | null>(null);
  const [schema, setSchema] = useState<unknown | null>(null);
  const [jobs, setJobs] = useState<Job[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const loaded = useRef({ datasets: false, glossary: false, schema: false });

  useEffect(() => subscribeConnectivity(setOnline), []);

  const record = useCallback((err: unknown) => {
    if (err instanceof ApiError) {
      if (err.status === 401) setAuthNeeded(true);
      else if (!err.unreachable) setError(err.message);
    } else {
      setError(String(err));
    }
  }, []);

  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    async function round(): Promise<void> {
      let up = false;
      try {
        const status = await api.health();
        if (cancelled) return;
        setHealth(status);
        setAuthNeeded(false);
        up = true;
        const work: Promise<unknown>[] = [api.jobs().then((list) => !cancelled && setJobs(list))];
        if (!loaded.current.datasets) {
          work.push(api.datasets().then((list) => {
            if (cancelled) return;
            setDatasets(list);
            loaded.current.datasets = true;
          }));
        }
        if (!loaded.current.schema) {
          work.push(api.openapi().then((doc) => {
            if (cancelled) return;
            setSchema(doc);
            loaded.current.schema = true;
          }));
        }
        if (!loaded.current.glossary) {
          work.push(api.glossary().then((g) => {
            if (cancelled) return;
            setGlossary(g);
            loaded.current.glossary = true;
          }));
        }
        const results = await Promise.allSettled(work);
        const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
        if (failed) record(failed.reason);
        else if (!cancelled) setError(null);
      } catch (err) {
        if (!cancelled) record(err);
      }
      if (!cancelled) timer = setTimeout(round, up ? UP_POLL_MS : DOWN_POLL_MS);
    }
    void round();
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [tick, record]);

  const refreshJobs = useCallback(() => {
    api.jobs().then(setJobs, record);
  }, [record]);
  const refreshDatasets = useCallback(() => {
    api.datasets().then(setDatasets, record);
  }, [record]);
  const retryNow = useCallback(() => setTick((t) => t + 1), []);

  return { online, health, authNeeded, datasets, glossary, schema, jobs, error, refreshJobs, refreshDatasets, retryNow };
}
