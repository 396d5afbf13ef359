# nettune remote worker: RunPod serverless (the default command) or any CUDA host (`nettune worker serve`).
#
#   docker build -f docker/worker.Dockerfile -t nettune-worker .        # from the repository root
#   scripts/deploy_worker.sh                                            # build, tag uniquely, push
#
# The base image must carry the torch version nettune pins (pyproject.toml: torch==2.13.0) built for CUDA;
# pip then keeps it instead of pulling another build. Override BASE_IMAGE to match your GPUs' CUDA version.
ARG BASE_IMAGE=pytorch/pytorch:2.13.0-cuda12.8-cudnn9-runtime
FROM ${BASE_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    NETTUNE_DATA_DIR=/opt/nettune/datasets \
    NETTUNE_WORKER_SCRATCH=/tmp

WORKDIR /opt/nettune/src
COPY pyproject.toml README.md ./
COPY src ./src
RUN python -m pip install --no-cache-dir . \
    && python -c "import torch, nettune; print('torch', torch.__version__, 'cuda', torch.version.cuda, 'nettune', nettune.__version__)"

# Datasets cached in the image, so a cold worker starts training at once instead of downloading. To keep the
# image small instead, build with PRELOAD_DATASETS="" and attach a RunPod network volume (mounted at
# /runpod-volume) with NETTUNE_DATA_DIR=/runpod-volume/datasets in the endpoint's environment.
ARG PRELOAD_DATASETS="mnist fashion_mnist cifar10"
RUN for name in ${PRELOAD_DATASETS}; do \
        python -c "import sys; from nettune.data import load_dataset; load_dataset(sys.argv[1])" "$name" || exit 1; \
    done

# One trial per job, under RunPod's SDK: jobs come from the endpoint's queue, progress goes back with
# runpod.serverless.progress_update. For a self-hosted endpoint run instead:
#   docker run --gpus all -p 8001:8001 -e NETTUNE_WORKER_API_KEY=... IMAGE \
#       nettune worker serve --host 0.0.0.0 --port 8001 --concurrency 2
CMD ["python", "-m", "nettune.worker"]
