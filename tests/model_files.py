"""Comparing built model files."""

from __future__ import annotations

import hashlib
from pathlib import Path
from types import ModuleType


def sha256(path: Path) -> str:
    """A file's hash. Model files are compared by it, not byte for byte: pytest's diff of two 100 KB byte strings,
    printed when they differ, took about 40 minutes of CI (session 17)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_rebuilds_the_shipped_model(builder: ModuleType, tmp_path: Path) -> None:
    """A build script (``main``, ``MODEL_PATH``, ``inputs_path``) run again writes the shipped model and its
    fingerprint, byte for byte."""
    rebuilt = tmp_path / "rebuilt.npz"
    builder.main(["--out", str(rebuilt)])
    assert sha256(rebuilt) == sha256(builder.MODEL_PATH)
    assert builder.inputs_path(rebuilt).read_text() == builder.inputs_path(builder.MODEL_PATH).read_text()
