"""Where a training batch comes from, on each kind of device.

- CPU: indexed straight from the split, as always (the CPU results and throughput benchmark are unchanged).
- GPU, split small enough (accelerate.RESIDENT_BYTES): the split is moved once and batches are gathered on the
  device; no per-batch host-to-device copy at all.
- GPU, larger split: each batch is gathered on the host into one of two pinned staging buffers and copied with
  non_blocking=True. The host does not wait for the copy, so it gathers the next batch while the GPU still
  computes this one; two buffers, because a buffer is rewritten only after the copy out of it has finished
  (recorded with a CUDA event), and the copy of batch i may still be in flight while batch i+1 is gathered.
"""

from __future__ import annotations

import torch

from nettune.training.accelerate import resident


class BatchFeed:
    def __init__(self, x: torch.Tensor, y: torch.Tensor, device: torch.device, batch_size: int,
                 staged: bool | None = None) -> None:
        """`staged` forces the pinned double-buffer path on or off (tests); by default it is used on a GPU for
        splits too large to keep on the device."""
        self.device = device
        self.x, self.y, self.on_device = resident(x, y, device)
        self.staged = (device.type == "cuda" and not self.on_device) if staged is None else staged
        self._buffers: list[tuple[torch.Tensor, torch.Tensor]] = []
        self._copied: list[torch.cuda.Event | None] = [None, None]
        self._turn = 0
        if self.staged:
            pin = device.type == "cuda"  # pinned memory needs a CUDA runtime; elsewhere plain buffers
            for _ in range(2):
                bx = torch.empty((batch_size, *x.shape[1:]), dtype=x.dtype, pin_memory=pin)
                by = torch.empty((batch_size, *y.shape[1:]), dtype=y.dtype, pin_memory=pin)
                self._buffers.append((bx, by))

    def batch(self, idx: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Rows `idx` of the split as (x, y) on the device; x still in its stored dtype (prepare_batch converts)."""
        if self.on_device:
            idx = idx.to(self.device, non_blocking=True)
            return self.x[idx], self.y[idx]
        if not self.staged:
            return self.x[idx].to(self.device, non_blocking=True), self.y[idx].to(self.device, non_blocking=True)
        turn, n = self._turn, len(idx)
        self._turn ^= 1
        done = self._copied[turn]
        if done is not None:
            done.synchronize()  # the copy out of this buffer (two batches ago) has finished
        bx, by = self._buffers[turn]
        torch.index_select(self.x, 0, idx, out=bx[:n])
        torch.index_select(self.y, 0, idx, out=by[:n])
        # copy=True: on the CPU (tests) .to() would hand back the buffer itself, which the batch after next rewrites
        x = bx[:n].to(self.device, non_blocking=True, copy=True)
        y = by[:n].to(self.device, non_blocking=True, copy=True)
        if self.device.type == "cuda":
            event = torch.cuda.Event()
            event.record()
            self._copied[turn] = event
        return x, y
