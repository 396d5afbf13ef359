"""Plots: per-trial PNGs from saved trial files, study-level PNG + HTML, and a TensorBoard hook.

    recorder = PlotDataRecorder(monitor)          # a trainer hook, beside the HealthMonitor
    ...train...; recorder.save(trial_dir, model, data, device, test=test_eval)
    render_trial_plots(trial_dir)                 # now, or at the study's end from the same files
    render_study_plots(study, run_dir / "plots")

What each plot shows and how to read it: docs/plots.md.
"""

from nettune.plots.data_file import PLOT_DATA_FILE, PlotData, read_plot_data
from nettune.plots.recorder import PlotDataRecorder
from nettune.plots.study import STUDY_PLOTS, render_study_plots
from nettune.plots.trial import PLOTS_DIR, TRIAL_PLOTS, render_trial_plots

__all__ = [
    "PLOTS_DIR",
    "PLOT_DATA_FILE",
    "STUDY_PLOTS",
    "TRIAL_PLOTS",
    "PlotData",
    "PlotDataRecorder",
    "read_plot_data",
    "render_study_plots",
    "render_trial_plots",
]
