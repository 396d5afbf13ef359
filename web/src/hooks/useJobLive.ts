// Follows one job live: the WebSocket /ws/jobs/{id} first, REST polling whenever the socket is down, and
// automatic reconnection (with backoff) after the server goes away and comes back.
import { useEffect, useReducer, useState } from "react";

import { ApiError, api, wsUrl } from "../api/client";
import { reportReachable } from "../api/connectivity";
import { EMPTY_LIVE, type LiveJob, liveReducer } from "../api/live";
import type { EventEnvelope } from "../api/types";

export type LinkState = "idle" | "connecting" | "live" | "polling" | "down";

export interface JobLive extends LiveJob {
  link: LinkState;
  error: string | null;
}

const POLL_MS = 2000;
const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 5000;
const WS_CLOSE_UNKNOWN_JOB = 4404;

export function useJobLive(jobId: string | null): JobLive {
  const [state, dispatch] = useReducer(liveReducer, EMPTY_LIVE);
  const [link, setLink] = useState<LinkState>("idle");
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    dispatch({ kind: "reset" });
    setError(null);
    if (!jobId) {
      setLink("idle");
      return;
    }
    const id = jobId;
    let stopped = false;
    let socket: WebSocket | null = null;
    let reconnectTimer: ReturnType<typeof setTimeout> | undefined;
    let pollTimer: ReturnType<typeof setTimeout> | undefined;
    let backoff = RECONNECT_MIN_MS;
    // True from the socket's snapshot until it closes: only then does the stream replace polling.
    let live = false;

    async function poll(): Promise<void> {
      if (stopped || live) return;
      try {
        const [job, trials] = await Promise.all([api.job(id), api.trials(id)]);
        if (stopped || live) return;
        dispatch({ kind: "polled", job, trials });
        setError(null);
        setLink("polling");
      } catch (err) {
        if (stopped) return;
        const apiError = err instanceof ApiError ? err : new ApiError(0, String(err));
        setLink(apiError.unreachable ? "down" : "polling");
        if (apiError.status === 404) {
          setError(apiError.message);
          return; // the job does not exist: nothing to retry
        }
        if (!apiError.unreachable) setError(apiError.message);
      }
      if (!stopped && !live) pollTimer = setTimeout(poll, POLL_MS);
    }

    function connect(): void {
      if (stopped) return;
      if (typeof WebSocket === "undefined") {
        void poll();
        return;
      }
      setLink((current) => (current === "idle" ? "connecting" : current));
      const ws = new WebSocket(wsUrl(`/ws/jobs/${encodeURIComponent(id)}`));
      socket = ws;
      ws.onopen = () => reportReachable();
      ws.onmessage = (message) => {
        try {
          const event = JSON.parse(String(message.data)) as EventEnvelope;
          if (event.job_id != null && event.job_id !== id) return;
          dispatch({ kind: "event", event });
          if (event.type === "snapshot") {
            // A socket that delivers its snapshot works: stop polling, and reconnect quickly next time.
            live = true;
            backoff = RECONNECT_MIN_MS;
            clearTimeout(pollTimer);
            setError(null);
            setLink("live");
          }
        } catch {
          // A frame that is not JSON is not ours to interpret; the next snapshot or poll corrects the view.
        }
      };
      ws.onclose = (close) => {
        live = false;
        socket = null;
        if (stopped) return;
        if (close.code === WS_CLOSE_UNKNOWN_JOB) {
          setError(`The server has no job with id '${id}'.`);
          setLink("idle");
          return;
        }
        // Keep the view fresh over REST until the socket is back.
        clearTimeout(pollTimer);
        void poll();
        reconnectTimer = setTimeout(connect, backoff);
        backoff = Math.min(RECONNECT_MAX_MS, backoff * 2);
      };
    }

    connect();
    return () => {
      stopped = true;
      clearTimeout(reconnectTimer);
      clearTimeout(pollTimer);
      socket?.close();
    };
  }, [jobId]);

  return { ...state, link, error };
}
