"""Where the bundled data (corpus, prompts, default policy) lives.

In a wheel it is packaged under ``coach/_bundled``; in a source checkout it is the repo's top-level
folder of the same name.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def bundled(name: str) -> Path:
    """Path of a bundled data folder, e.g. ``bundled("corpus")``."""
    packaged = _PACKAGE_DIR / "_bundled" / name
    if packaged.is_dir():
        return packaged
    return _PACKAGE_DIR.parent / name
