"""Unpickling that can rebuild numpy arrays and plain containers but cannot run arbitrary code.

CIFAR batches and Keras .npz object arrays are pickles. They come from the network or a shared cache
folder, so a tampered file must fail to load rather than execute whatever it names.
"""

from __future__ import annotations

import io
import pickle
import zipfile
from pathlib import Path

import numpy as np

_NUMPY_NAMES = {"_reconstruct", "_frombuffer", "ndarray", "dtype", "scalar"}


class _NumpyOnlyUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> object:
        if module.split(".")[0] == "numpy" and name in _NUMPY_NAMES:
            return super().find_class(module, name)
        # Python 3 writes bytes as _codecs.encode(str, "latin1") under protocol 2; both are side-effect free.
        if (module, name) in {("copyreg", "_reconstructor"), ("_codecs", "encode")}:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refusing to load {module}.{name}")


def loads(content: bytes, *, encoding: str = "ASCII") -> object:
    """pickle.loads restricted to numpy arrays and builtin containers."""
    return _NumpyOnlyUnpickler(io.BytesIO(content), encoding=encoding).load()


def load_npz(path: Path) -> dict[str, np.ndarray]:
    """Every array of an .npz, object arrays included, without np.load(allow_pickle=True)."""
    arrays = {}
    with zipfile.ZipFile(path) as zf:
        for member in zf.namelist():
            if not member.endswith(".npy"):
                continue
            with zf.open(member) as f:
                version = np.lib.format.read_magic(f)
                if version == (1, 0):
                    shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
                else:
                    shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
                payload = f.read()
            if dtype.hasobject:
                array = np.asarray(loads(payload, encoding="latin1"), dtype=object)
            else:
                array = np.frombuffer(payload, dtype=dtype).reshape(shape, order="F" if fortran else "C")
            arrays[member.removesuffix(".npy")] = array
    return arrays
