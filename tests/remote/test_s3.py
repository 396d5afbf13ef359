"""Trial bundles through a real S3-compatible server (moto server mode on loopback)."""

import json

import boto3
import pytest

from nettune.artifacts.s3 import S3Store, parse_s3_url
from nettune.errors import ConfigError, NettuneError
from nettune.executors.remote.fetch import fetch_bundle
from nettune.worker.schema import ArtifactTarget
from nettune.worker.ship import ship_bundle
from tests.remote.conftest import BUCKET


def _trial_dir(tmp_path):
    trial = tmp_path / "work" / "trials" / "0007"
    (trial / "plots").mkdir(parents=True)
    (trial / "metrics.json").write_text(json.dumps({"val_accuracy": 0.9}))
    (trial / "plots" / "data.npz").write_bytes(bytes(range(256)) * 64)
    return trial


def test_store_put_get_exists(s3_server, tmp_path):
    store = S3Store.from_url(f"s3://{BUCKET}/runs", endpoint_url=s3_server)
    source = tmp_path / "a.bin"
    source.write_bytes(b"payload")
    store.put("r1/trials/0001.zip", source)
    assert store.exists("r1/trials/0001.zip") and not store.exists("r1/trials/0002.zip")
    assert store.url("r1/trials/0001.zip") == f"s3://{BUCKET}/runs/r1/trials/0001.zip"
    assert store.get("r1/trials/0001.zip", tmp_path / "b.bin").read_bytes() == b"payload"
    with pytest.raises(NettuneError, match=r"invalid artifact key"):
        store.put("../escape", source)
    with pytest.raises(NettuneError, match=r"cannot download s3://nettune-test/runs/missing.zip"):
        store.get("missing.zip", tmp_path / "c.bin")
    with pytest.raises(NettuneError, match=r"cannot upload s3://no-such-bucket/x.zip"):
        S3Store("no-such-bucket", endpoint_url=s3_server).put("x.zip", source)


def test_s3_urls_are_checked():
    assert parse_s3_url("s3://bucket") == ("bucket", "")
    assert parse_s3_url("s3://bucket/a/b/") == ("bucket", "a/b")
    for bad in ("bucket/a", "http://bucket/a", "s3:///a", "s3://bucket/../a"):
        with pytest.raises((ConfigError, NettuneError)):
            parse_s3_url(bad)


def test_bundle_goes_up_from_the_worker_and_comes_back_verified(s3_server, tmp_path):
    target = ArtifactTarget(store=f"s3://{BUCKET}/runs/study-a", endpoint_url=s3_server)
    bundle = ship_bundle(_trial_dir(tmp_path), target, 7)
    assert bundle["kind"] == "s3" and bundle["url"] == f"s3://{BUCKET}/runs/study-a/trials/0007.zip"
    fetch_bundle(bundle, tmp_path / "home" / "0007", s3_endpoint_url=s3_server)
    assert json.loads((tmp_path / "home" / "0007" / "metrics.json").read_text()) == {"val_accuracy": 0.9}
    assert (tmp_path / "home" / "0007" / "plots" / "data.npz").stat().st_size == 256 * 64

    # An object replaced in the bucket after the worker reported its checksum is refused.
    boto3.client("s3", endpoint_url=s3_server).put_object(Bucket=BUCKET, Key="runs/study-a/trials/0007.zip",
                                                          Body=b"PK not the bundle")
    with pytest.raises(NettuneError, match="does not match the checksum"):
        fetch_bundle(bundle, tmp_path / "again", s3_endpoint_url=s3_server)
    assert not (tmp_path / "again").exists()


def test_without_a_store_small_bundles_travel_inline_and_large_ones_say_why(tmp_path, monkeypatch):
    bundle = ship_bundle(_trial_dir(tmp_path), ArtifactTarget(), 7)
    assert bundle["kind"] == "inline"
    fetch_bundle(bundle, tmp_path / "home")
    assert (tmp_path / "home" / "metrics.json").exists()

    monkeypatch.setattr("nettune.worker.ship.INLINE_LIMIT_BYTES", 100)
    big = ship_bundle(_trial_dir(tmp_path / "second"), ArtifactTarget(), 7)
    assert big["kind"] == "none" and "over the 0.0 MB that fit in a job output" in big["reason"]
    assert "artifact_store=s3://" in big["reason"]
    with pytest.raises(NettuneError, match="artifact_store=s3://"):
        fetch_bundle(big, tmp_path / "never")
