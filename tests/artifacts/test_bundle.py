import hashlib
import json
import zipfile

import pytest

from nettune.artifacts import MANIFEST, ArtifactStore, BundleError, FileSystemStore, pack_bundle, unpack_bundle
from nettune.errors import NettuneError


@pytest.fixture
def trial_dir(tmp_path):
    directory = tmp_path / "0007"
    (directory / "plots").mkdir(parents=True)
    (directory / "model.pt").write_bytes(bytes(range(256)) * 40)
    (directory / "metrics.json").write_text(json.dumps({"val_accuracy": 0.9}))
    (directory / "plots" / "training_history.png").write_bytes(b"\x89PNG fake image bytes")
    return directory


def rewrite(bundle, change):
    """Re-zip `bundle` with change(name, data) -> data | None (None drops the entry): a consistent archive
    whose CRCs are valid, as a deliberate tamperer would produce."""
    with zipfile.ZipFile(bundle) as source:
        entries = [(info.filename, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(bundle, "w") as target:
        for name, data in entries:
            new = change(name, data)
            if new is not None:
                target.writestr(name, new)


def test_round_trip_restores_every_file(trial_dir, tmp_path):
    bundle = pack_bundle(trial_dir)
    assert bundle == trial_dir.with_name("0007.zip")
    with zipfile.ZipFile(bundle) as archive:
        manifest = json.loads(archive.read(MANIFEST))
    assert set(manifest["files"]) == {"model.pt", "metrics.json", "plots/training_history.png"}
    data = (trial_dir / "model.pt").read_bytes()
    assert manifest["files"]["model.pt"] == {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    out = unpack_bundle(bundle, tmp_path / "restored")
    for rel in manifest["files"]:
        assert (out / rel).read_bytes() == (trial_dir / rel).read_bytes()
    assert not (out / MANIFEST).exists()


def test_tampered_file_is_named(trial_dir, tmp_path):
    bundle = pack_bundle(trial_dir)

    def flip_one_byte(name, data):
        return data[:10] + bytes([data[10] ^ 1]) + data[11:] if name == "model.pt" else data

    rewrite(bundle, flip_one_byte)
    with pytest.raises(BundleError, match=r"model\.pt does not match its manifest hash"):
        unpack_bundle(bundle, tmp_path / "out")
    assert not (tmp_path / "out").exists()  # nothing half-extracted is left behind
    assert not any(p.name.startswith(".out.") for p in tmp_path.iterdir())


def test_corrupted_archive_bytes_name_the_file(trial_dir, tmp_path):
    bundle = pack_bundle(trial_dir)
    with zipfile.ZipFile(bundle) as archive:
        info = archive.getinfo("model.pt")
    raw = bytearray(bundle.read_bytes())
    # Flip a byte inside model.pt's stored data (past its local header): zip's CRC or our hash catches it.
    offset = info.header_offset + 30 + len(info.filename) + len(info.extra) + 5
    raw[offset] ^= 0xFF
    bundle.write_bytes(bytes(raw))
    with pytest.raises(BundleError, match=r"model\.pt"):
        unpack_bundle(bundle, tmp_path / "out")


def test_missing_and_extra_files_are_named(trial_dir, tmp_path):
    bundle = pack_bundle(trial_dir)
    rewrite(bundle, lambda name, data: None if name == "metrics.json" else data)
    with pytest.raises(BundleError, match=r"metrics\.json is listed in the manifest but missing"):
        unpack_bundle(bundle, tmp_path / "a")
    bundle = pack_bundle(trial_dir)
    with zipfile.ZipFile(bundle, "a") as archive:
        archive.writestr("plots/extra.png", b"sneaked in")
    with pytest.raises(BundleError, match=r"plots/extra\.png is in the archive but not in the manifest"):
        unpack_bundle(bundle, tmp_path / "b")


@pytest.mark.parametrize("evil", ["../escape.txt", "/etc/evil", "plots/../../escape.txt", "C:/windows/evil"])
def test_path_traversal_entries_are_refused(tmp_path, evil):
    bundle = tmp_path / "evil.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr(MANIFEST, json.dumps({"files": {evil: {"sha256": "0" * 64, "size": 1}}}))
        archive.writestr(evil, b"x")
    with pytest.raises(BundleError, match="refusing bundle entry"):
        unpack_bundle(bundle, tmp_path / "dest" / "inner")
    assert not (tmp_path / "escape.txt").exists() and not (tmp_path / "dest" / "inner").exists()


def test_destination_must_be_new_or_empty(trial_dir, tmp_path):
    bundle = pack_bundle(trial_dir)
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "keep.txt").write_text("mine")
    with pytest.raises(BundleError, match="not an empty directory"):
        unpack_bundle(bundle, tmp_path / "busy")
    (tmp_path / "empty").mkdir()
    assert (unpack_bundle(bundle, tmp_path / "empty") / "metrics.json").exists()


def test_not_a_zip_and_no_manifest(tmp_path):
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a zip")
    with pytest.raises(BundleError, match="not a readable zip"):
        unpack_bundle(junk, tmp_path / "a")
    bare = tmp_path / "bare.zip"
    with zipfile.ZipFile(bare, "w") as archive:
        archive.writestr("model.pt", b"x")
    with pytest.raises(BundleError, match=r"has no manifest\.json"):
        unpack_bundle(bare, tmp_path / "b")


def test_filesystem_store_round_trip_and_key_checks(trial_dir, tmp_path):
    store = FileSystemStore(tmp_path / "store")
    assert isinstance(store, ArtifactStore)
    bundle = pack_bundle(trial_dir)
    store.put("run-1/trials/0007.zip", bundle)
    assert store.exists("run-1/trials/0007.zip")
    fetched = store.get("run-1/trials/0007.zip", tmp_path / "fetched" / "0007.zip")
    assert fetched.read_bytes() == bundle.read_bytes()
    for bad in ("../outside.zip", "/abs.zip", "", "a/../../b"):
        with pytest.raises(NettuneError, match="invalid artifact key"):
            store.put(bad, bundle)
    with pytest.raises(NettuneError, match=r"no artifact 'run-2/x\.zip'"):
        store.get("run-2/x.zip", tmp_path / "x.zip")
