// How a trial trained, epoch by epoch. Running: the curves so far and the latest epoch's gradient flow and
// weights, updated live as each epoch ends. Finished: the same views with an epoch slider and a play button that
// replays the run (curves, gradient flow and weights) from its saved per-epoch statistics.
import { useEffect, useMemo, useState } from "react";

import type { HistoryRow, LayerStatsEpoch } from "../api/types";
import { HistoryChart } from "./charts/HistoryChart";
import { GradientFlowChart, WeightStatsChart, gradientRange } from "./charts/LayerCharts";
import { Term } from "./Glossary";

export const REPLAY_STEP_MS = 800; // one epoch per step: slow enough to see each bar move

const epochOf = (row: HistoryRow, i: number) => (typeof row.epoch === "number" ? row.epoch : i + 1);

export function LiveLayerViews({ stats }: { stats: LayerStatsEpoch | null | undefined }) {
  if (!stats) {
    return <p className="muted small">Gradient flow and weights appear when the first epoch ends.</p>;
  }
  return (
    <div className="split" data-testid="live-layers">
      <GradientFlowChart stats={stats} />
      <WeightStatsChart stats={stats} />
    </div>
  );
}

export function TrainingReplay({ history, layerStats }: { history: HistoryRow[]; layerStats: LayerStatsEpoch[] }) {
  const epochs = useMemo(() => history.map(epochOf), [history]);
  const last = epochs.length ? Math.max(...epochs) : 0;
  const [epoch, setEpoch] = useState(last);
  const [playing, setPlaying] = useState(false);
  const range = useMemo(() => gradientRange(layerStats), [layerStats]);

  useEffect(() => setEpoch(last), [last]);
  useEffect(() => {
    if (!playing) return;
    if (epoch >= last) {
      setPlaying(false); // the replay stops on the last epoch
      return;
    }
    const timer = setTimeout(() => setEpoch(epoch + 1), REPLAY_STEP_MS);
    return () => clearTimeout(timer);
  }, [playing, epoch, last]);

  const play = () => {
    if (playing) return setPlaying(false);
    if (epoch >= last) setEpoch(Math.min(...epochs)); // from the start when the replay is at its end
    setPlaying(true);
  };
  const shown = history.filter((row, i) => epochOf(row, i) <= epoch);
  // The latest measured epoch at or before the slider's (a trial stopped mid-epoch has fewer entries).
  const stats = [...layerStats].reverse().find((s) => s.epoch <= epoch);
  return (
    <div className="replay">
      {epochs.length > 1 && (
        <div className="replay-controls">
          <button type="button" className="small-button" onClick={play} data-testid="replay-play"
            aria-label={playing ? "Pause the replay" : "Play the training replay"}>
            {playing ? "❚❚ Pause" : "▶ Play"}
          </button>
          <label htmlFor="replay-epoch"><Term kind="health" name="training_replay">Epoch</Term></label>
          <input id="replay-epoch" type="range" min={Math.min(...epochs)} max={last} step={1} value={epoch}
            data-testid="replay-slider" onChange={(e) => (setPlaying(false), setEpoch(Number(e.target.value)))} />
          <span className="small" data-testid="replay-epoch">epoch {epoch} of {last}</span>
        </div>
      )}
      <HistoryChart history={shown} epochs={[Math.min(...epochs), last]} />
      {stats ? (
        <div className="split">
          <GradientFlowChart stats={stats} range={range} />
          <WeightStatsChart stats={stats} />
        </div>
      ) : layerStats.length === 0 ? (
        <p className="muted small">This trial saved no per-epoch layer statistics (trained before they were recorded).</p>
      ) : null}
    </div>
  );
}
