#!/usr/bin/env bash
# GPU check, for a machine with CUDA: trainer throughput (bare PyTorch loop against nettune's, health on and off,
# mixed precision on and off, the split resident on the device or fed through pinned double-buffered copies,
# torch.compile over three epochs) on the MNIST baseline and a CIFAR-sized CNN, a 2-GPU DDP trial when two GPUs exist,
# and a short concurrent study (one trial per GPU). Results: bench/results/gpu_{throughput,ddp,study}.json.
# Each part has its own time limit; the whole script stays under 8 minutes.
#
#   bash bench/gpu_check.sh            (after `make install`, from the repo root; needs ../shared/datasets/mnist)
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
if ! "$PY" -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)"; then
    echo "gpu_check: torch sees no CUDA device here (torch $("$PY" -c 'import torch; print(torch.__version__)'))"
    exit 1
fi
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null || true
status=0
run() {  # part, time limit in seconds, extra args
    local part=$1 limit=$2
    shift 2
    echo "== gpu_check $part (at most ${limit}s)"
    if ! timeout "$limit" "$PY" bench/gpu_check.py "$part" "$@"; then
        echo "gpu_check: $part failed or ran out of time"
        status=1
    fi
}
run throughput 270 --samples 30000 --repeats 3
run ddp 60 --samples 20000
run study 140 --minutes 1.75
"$PY" bench/report.py >/dev/null && echo "gpu_check: docs/benchmarks.md regenerated"
exit $status
