"""Live-event latency and WebSocket fan-out of `nettune serve`.

    .venv/bin/python bench/api_ws_latency.py

Starts a real `nettune serve` on 127.0.0.1 and runs real jobs in it (the server's own job processes):

1. Latency: every progress event carries the time its trainer emitted it (in the job's training thread); a
   WebSocket client records when it arrived. Two jobs: fixed-length trials (no CPU contention: the event path
   alone) and real MNIST training (the trainer competing for the 2 cores with the forwarding).
2. Fan-out: ROUNDS times, CLIENTS WebSocket clients connect to one job before it starts; each must receive every
   event of the job, in order, with no gap. The server's resident memory is read after start-up and after each
   round: flat means no growth from round to round.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import connect

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import data_dir, write_result

LIVE_EVENTS = ("trial_start", "epoch_progress")  # carry the trainer's emission time


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


class Server:
    def __init__(self, home: Path, data: Path) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "nettune.cli.main", "serve", "--port", str(self.port), "--output-dir",
             str(home / "runs"), "--data-dir", str(data), "--max-epochs", "10"], cwd=home,
            stdout=subprocess.DEVNULL)
        deadline = time.time() + 60
        while True:
            try:
                if httpx.get(f"{self.base}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
            if time.time() > deadline or self.process.poll() is not None:
                raise SystemExit("nettune serve did not start")

    def post(self, body: dict[str, Any]) -> str:
        response = httpx.post(f"{self.base}/optimize", json=body, timeout=30)
        response.raise_for_status()
        return response.json()["job_id"]

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(60)


async def _follow(url: str, job_id: asyncio.Future[str] | str) -> list[tuple[dict[str, Any], float]]:
    """Every message, each with its arrival time, until `job_id`'s job_complete (the id may come later)."""
    out: list[tuple[dict[str, Any], float]] = []
    async with connect(url, max_size=None, open_timeout=60) as ws:
        while True:
            message = json.loads(await ws.recv())
            out.append((message, time.time()))
            if message["type"] == "job_complete":
                wanted = job_id if isinstance(job_id, str) else await job_id
                if message["job_id"] == wanted:
                    return out


async def _job_latency(server: Server, body: dict[str, Any]) -> list[float]:
    """Milliseconds from emission in the trainer to arrival at a client following /ws, for one job."""
    job_id: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    follower = asyncio.create_task(_follow(server.base.replace("http", "ws") + "/ws", job_id))
    await asyncio.sleep(1.0)  # connected and subscribed before the job exists
    job_id.set_result(await asyncio.to_thread(server.post, body))
    messages = await follower
    return [1000 * (arrived - m["time"]) for m, arrived in messages
            if m["type"] in LIVE_EVENTS and m["job_id"] == job_id.result()]


async def _fanout_round(server: Server, clients: int, body: dict[str, Any]) -> dict[str, Any]:
    job_id = await asyncio.to_thread(server.post, body)
    url = server.base.replace("http", "ws") + f"/ws/jobs/{job_id}"
    followers = await asyncio.gather(*(_follow(url, job_id) for _ in range(clients)))
    complete, late, latencies = 0, 0, []
    for messages in followers:
        snapshot, events = messages[0][0], [m for m, _ in messages[1:]]
        seqs = [m["seq"] for m in events]
        gapless = seqs == list(range(snapshot["seq"] + 1, snapshot["seq"] + 1 + len(seqs)))
        started_after = not snapshot["data"]["trials"]  # the client was there before the first trial
        complete += gapless and started_after and events[-1]["type"] == "job_complete"
        late += not started_after
        latencies += [1000 * (arrived - m["time"]) for m, arrived in messages[1:] if m["type"] in LIVE_EVENTS]
    counts = [len(m) - 1 for m in followers]
    return {"job_id": job_id, "clients": clients, "clients_with_every_event": complete, "clients_late": late,
            "events_per_client_min": min(counts), "events_per_client_max": max(counts),
            "latency_ms": _summary(latencies)}


def _summary(ms: list[float]) -> dict[str, float]:
    ordered = sorted(ms)
    return {"n": len(ordered), "p50": round(statistics.median(ordered), 2),
            "p95": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 2),
            "max": round(ordered[-1], 2)}


