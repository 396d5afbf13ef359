// Opens the job's TensorBoard, which the server starts on demand and serves under /jobs/{id}/tensorboard/
// behind its own token (docs/api.md). A missing tensorboard package or a job without event files is said in words.
import { useState } from "react";

import { ApiError, api, fileUrl } from "../api/client";

export function TensorBoardButton({ jobId }: { jobId: string }) {
  const [state, setState] = useState<"idle" | "starting">("idle");
  const [error, setError] = useState<string | null>(null);

  async function open() {
    setState("starting");
    setError(null);
    const tab = window.open("about:blank", "_blank"); // opened now, while the click still counts as the user's
    try {
      const { url } = await api.openTensorBoard(jobId);
      if (tab) tab.location.href = fileUrl(url); // with ?token= when the server has one; a cookie does the rest
      else window.location.href = fileUrl(url);
    } catch (err) {
      tab?.close();
      setError(err instanceof ApiError ? err.message : String(err));
    } finally {
      setState("idle");
    }
  }

  return (
    <>
      <button type="button" className="small-button" onClick={open} disabled={state === "starting"}
        data-testid="open-tensorboard">
        {state === "starting" ? "Starting TensorBoard…" : "Open TensorBoard"}
      </button>
      {error && <span className="form-error" role="alert">{error}</span>}
    </>
  );
}
