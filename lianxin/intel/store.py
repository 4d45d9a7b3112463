"""Versioned model files in a directory, with an atomically switched `current` pointer.

Plain Python (no Django). A new model is written under a new name and only then
named current, so readers keep using the previous model while one trains, and a
crash mid-write leaves no half-written current model.
"""

import datetime as dt
import os
import tempfile
from pathlib import Path

import joblib

from lianxin.intel.classifier import FORMAT, CategoryModel

POINTER = "current"


def _write_atomically(path: Path, write) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_model(model: CategoryModel, path: Path) -> Path:
    """Write one model file (compressed); returns its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "format": FORMAT,
        "meta": model.meta,
        "vectorizers": model.vectorizers,
        "svm": model.svm,
        "temperature": model.temperature,
        "nb": model.nb,
    }
    _write_atomically(path, lambda tmp: joblib.dump(payload, tmp, compress=3))
    return path


def load_model(path: Path) -> CategoryModel:
    # joblib unpickles: only ever load files this platform wrote into its own DATA_DIR.
    payload = joblib.load(path)
    # Format 1 (SVM only) still reads: its confidences are the SVM's alone.
    if payload.get("format") not in (1, FORMAT):
        raise ValueError(f"{path} has model format {payload.get('format')}, not {FORMAT}")
    return CategoryModel(
        payload["vectorizers"],
        payload["svm"],
        payload["temperature"],
        payload["meta"],
        payload.get("nb"),
    )


class ModelStore:
    """The versions of one kind of model in `directory`: category-20261122T004200.123456.joblib …"""

    def __init__(self, directory: Path | str, kind: str = "category"):
        self.directory = Path(directory)
        self.kind = kind

    def publish(self, model: CategoryModel, *, now: dt.datetime | None = None) -> Path:
        """1. Write the model under a new versioned name.  2. Point `current` at it."""
        stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%S.%f")
        path = save_model(model, self.directory / f"{self.kind}-{stamp}.joblib")
        pointer = self.directory / f"{self.kind}.{POINTER}"
        _write_atomically(pointer, lambda tmp: Path(tmp).write_text(path.name + "\n"))
        return path

    def current_path(self) -> Path | None:
        pointer = self.directory / f"{self.kind}.{POINTER}"
        try:
            name = pointer.read_text().strip()
        except FileNotFoundError:
            return None
        return self.directory / name

    def load_current(self) -> CategoryModel | None:
        """The current model, or None before the first one is published."""
        path = self.current_path()
        return load_model(path) if path else None

    def versions(self) -> list[Path]:
        return sorted(self.directory.glob(f"{self.kind}-*.joblib"))
