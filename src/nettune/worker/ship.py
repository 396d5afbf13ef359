"""How a worker sends a trial's files back: a verified bundle uploaded to S3, or inline in the job output.

RunPod's SDK warns that a job's return body must stay under 20 MB (runpod.serverless.modules.rp_tips), and
base64 grows a file by a third, so only bundles up to INLINE_LIMIT_BYTES travel inline. A larger bundle without
an artifact store is not sent: the output says so and how to fix it, and the trial's metrics still come back.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from nettune.artifacts.bundle import file_digest, pack_bundle
from nettune.artifacts.s3 import S3Store
from nettune.errors import NettuneError
from nettune.worker.schema import ArtifactTarget

INLINE_LIMIT_BYTES = 8 * 1024 * 1024  # 8 MiB of zip = about 11 MB of base64, well under the 20 MB limit


def bundle_key(number: int) -> str:
    return f"trials/{number:04d}.zip"


def ship_bundle(trial_dir: Path, target: ArtifactTarget, number: int) -> dict[str, Any]:
    """Pack `trial_dir` and deliver it; returns the output's "bundle" block (kind s3, inline or none)."""
    trial_dir.mkdir(parents=True, exist_ok=True)
    archive = pack_bundle(trial_dir, trial_dir.with_name(trial_dir.name + ".zip"))
    size, sha256 = archive.stat().st_size, file_digest(archive)
    if target.store:
        store = S3Store.from_url(target.store, endpoint_url=target.endpoint_url)
        key = bundle_key(number)
        try:
            store.put(key, archive)
        except NettuneError as exc:
            return {"kind": "none", "size": size, "reason": f"upload failed: {exc}"}
        return {"kind": "s3", "url": store.url(key), "sha256": sha256, "size": size}
    if size <= INLINE_LIMIT_BYTES:
        return {"kind": "inline", "data": base64.b64encode(archive.read_bytes()).decode("ascii"), "sha256": sha256,
                "size": size}
    return {"kind": "none", "size": size,
            "reason": f"the bundle is {size / 1e6:.1f} MB, over the {INLINE_LIMIT_BYTES / 1e6:.1f} MB that fit in a "
                      "job output; set artifact_store=s3://bucket/prefix to keep remote trials' files"}