def _section(result: dict[str, Any]) -> dict[str, Any]:
    """The docs/benchmarks.md section (bench/report.py renders result files that describe themselves)."""
    target = result["targets"]["p95_ms"]
    rss = result["server_rss_mb"]
    rounds = [v for k, v in rss.items() if k.startswith("after_round_")]
    every = all(r["clients_with_every_event"] == r["clients"] for r in result["fanout"])

    def row(label: str, ms: dict[str, float]) -> list[str]:
        verdict = "met" if ms["p95"] <= target else "missed"
        return [label, str(ms["n"]), f"{ms['p50']:.1f} ms", f"{ms['p95']:.1f} ms", f"{ms['max']:.1f} ms",
                f"≤ {target} ms ({verdict})"]

    latency = result["latency_ms"]
    rows = [row("1 client, fixed-length trials", latency["fixed_length_trials"]),
            row("1 client, MNIST training", latency["mnist_training"])]
    rows += [row(f"{r['clients']} clients on one job, round {i + 1}", r["latency_ms"])
             for i, r in enumerate(result["fanout"])]
    return {
        "title": "API: live-event latency and WebSocket fan-out",
        "text": [
            "A real `nettune serve` on 127.0.0.1 runs real jobs in its job processes; latency is from the moment "
            "the trainer emitted a `trial_start` or `epoch_progress` event (its timestamp, taken in the training "
            "thread) to its arrival at a WebSocket client (the benchmark's asyncio clients share the machine). "
            f"Reproduce: `{result['command']}`", "",
            f"Fan-out: in each of {len(rounds)} rounds {result['fanout'][0]['clients']} clients connect to one job "
            f"before it starts; {'every' if every else 'NOT every'} client received every event of its job in "
            f"order without a gap ({result['fanout'][0]['events_per_client_min']} events each). Server resident "
            f"memory: {rss['after_start']:.0f} MB after start-up (torch, Optuna, FastAPI loaded), "
            + ", ".join(f"{v:.0f}" for v in rounds) + " MB after each round "
            f"({rounds[-1] - rounds[0]:+.1f} MB from the first round to the last, "
            f"{rounds[-1] - rounds[len(rounds) // 2 - 1]:+.1f} MB over the last {len(rounds) - len(rounds) // 2}).",
        ],
        "columns": ["events followed", "events", "p50", "p95", "max", "target (p95)"],
        "rows": rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=8)
    args = parser.parse_args()
    data = data_dir("mnist")
    fixed = {"dataset": "mnist", "data_fraction": 0.05, "trials": 10, "max_epochs_per_trial": 5,
             "benchmark_trial_seconds": 2.0, "plot_generation": "none", "seed": 0}
    training = {"dataset": "mnist", "data_fraction": 0.1, "trials": 3, "max_epochs_per_trial": 2,
                "plot_generation": "none", "seed": 0}
    fan = {**fixed, "trials": 6, "benchmark_trial_seconds": 1.0}
    with tempfile.TemporaryDirectory(prefix="nettune-bench-api-") as tmp:
        server = Server(Path(tmp), data)
        try:
            rss = {"after_start": round(_rss_mb(server.process.pid), 1)}
            latency = {
                "fixed_length_trials": _summary(asyncio.run(_job_latency(server, {**fixed, "run_name": "fixed"}))),
                "mnist_training": _summary(asyncio.run(_job_latency(server, {**training, "run_name": "training"}))),
            }
            rounds = []
            for r in range(args.rounds):
                rounds.append(asyncio.run(_fanout_round(server, args.clients, {**fan, "run_name": f"fanout{r}"})))
                time.sleep(1.0)
                rss[f"after_round_{r + 1}"] = round(_rss_mb(server.process.pid), 1)
                print(f"round {r + 1}: {rounds[-1]['clients_with_every_event']}/{args.clients} clients got every "
                      f"event; server RSS {rss[f'after_round_{r + 1}']} MB", flush=True)
        finally:
            server.stop()
    print(json.dumps(latency, indent=2))
    result = {
        "command": "bench/api_ws_latency.py" + (f" --clients {args.clients}" if args.clients != 100 else "")
        + (f" --rounds {args.rounds}" if args.rounds != 8 else ""),
        "settings": {"fixed_job": fixed, "training_job": training, "fanout_job": fan, "cpus": os.cpu_count()},
        "latency_ms": latency,
        "fanout": rounds,
        "server_rss_mb": rss,
        "targets": {"p95_ms": 200, "every_client_every_event": True, "memory": "flat across rounds"},
    }
    write_result("api_ws_latency", {**result, "section": _section(result)})


if __name__ == "__main__":
    main()
