// Forward propagation of one real test example: the input, then each layer's real activations drawn on its
// block (feature maps as textures, unit bars for dense and LSTM layers), one layer at a time, then the
// prediction with its probabilities. The activations come from the trial's saved model on the server.
import { useEffect, useRef, useState } from "react";

import { ApiError, api } from "../../api/client";
import type { ForwardPass as Pass } from "../../api/types";
import { inputImage, layerCaption, mapsMosaic, unitsImage } from "../../lib/activations";
import type { Block } from "../../lib/blocks3d";
import { pct } from "../../lib/format";
import type { SceneHandle } from "./scene";

const STEP_MS = 320; // per layer: slow enough to follow, a 20-layer CNN plays in about six seconds

type Phase = "idle" | "loading" | "playing" | "done";

interface Props {
  scene: SceneHandle;
  blocks: Block[];
  jobId: string;
  trial: number | null;
  playable: boolean;
}

export function ForwardPass({ scene, blocks, jobId, trial, playable }: Props) {
  const [example, setExample] = useState(0);
  const [pass, setPass] = useState<Pass | null>(null);
  const [step, setStep] = useState(-1); // -1 nothing shown, 0 the input, i the i-th layer
  const [phase, setPhase] = useState<Phase>("idle");
  const [error, setError] = useState<string | null>(null);
  const timer = useRef<number | undefined>(undefined);

  useEffect(() => () => window.clearInterval(timer.current), []);

  // Draw everything up to `step` on the blocks (the newest one outlined). While playing, only the newest layer
  // is new: the others keep their textures.
  const drawn = useRef<{ pass: Pass | null; scene: SceneHandle | null; step: number }>({ pass: null, scene: null,
    step: -1 });
  useEffect(() => {
    if (!pass) return;
    const index = new Map(blocks.map((b) => [b.id, b.index]));
    const last = drawn.current;
    const incremental = last.pass === pass && last.scene === scene && step >= 1 && step === last.step + 1;
    drawn.current = { pass, scene, step };
    if (!incremental) {
      scene.clearTextures();
      if (step >= 0) scene.setTexture(0, inputImage(pass.input));
    }
    pass.layers.slice(incremental ? step - 1 : 0, Math.max(0, step)).forEach((layer) => {
      const at = index.get(layer.id);
      if (at != null) scene.setTexture(at, layer.type === "maps" ? mapsMosaic(layer) : unitsImage(layer));
    });
    const current = step <= 0 ? 0 : index.get(pass.layers[step - 1].id);
    scene.highlight(step < 0 ? null : (current ?? null));
  }, [pass, step, scene, blocks]);

  const play = async () => {
    window.clearInterval(timer.current);
    setPhase("loading");
    setError(null);
    try {
      const next = await api.activations(jobId, trial, example);
      setPass(next);
      setStep(0);
      setPhase("playing");
      let at = 0;
      timer.current = window.setInterval(() => {
        at += 1;
        setStep(at);
        if (at >= next.layers.length) {
          window.clearInterval(timer.current);
          setPhase("done");
        }
      }, STEP_MS);
    } catch (err) {
      setPhase("idle");
      setError(err instanceof ApiError ? err.message : String(err));
    }
  };

  const showAll = () => {
    if (!pass) return;
    window.clearInterval(timer.current);
    setStep(pass.layers.length);
    setPhase("done");
  };

  if (!playable) {
    return <p className="muted small">The forward pass needs a completed trial with a saved model.</p>;
  }
  const layer = pass && step > 0 ? pass.layers[step - 1] : null;
  return (
    <section className="forward" data-testid="forward-pass" data-phase={phase} data-example={pass?.example ?? ""}
      aria-label="Forward pass">
      <div className="forward-bar">
        <label>
          Test example{" "}
          <input type="number" min={0} max={pass ? pass.examples - 1 : undefined} value={example}
            onChange={(e) => setExample(Math.max(0, Math.floor(Number(e.target.value) || 0)))}
            aria-label="Test example index" />
        </label>
        <button type="button" className="primary" onClick={play} disabled={phase === "loading"}>
          {phase === "loading" ? "Running…" : "Play forward pass"}
        </button>
        {phase === "playing" && <button type="button" onClick={showAll}>Show all layers</button>}
        {pass && <span className="muted small">of {pass.examples} in the test split</span>}
      </div>
      {error && <p className="form-error" role="alert">{error}</p>}
      {pass && (
        <div className="forward-body">
          {pass.input.type === "tokens" && (
            <p className="tokens small" data-testid="forward-tokens">
              {(pass.input.tokens ?? []).map((word, i) => <span key={i}>{word}</span>)}
            </p>
          )}
          <p className="small" data-testid="forward-step">
            {step <= 0 ? `Input: test example ${pass.example}` : (
              <>Layer {step} of {pass.layers.length}: <strong>{layer?.name}</strong> — {layer && layerCaption(layer)}</>
            )}
          </p>
          {phase === "done" && <Prediction pass={pass} />}
        </div>
      )}
    </section>
  );
}

function Prediction({ pass }: { pass: Pass }) {
  const { prediction } = pass;
  const ranked = prediction.probabilities.map((p, i) => ({ p, i })).sort((a, b) => b.p - a.p).slice(0, 5);
  const right = prediction.true_label == null ? null : prediction.true_label === prediction.label;
  return (
    <div className="prediction" data-testid="forward-prediction">
      <p>
        Predicted <strong>{prediction.name}</strong> ({pct(prediction.probabilities[prediction.label], 1)})
        {prediction.true_name != null && (
          <> · true class <strong>{prediction.true_name}</strong>{" "}
            <span className={right ? "swatch good" : "swatch poor"}>{right ? "right" : "wrong"}</span></>
        )}
      </p>
      <ul className="probabilities">
        {ranked.map(({ p, i }) => (
          <li key={i}>
            <span className="name">{prediction.class_names[i]}</span>
            <span className="bar"><span style={{ width: `${Math.max(0.5, p * 100)}%` }} /></span>
            <span className="value">{pct(p, 1)}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
