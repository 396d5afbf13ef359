// Your own data: upload a zip of class folders, a text table or a .npz; see its classes, their counts and a few
// examples as the search will see them; use it in the form; delete it. The server checks an upload by decoding
// it (docs/datasets.md), so what it refuses comes back as its one-line reason, shown as is.
import { useEffect, useState } from "react";

import { ApiError, api } from "../api/client";
import { RUN_NAME_PATTERN as NAME } from "../api/schema"; // an upload's name is a run name's
import type { DatasetEntry, DatasetExample } from "../api/types";

/** A dataset name from a file name: `My Photos.zip` -> `My_Photos`. */
export function nameFromFile(fileName: string): string {
  const stem = fileName.replace(/\.[^.]+$/, "").replace(/[^A-Za-z0-9_.-]/g, "_").replace(/^[^A-Za-z0-9]+/, "");
  return stem.slice(0, 100) || "my_data";
}

function message(err: unknown): string {
  return err instanceof ApiError ? err.message : String(err);
}

interface Props {
  datasets: DatasetEntry[] | null;
  onUploaded: (name: string) => void;
  onDeleted: () => void;
}

export function YourData({ datasets, onUploaded, onDeleted }: Props) {
  const [file, setFile] = useState<File | null>(null);
  const [name, setName] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const uploads = (datasets ?? []).filter((d) => d.uploaded);
  const taken = (datasets ?? []).some((d) => d.name === name);
  const nameError = !name ? null : !NAME.test(name)
    ? "Use letters, digits, '_', '-' and '.', starting with a letter or digit."
    : taken ? `A dataset named ${name} exists.` : null;

  async function send(event: React.FormEvent) {
    event.preventDefault();
    if (!file || !name || nameError || busy) return;
    setBusy(true);
    setError(null);
    try {
      const entry = await api.uploadDataset(name, file);
      setFile(null);
      setName("");
      onUploaded(entry.name);
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card your-data" aria-label="Your data">
      <h2>Your data</h2>
      <p className="hint">
        A <strong>.zip</strong> with one folder per class of images (optionally inside <code>train/</code> and{" "}
        <code>test/</code>), a <strong>CSV, TSV or JSONL</strong> table with a text and a label column, or a{" "}
        <strong>.npz</strong> with <code>x</code> and <code>y</code>. Images get CNNs, text gets LSTMs.
      </p>
      <form className="upload-row" onSubmit={send} aria-label="Upload a dataset">
        <input id="u-file" type="file" accept=".zip,.csv,.tsv,.jsonl,.ndjson,.npz" aria-label="Dataset file"
          onChange={(e) => {
            const chosen = e.target.files?.[0] ?? null;
            setFile(chosen);
            setError(null);
            if (chosen) setName(nameFromFile(chosen.name));
          }} />
        <label htmlFor="u-name">Name</label>
        <input id="u-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="photos" />
        <button type="submit" disabled={!file || !name || !!nameError || busy}>
          {busy ? "Uploading and checking…" : "Upload"}
        </button>
      </form>
      {nameError && <p className="form-error">{nameError}</p>}
      {error && <p className="form-error" role="alert" data-testid="upload-error">{error}</p>}
      {uploads.length > 0 && (
        <ul className="uploads">
          {uploads.map((d) => <Uploaded key={d.name} entry={d} onDeleted={onDeleted} />)}
        </ul>
      )}
    </section>
  );
}

function Uploaded({ entry, onDeleted }: { entry: DatasetEntry; onDeleted: () => void }) {
  const [examples, setExamples] = useState<DatasetExample[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [deleting, setDeleting] = useState(false);

  useEffect(() => {
    let live = true;
    api.datasetExamples(entry.name).then((list) => live && setExamples(list), (err) => live && setError(message(err)));
    return () => { live = false; };
  }, [entry.name, entry.uploaded_at]);

  async function remove() {
    setDeleting(true);
    setError(null);
    try {
      await api.deleteDataset(entry.name);
      onDeleted();
    } catch (err) {
      setError(message(err));
      setDeleting(false);
    }
  }

  const counts = entry.class_counts?.train ?? {};
  return (
    <li className="uploaded" data-testid={`upload-${entry.name}`}>
      <div className="uploaded-head">
        <strong>{entry.name}</strong>
        <span className="muted small">
          {entry.family.toUpperCase()} · {entry.num_classes} classes · {entry.train_size.toLocaleString()} examples
          {entry.test_size ? ` + ${entry.test_size.toLocaleString()} test` : " (20% held out for testing)"} · input{" "}
          {entry.input_shape.join("×")}
          {entry.skipped_unreadable ? ` · ${entry.skipped_unreadable} unreadable skipped` : ""}
        </span>
        <button type="button" className="link" onClick={remove} disabled={deleting}>
          {deleting ? "Deleting…" : "Delete"}
        </button>
      </div>
      <p className="small class-counts">
        {Object.entries(counts).map(([label, n]) => <span key={label}>{label} <b>{n}</b></span>)}
      </p>
      {examples && (
        <div className="examples">
          {examples.map((e, i) => e.image
            ? <figure key={i}><img src={e.image} alt={`example of ${e.label}`} /><figcaption>{e.label}</figcaption></figure>
            : <blockquote key={i}><b>{e.label}</b> {e.text}</blockquote>)}
        </div>
      )}
      {error && <p className="form-error" role="alert">{error}</p>}
    </li>
  );
}
