"""The user's own data: image folders, text tables and .npz arrays written by the tests, read as datasets."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from nettune.config import OptimizationConfig
from nettune.data import CustomOptions, load_dataset
from nettune.data.custom import images as image_decoder
from nettune.dataset_ref import is_custom, label
from nettune.errors import ConfigError, DataError

COLOURS = {"red": 0, "green": 1, "blue": 2}


def write_photos(root: Path, per_class: int = 12, formats: tuple[str, ...] = ("png", "jpg", "bmp", "webp", "ppm"),
                 gray: bool = False) -> Path:
    """Class = the dominant colour channel (or, in grayscale, the brightness band); sizes vary per image."""
    rng = np.random.default_rng(0)
    for name, channel in COLOURS.items():
        folder = root / name
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            h, w = 18 + i % 4, 20 + (i * 3) % 7
            if gray:
                pixels = (rng.random((h, w)) * 40 + 60 * channel + 20).astype(np.uint8)
                image = Image.fromarray(pixels, mode="L")
            else:
                pixels = (rng.random((h, w, 3)) * 60).astype(np.uint8)
                pixels[..., channel] += 160
                image = Image.fromarray(pixels, mode="RGB")
            image.save(folder / f"{i:03d}.{formats[i % len(formats)]}")
    return root


def load(path: Path, cache: Path, **options) -> object:
    return load_dataset(str(path), data_dir=cache, custom=CustomOptions(**options))


def test_image_folder_of_mixed_formats_and_sizes(tmp_path):
    root = write_photos(tmp_path / "photos")
    data = load(root, tmp_path / "cache")
    assert data.info.family == "cnn" and data.info.class_names == ("blue", "green", "red")
    assert data.info.input_shape == (3, 23, 23)  # the median longest side of the 20..26-wide images
    assert len(data.train) + len(data.val) + len(data.test) == 36
    custom = data.notes["custom"]
    assert custom["class_counts"]["train"] == {"blue": 12, "green": 12, "red": 12}
    assert custom["family"] == "CNN" and custom["ref"].startswith("custom:")
    assert "held out" in data.notes["test_split"]
    # The pixels are the images' own: the red class is red in the decoded arrays (before normalisation).
    train = data.train
    red = train.x[train.y == data.info.class_names.index("red")]
    assert red[:, 0].mean() > red[:, 2].mean() + 0.5


def test_grayscale_is_kept_and_image_size_overrides(tmp_path):
    root = write_photos(tmp_path / "scans", gray=True, formats=("png", "jpg", "bmp", "pgm", "tiff"))  # WebP has no gray
    data = load(root, tmp_path / "cache", image_size=16)
    assert data.info.input_shape == (1, 16, 16)
    assert data.notes["custom"]["image_size_from"] == "image_size option"


def test_train_and_test_folders_are_the_test_split(tmp_path):
    write_photos(tmp_path / "set" / "train", per_class=10)
    write_photos(tmp_path / "set" / "test", per_class=4)
    data = load(tmp_path / "set", tmp_path / "cache")
    assert len(data.test) == 12 and data.notes["test_split"] == "official test split"
    assert data.notes["custom"]["class_counts"]["test"] == {"blue": 4, "green": 4, "red": 4}


def test_a_second_load_decodes_nothing_and_a_changed_file_is_noticed(tmp_path, monkeypatch):
    root = write_photos(tmp_path / "photos")
    first = load(root, tmp_path / "cache")
    decode = image_decoder.decode_images

    def must_not_decode(*_args, **_kwargs):
        raise AssertionError("decoded again although nothing changed")

    monkeypatch.setattr("nettune.data.custom.store.decode_images", must_not_decode)
    again = load(root, tmp_path / "cache")
    assert again.notes["custom"]["ref"] == first.notes["custom"]["ref"]

    calls = []
    monkeypatch.setattr("nettune.data.custom.store.decode_images", lambda *a: calls.append(1) or decode(*a))
    Image.new("RGB", (20, 20), (200, 10, 10)).save(root / "red" / "extra.png")  # an added file
    added = load(root, tmp_path / "cache")
    assert calls == [1] and added.notes["custom"]["ref"] != first.notes["custom"]["ref"]
    assert added.notes["custom"]["class_counts"]["train"]["red"] == 13

    (root / "red" / "extra.png").unlink()  # back to the first content: its cache is found by content hash
    assert load(root, tmp_path / "cache").notes["custom"]["ref"] == first.notes["custom"]["ref"] and calls == [1]


def test_trials_load_the_same_data_by_reference(tmp_path):
    root = write_photos(tmp_path / "photos")
    first = load(root, tmp_path / "cache")
    by_ref = load_dataset(first.notes["custom"]["ref"], data_dir=tmp_path / "cache")
    assert by_ref.info == first.info and bool((by_ref.train.x == first.train.x).all())
    with pytest.raises(DataError, match=r"not in the cache .* run once with dataset="):
        load_dataset(first.notes["custom"]["ref"], data_dir=tmp_path / "elsewhere")


def test_a_few_unreadable_images_are_skipped_and_named(tmp_path):
    root = write_photos(tmp_path / "photos", per_class=30)
    (root / "red" / "broken.png").write_bytes(b"\x89PNG not really")
    data = load(root, tmp_path / "cache")
    assert data.notes["custom"]["skipped_unreadable"] == 1
    assert data.notes["custom"]["skipped_examples"] == [os.path.join("red", "broken.png")]


@pytest.mark.parametrize(("make", "message"), [
    (lambda r: [(r / "red" / f"bad{i}.jpg").write_bytes(b"junk") for i in range(5)],
     r"5 of 41 images .* cannot be read \(more than 5%\), e.g. red/bad0.jpg"),
    (lambda r: (r / "empty").mkdir(), r"class folder .*empty has no images"),
    (lambda r: [p.unlink() for p in list((r / "green").iterdir())[1:]],
     r"class\(es\) green \(1\) have fewer than 2 training examples"),
])
def test_bad_image_folders_get_one_line_that_names_the_fix(tmp_path, make, message):
    root = write_photos(tmp_path / "photos")
    make(root)
    with pytest.raises(DataError, match=message) as caught:
        load(root, tmp_path / "cache")
    assert "\n" not in str(caught.value)


def test_single_class_no_images_and_missing_paths(tmp_path):
    single = write_photos(tmp_path / "one")
    for name in ("green", "blue"):
        for p in (single / name).iterdir():
            p.unlink()
        (single / name).rmdir()
    with pytest.raises(DataError, match="single class"):
        load(single, tmp_path / "cache")
    (tmp_path / "loose").mkdir()
    Image.new("L", (8, 8)).save(tmp_path / "loose" / "a.png")
    with pytest.raises(DataError, match="holds 1 images but no class folders; lay it out as one subfolder per"):
        load(tmp_path / "loose", tmp_path / "cache")
    (tmp_path / "nothing" / "cats").mkdir(parents=True)
    (tmp_path / "nothing" / "dogs").mkdir()
    with pytest.raises(DataError, match="has no images"):
        load(tmp_path / "nothing", tmp_path / "cache")
    with pytest.raises(DataError, match="no such file or folder"):
        load(tmp_path / "missing", tmp_path / "cache")


REVIEWS = [("a wonderful moving film, loved it", "pos"), ("dull and far too long, hated it", "neg"),
           ("great acting and a great story", "pos"), ("boring plot, awful dialogue", "neg")] * 6


def test_csv_tsv_and_jsonl_tables(tmp_path):
    csv_path = tmp_path / "reviews.csv"
    csv_path.write_text("id,review,sentiment\n" + "".join(f'{i},"{t}",{y}\n' for i, (t, y) in enumerate(REVIEWS)))
    tsv_path = tmp_path / "reviews.tsv"
    tsv_path.write_text("body\tlabel\n" + "".join(f"{t}\t{int(y == 'pos')}\n" for t, y in REVIEWS))
    jsonl_path = tmp_path / "reviews.jsonl"
    jsonl_path.write_text("".join(json.dumps({"words": t, "stars": 5 if y == "pos" else 1}) + "\n"
                                  for t, y in REVIEWS))
    from_csv = load(csv_path, tmp_path / "cache")
    assert from_csv.info.family == "lstm" and from_csv.info.class_names == ("neg", "pos")
    assert from_csv.notes["custom"]["text_column"] == "review"
    assert from_csv.notes["custom"]["label_column"] == "sentiment"
    assert from_csv.info.input_shape == (16,) and from_csv.notes["vocab"]["built_on"].startswith("train split")
    assert load(tsv_path, tmp_path / "cache").info.class_names == ("0", "1")
    from_jsonl = load(jsonl_path, tmp_path / "cache", text_column="words", label_column="stars")
    assert from_jsonl.info.class_names == ("1", "5")
    # The words are the reviews' own, and the vocabulary comes from the training split only.
    assert "great" in from_csv.vocabulary and len(from_csv.vocabulary) <= 2 + 20


def test_bad_tables_get_one_line_that_names_the_fix(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("text,label\nfine,1\nalso fine,pos\n")
    with pytest.raises(DataError, match=r"mix numbers \(e.g. '1'\) and words \(e.g. 'pos'\)"):
        load(path, tmp_path / "cache")
    path.write_text("comment,label\nfine,a\nok,b\n")
    with pytest.raises(DataError, match=r"has no column 'txt'; its columns are: comment, label; set text_column="):
        load(path, tmp_path / "cache", text_column="txt")
    path.write_text("words,stars\nfine,1\n")
    with pytest.raises(DataError, match="no text column found among words, stars; name it with text_column="):
        load(path, tmp_path / "cache")
    path.write_text("text,label\nfine,a\nok,b\nyes,b\n")
    with pytest.raises(DataError, match=r"class\(es\) a \(1\) have fewer than 2"):
        load(path, tmp_path / "cache")
    bad_json = tmp_path / "t.jsonl"
    bad_json.write_text('{"text": "x", "label": 1}\n{"text": "y", "label": [1]}\n')
    with pytest.raises(DataError, match=r"label \[1\] .* is neither an integer nor a string"):
        load(bad_json, tmp_path / "cache")


def test_npz_images_and_token_ids(tmp_path):
    rng = np.random.default_rng(1)
    x = rng.random((40, 10, 10)).astype(np.float32)  # floats in 0..1, (N, H, W)
    y = np.repeat([3, 7], 20)
    np.savez(tmp_path / "digits.npz", x=x, y=y, class_names=np.array(["three", "seven"]))
    images = load(tmp_path / "digits.npz", tmp_path / "cache")
    assert images.info.input_shape == (1, 10, 10) and images.info.class_names == ("three", "seven")
    tokens = rng.integers(2, 50, (30, 12))
    tokens[:, :4] = 0  # left padding
    np.savez(tmp_path / "ids.npz", x_train=tokens, y_train=np.repeat([0, 1, 2], 10))
    text = load(tmp_path / "ids.npz", tmp_path / "cache")
    assert text.info.family == "lstm" and text.info.num_classes == 3
    np.savez(tmp_path / "bad.npz", images=x)
    with pytest.raises(DataError, match=r"has no x or y array .*save the examples as x"):
        load(tmp_path / "bad.npz", tmp_path / "cache")


def test_the_dataset_option_takes_a_path():
    assert OptimizationConfig(dataset="./photos").dataset == "./photos"
    assert OptimizationConfig(dataset="reviews.csv").resolved_run_name().startswith("reviews_health_")
    assert is_custom("~/data/set") and is_custom("custom:0123456789abcdef") and not is_custom("mnist")
    assert label("/data/my photos/") == "my_photos"
    with pytest.raises(ConfigError, match=r"or give a path to your own data.*did you mean 'mnist'"):
        OptimizationConfig(dataset="mnsit")


def test_the_cli_describes_your_data(tmp_path):
    import subprocess
    import sys

    root = write_photos(tmp_path / "photos", per_class=4)
    command = [sys.executable, "-m", "nettune.cli.main", "datasets"]
    proc = subprocess.run([*command, str(root), f"data_dir={tmp_path / 'c'}", "image_size=16"], capture_output=True,
                          text=True, timeout=120, env={**os.environ, "COLUMNS": "200"})
    assert proc.returncode == 0, proc.stderr
    assert "3 classes, CNN models" in proc.stdout and "inputs 3x16x16" in proc.stdout
    assert "no test split given" in proc.stdout and "decoded and cached as custom:" in proc.stdout
    bad = subprocess.run([*command, str(tmp_path / "none")], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "no such file or folder" in bad.stderr
