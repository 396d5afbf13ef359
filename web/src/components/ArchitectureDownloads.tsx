// Downloads of an architecture: a vector diagram with its legend (SVG, PDF) and the graph itself (JSON).
import { links } from "../api/client";

export function ArchitectureDownloads({ jobId, trial }: { jobId: string; trial: number | null }) {
  return (
    <p className="small downloads" data-testid="architecture-downloads">
      Download the architecture:{" "}
      {(["svg", "pdf", "json"] as const).map((format, i) => (
        <span key={format}>
          {i > 0 && " · "}
          <a href={links.architecture(jobId, trial, format)} download>{format.toUpperCase()}</a>
        </span>
      ))}
    </p>
  );
}
