"""DistributedDataParallel for one trial: K processes, one per device, each training its part of every batch.

Scaling rule (docs/scaling.md): the trial's `batch_size` and `learning_rate` keep their meaning. The global
batch stays `batch_size` samples and is split across the K devices (per-device batch = batch_size / K, parts
differing by at most one sample); the gradients are averaged over the whole batch, so the learning rate is
unchanged. A trial therefore trains the same way on one device or on K, and trials of one study stay
comparable whatever hardware each pull worker has. Batch-norm statistics are per device (as in standard DDP).

The process that runs the trial is rank 0: it runs the hooks (health, progress, pruning), evaluates, decides
when to stop and writes the trial's files. The other ranks are helper processes started here
(`python -m nettune.training.distributed`); they train in lockstep and never stop on their own, so every stop
(early stopping, time budget, pruning, cancel) is rank 0's, and rank 0 ends them when its training is done.
NCCL connects CUDA devices, gloo CPU processes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, NoReturn

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from nettune.data import load_dataset
from nettune.errors import ConfigError
from nettune.models import build_model
from nettune.parent_watch import exit_with_parent
from nettune.space.model_config import ModelConfig
from nettune.training.device import pick_device, seed_everything
from nettune.training.trainer import TrainSettings, train

# A rank that waits longer than this for the others (a helper that died without closing its connections)
# fails the trial instead of hanging the worker.
COLLECTIVE_TIMEOUT = timedelta(minutes=5)
START_TIMEOUT_S = 300.0  # helpers import torch and load the data before they join


def data_parallel_devices(device: str, count: int) -> tuple[str, ...]:
    """The devices for `gpus_per_worker=count`: () for one device, else `count` GPUs or `count` CPU processes."""
    if count <= 1:
        return ()
    if pick_device(device).type == "cpu":
        return ("cpu",) * count
    available = torch.cuda.device_count()
    if count > available:
        raise ConfigError(f"gpus_per_worker={count} but only {available} CUDA device(s) are visible; "
                          f"lower gpus_per_worker or use device=cpu for {count} gloo processes")
    return tuple(f"cuda:{i}" for i in range(count))


@dataclass(frozen=True)
class HelperTask:
    """What a helper rank needs to build the same model and data as rank 0."""

    model_config: ModelConfig
    dataset: str
    data_fraction: float
    data_seed: int
    data_dir: str | None
    seed: int  # the trial's training seed: same batch order on every rank

    def to_json(self) -> str:
        return json.dumps({**asdict(self), "model_config": self.model_config.to_dict()})

    @classmethod
    def from_json(cls, text: str) -> HelperTask:
        data = json.loads(text)
        return cls(**{**data, "model_config": ModelConfig.from_dict(data["model_config"])})


class DataParallel:
    """One rank's part in data-parallel training; the trainer consults it through `TrainSettings.parallel`."""

    def __init__(self, rank: int, world_size: int, device: torch.device) -> None:
        self.rank, self.world_size, self.device = rank, world_size, device
        self._share = 1.0  # this rank's share of the current batch, for the gradient average
        self._batch = self._mine = 1  # sizes of the current batch and of this rank's part of it
        self.diagnose: Callable[[], str | None] = lambda: None  # rank 0: which helper died, if one did

    # -- what the trainer calls ---------------------------------------------------------------------------
    def wrap(self, model: nn.Module) -> nn.Module:
        """The module forward and backward go through; `model` (already on the device) stays the one to save."""
        ddp = _ExplainingDDP(
            self,
            model,
            device_ids=[self.device.index or 0] if self.device.type == "cuda" else None,
            # Buffers (batch-norm running statistics) are synced once at the start and then stay per rank;
            # rank 0's are the ones saved. Forward passes stay free of collectives, so rank 0 alone may run
            # probes (health, plots) through the model.
            forward_sync_buffers=False,
        )
        ddp.register_comm_hook(self, _weighted_sum_hook)
        return ddp

    def part(self, idx: torch.Tensor) -> torch.Tensor:
        """This rank's share of a batch: the K parts differ in size by at most one sample."""
        if len(idx) < self.world_size:
            # A last batch smaller than K: every rank still has to take part in the gradient sum, so ranks
            # share samples (exact for a single sample, which is the usual case).
            mine, self._share = idx[self.rank % len(idx) :][:1], 1.0 / self.world_size
        else:
            mine = idx.tensor_split(self.world_size)[self.rank]
            self._share = len(mine) / len(idx)
        self._batch, self._mine = len(idx), len(mine)
        return mine

    def whole_batch(self, loss: torch.Tensor, correct: int) -> tuple[float, int]:
        """The whole batch's mean loss and correct count, identical on every rank, so a divergence stops every
        rank at the same batch and the history counts every sample."""
        accuracy = torch.tensor(correct / self._mine, device=loss.device)
        totals = torch.stack([loss.detach().float(), accuracy]) * self._share
        try:
            dist.all_reduce(totals)
        except RuntimeError as exc:
            self.explain(exc)
        return float(totals[0]), round(float(totals[1]) * self._batch)

    def explain(self, exc: RuntimeError) -> NoReturn:
        """A collective failed: if a helper died, say which one rather than quote the transport's error."""
        problem = self.diagnose()
        if problem is None:
            raise exc
        raise RuntimeError(f"data-parallel training stopped: {problem}") from None


