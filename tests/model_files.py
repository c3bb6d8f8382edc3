"""Comparing built model files."""

from __future__ import annotations

import hashlib
from pathlib import Path


def sha256(path: Path) -> str:
    """A file's hash. Model files are compared by it, not byte for byte: pytest's diff of two 100 KB byte strings,
    printed when they differ, took about 40 minutes of CI (session 17)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()
