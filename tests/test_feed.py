"""The batch feed: every path hands the trainer exactly the rows it asked for."""

from __future__ import annotations

import torch

from nettune.training.feed import BatchFeed


def _split(n: int) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    return torch.randint(0, 256, (n, 1, 6, 6), dtype=torch.uint8, generator=g), torch.arange(n) % 7


def test_on_the_cpu_batches_come_straight_from_the_split():
    x, y = _split(100)
    feed = BatchFeed(x, y, torch.device("cpu"), batch_size=32)
    assert not feed.staged and not feed.on_device
    idx = torch.tensor([5, 0, 99])
    bx, by = feed.batch(idx)
    assert torch.equal(bx, x[idx]) and torch.equal(by, y[idx])


def test_the_double_buffered_staging_path_never_hands_back_a_rewritten_batch():
    x, y = _split(103)
    feed = BatchFeed(x, y, torch.device("cpu"), batch_size=16, staged=True)
    order = torch.randperm(103, generator=torch.Generator().manual_seed(1))
    batches = [order[i:i + 16] for i in range(0, 103, 16)]  # the last one is short (7 rows)
    kept = [(idx, *feed.batch(idx)) for idx in batches]  # all kept alive while later batches reuse the buffers
    for idx, bx, by in kept:
        assert bx.shape == (len(idx), 1, 6, 6) and bx.dtype == torch.uint8
        assert torch.equal(bx, x[idx]) and torch.equal(by, y[idx])
    assert len(kept[-1][0]) == 7