class _ExplainingDDP(DistributedDataParallel):
    """DDP whose forward (which may wait on a collective) reports a dead helper like the other collectives."""

    def __init__(self, part: DataParallel, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._part = part

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        try:
            return super().forward(*inputs, **kwargs)
        except RuntimeError as exc:
            self._part.explain(exc)


# Unannotated `bucket` and return: DDP checks the annotations against the real classes, which the postponed
# (string) annotations of this module would fail.
def _weighted_sum_hook(state: DataParallel, bucket):  # noqa: ANN001
    """Each rank's gradient is the mean over its part; weighting by its share of the batch and summing gives
    the mean over the whole batch even when the parts differ in size (DDP's default divides by K)."""
    def summed(fut: torch.futures.Future[list[torch.Tensor]]) -> torch.Tensor:
        try:
            return fut.value()[0]
        except RuntimeError as exc:
            state.explain(exc)

    buffer = bucket.buffer().mul_(state._share)
    return dist.all_reduce(buffer, async_op=True).get_future().then(summed)


class DataParallelGroup:
    """Rank 0's side: starts the helper processes, joins the process group with them, and ends them."""

    def __init__(self, devices: Sequence[str], task: HelperTask) -> None:
        if dist.is_initialized():
            raise RuntimeError("a process group is already active in this process; one data-parallel trial at a time")
        self.devices = [torch.device(d) for d in devices]
        if len(self.devices) < 2:
            raise ValueError("data-parallel training needs at least two devices")
        cuda = self.devices[0].type == "cuda"
        self.backend = "nccl" if cuda else "gloo"
        world = len(self.devices)
        self._threads = torch.get_num_threads()
        if not cuda:  # K processes share this process's cores instead of oversubscribing them
            torch.set_num_threads(max(1, self._threads // world))
        self._store = dist.TCPStore("127.0.0.1", 0, world, is_master=True, wait_for_workers=False,
                                    timeout=timedelta(seconds=START_TIMEOUT_S))
        self._logs: list[Path] = []
        self._helpers: list[subprocess.Popen[bytes]] = []
        for rank in range(1, world):
            log = Path(tempfile.mkstemp(prefix=f"nettune-rank{rank}-", suffix=".log")[1])
            self._logs.append(log)
            spec = {"rank": rank, "devices": list(devices), "port": self._store.port, "parent": os.getpid(),
                    "threads": torch.get_num_threads(), "task": task.to_json()}
            with log.open("wb") as out:
                self._helpers.append(subprocess.Popen(
                    [sys.executable, "-m", "nettune.training.distributed", json.dumps(spec)],
                    stdout=out, stderr=subprocess.STDOUT, env=_helper_env()))
        if cuda:
            torch.cuda.set_device(self.devices[0])
        try:
            self._wait_for_helpers()
            dist.init_process_group(self.backend, store=self._store, rank=0, world_size=world,
                                    timeout=COLLECTIVE_TIMEOUT)
        except Exception:
            self.close()
            raise
        self.parallel = DataParallel(0, world, self.devices[0])
        self.parallel.diagnose = lambda: self.helper_problem(wait=3.0)

    def _wait_for_helpers(self) -> None:
        """Until every helper has its data and model; a helper that dies while starting fails the trial at once."""
        keys = [f"ready{rank}" for rank in range(1, len(self.devices))]
        deadline = time.monotonic() + START_TIMEOUT_S
        while not self._store.check(keys):
            problem = self.helper_problem()
            if problem is not None:
                raise RuntimeError(f"data-parallel helper failed to start: {problem}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"data-parallel helpers did not start within {START_TIMEOUT_S:.0f}s")
            time.sleep(0.05)

    def helper_problem(self, wait: float = 0.0) -> str | None:
        """The first helper that exited abnormally, with the last line it wrote, if any did. A collective can fail
        a moment before the dead helper's exit is visible, hence `wait`."""
        deadline = time.monotonic() + wait
        while (problem := self._exited_helper()) is None and time.monotonic() < deadline:
            time.sleep(0.05)
        return problem

    def _exited_helper(self) -> str | None:
        for rank, (proc, log) in enumerate(zip(self._helpers, self._logs, strict=True), start=1):
            code = proc.poll()
            if code not in (None, 0):
                lines = log.read_text(errors="replace").strip().splitlines() if log.exists() else []
                return f"rank {rank} exited with code {code}" + (f": {lines[-1]}" if lines else "")
        return None

    def close(self) -> None:
        """End the helpers (they may wait for a batch rank 0 will never send) and leave the process group."""
        for proc in self._helpers:
            if proc.poll() is None:
                proc.kill()
        for proc in self._helpers:
            proc.wait()
        if dist.is_initialized():
            dist.destroy_process_group()
        for log in self._logs:
            log.unlink(missing_ok=True)
        self._helpers, self._logs = [], []
        torch.set_num_threads(self._threads)


def _helper_env() -> dict[str, str]:
    env = dict(os.environ)
    # The helper must import this nettune, also when it runs from a source tree that is not installed.
    package_root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
    return env


def _helper_main(spec: dict[str, Any]) -> None:
    exit_with_parent(spec["parent"])  # a helper whose rank 0 was killed must not train on alone
    torch.set_num_threads(spec["threads"])
    task = HelperTask.from_json(spec["task"])
    rank, devices = spec["rank"], [torch.device(d) for d in spec["devices"]]
    device = devices[rank]
    if device.type == "cuda":
        torch.cuda.set_device(device)
    data = load_dataset(task.dataset, data_fraction=task.data_fraction, seed=task.data_seed,
                        data_dir=Path(task.data_dir) if task.data_dir else None)
    seed_everything(task.seed)
    model = build_model(task.model_config)
    store = dist.TCPStore("127.0.0.1", spec["port"], len(devices), is_master=False,
                          timeout=timedelta(seconds=START_TIMEOUT_S))
    store.set(f"ready{rank}", "1")
    dist.init_process_group("nccl" if device.type == "cuda" else "gloo", store=store, rank=rank,
                            world_size=len(devices), timeout=COLLECTIVE_TIMEOUT)
    # Never stops on its own (no early stopping, no time budget): rank 0 decides and then ends this process.
    settings = TrainSettings(seed=task.seed, device=device, patience=task.model_config.epochs + 1,
                             parallel=DataParallel(rank, len(devices), device))
    train(model, task.model_config, data, settings)
    dist.destroy_process_group()


if __name__ == "__main__":
    _helper_main(json.loads(sys.argv[1]))
