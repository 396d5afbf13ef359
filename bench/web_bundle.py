"""Size of the dashboard's initial JavaScript (what the first page load fetches), before and after a change.

    .venv/bin/python bench/web_bundle.py [--before REV]

Builds web/ at git revision REV (default: the commit before the 3-D view) and as the working tree is now, each
with Vite into a temporary directory, and measures the JavaScript index.html loads up front: its entry script and
any modulepreload'ed chunk (lazily imported chunks, such as the 3-D view's three.js, are not part of it). Bytes and
gzip -9 bytes. Writes bench/results/web_bundle.json.
"""

from __future__ import annotations

import argparse
import gzip
import re
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import REPO, write_result

BEFORE = "fd24602522b8ed76cbaae03e46f97ffaa1ac10b5"  # three.js installed, nothing using it yet
LIMIT = 0.10  # the 3-D view may grow the initial JavaScript by at most 10%


def build(web: Path, out: Path) -> None:
    subprocess.run(["npx", "vite", "build", "--outDir", str(out), "--emptyOutDir", "--logLevel", "warn"], cwd=web,
                   check=True)


def initial_js(out: Path) -> dict[str, Any]:
    html = (out / "index.html").read_text()
    names = re.findall(r'<script[^>]+src="\./([^"]+\.js)"', html)
    names += re.findall(r'modulepreload[^>]+href="\./([^"]+)"', html)
    files = [out / name for name in dict.fromkeys(names)]
    lazy = [p for p in (out / "assets").glob("*.js") if p not in files]
    size = sum(p.stat().st_size for p in files)
    packed = sum(len(gzip.compress(p.read_bytes(), 9)) for p in files)
    return {"files": [p.name for p in files], "bytes": size, "gzip_bytes": packed,
            "lazy_chunks": {p.name: {"bytes": p.stat().st_size, "gzip_bytes": len(gzip.compress(p.read_bytes(), 9))}
                            for p in sorted(lazy)}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default=BEFORE, help="git revision to compare with")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="web-bundle-") as tmp:
        old = Path(tmp) / "old"
        archive = subprocess.run(["git", "archive", args.before, "web"], cwd=REPO, check=True, capture_output=True)
        with tarfile.open(fileobj=BytesIO(archive.stdout)) as tar:
            tar.extractall(old, filter="data")
        (old / "web" / "node_modules").symlink_to(REPO / "web" / "node_modules")
        build(old / "web", Path(tmp) / "before")
        build(REPO / "web", Path(tmp) / "after")
        before, after = initial_js(Path(tmp) / "before"), initial_js(Path(tmp) / "after")
    growth = after["bytes"] / before["bytes"] - 1
    growth_gz = after["gzip_bytes"] / before["gzip_bytes"] - 1
    rev = args.before[:7]
    command = "python bench/web_bundle.py" + (f" --before {args.before}" if args.before != BEFORE else "")
    write_result("web_bundle", {
        "command": command, "before_rev": args.before, "before": before, "after": after,
        "growth": round(growth, 4), "growth_gzip": round(growth_gz, 4), "limit": LIMIT,
        "section": {
            "title": "Dashboard: initial JavaScript before and after the 3-D view",
            "text": ["What the first page load fetches (entry script and preloaded chunks; the 3-D view's chunk with "
                     f"three.js loads only when a 3D view is opened). Before = commit {rev}. Limit: at most "
                     f"{LIMIT:.0%} growth. Reproduce: `{command}`"],
            "columns": ["build", "initial JS bytes", "gzip -9 bytes", "lazy chunks (bytes, gzip)"],
            "rows": [[f"before ({rev})", f"{before['bytes']:,}", f"{before['gzip_bytes']:,}", _lazy(before)],
                     ["after (working tree)", f"{after['bytes']:,}", f"{after['gzip_bytes']:,}", _lazy(after)],
                     ["growth", f"**{growth:+.2%}**", f"**{growth_gz:+.2%}**", ""]],
        },
    })


def _lazy(result: dict[str, Any]) -> str:
    chunks = result["lazy_chunks"]
    return ", ".join(f"{name.split('-')[0]} {c['bytes']:,} ({c['gzip_bytes']:,})"
                     for name, c in chunks.items()) or "none"


if __name__ == "__main__":
    main()
