"""The guard's patterns, compiled ahead of time and shipped with the package.

``coach check`` must start in under 0.5 s, and CPython compiles regular expressions in Python: the
guard's patterns (some a few kilobytes long) took 90 ms of every cold start, a fifth of it. This module
stores what ``re`` compiles them to — the sre code that ``re._compiler.compile`` hands to ``_sre.compile``
— in ``guard_patterns.<python tag>-<sre magic>.marshal`` beside it, and rebuilds a pattern from it
with that same call. The file is keyed by the interpreter and sre's own version number, and each entry
by its pattern source, so another Python or a changed rule simply compiles as usual. Regenerate the file
after changing a pattern (``tests/test_compiled_patterns.py`` fails until then):

    python -m coach.compiled_patterns
"""

from __future__ import annotations

import _sre
import functools
import marshal
import re
import sys
from array import array
from pathlib import Path
from re import _compiler, _constants, _parser  # type: ignore[attr-defined]

CACHE_FILE = Path(__file__).with_name(f"guard_patterns.{sys.implementation.cache_tag}-{_constants.MAGIC}.marshal")

# (flags, code, groups - 1, groupindex, indexgroup): the arguments _sre.compile takes after the source,
# the code as the bytes of 32-bit words (sre's code unit), which load 20x faster than a list of ints.
Compiled = tuple[int, bytes, int, dict[str, int], tuple[str | None, ...]]


_REQUESTED: set[str] = set()  # every source asked for in this process: what write_cache stores


def compile_pattern(source: str) -> re.Pattern[str]:
    """``re.compile(source)``, from the shipped code when it holds this source."""
    _REQUESTED.add(source)
    entry = _shipped().get(source)
    if entry is not None:
        try:
            flags, code, groups, groupindex, indexgroup = entry
            return _sre.compile(source, flags, array("I", code).tolist(), groups, groupindex, indexgroup)  # type: ignore[no-any-return]
        except (TypeError, ValueError, RuntimeError, OverflowError):
            pass  # an interpreter whose sre differs despite the key: compile as usual
    return re.compile(source)


def sre_code(source: str) -> Compiled:
    """What ``re._compiler.compile`` passes to ``_sre.compile`` for this source (flags 0), code packed."""
    parsed = _parser.parse(source, 0)
    code = _compiler._code(parsed, 0)
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, index in parsed.state.groupdict.items():
        indexgroup[index] = name
    return (
        int(parsed.state.flags),
        array("I", code).tobytes(),
        parsed.state.groups - 1,
        dict(parsed.state.groupdict),
        tuple(indexgroup),
    )


@functools.cache
def _shipped() -> dict[str, Compiled]:
    try:
        loaded = marshal.loads(CACHE_FILE.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def write_cache() -> int:
    """Compile every pattern the guard compiles and write the file; returns how many."""
    from coach.guard import check  # its modules compile their patterns at import, and define every rule
    from coach.guard_rules import SplitPattern

    for text in ("我们保证全额退款", "我們保證全額退款", "We guarantee a full refund"):
        check(text)  # the default policy's phrase lists compile at the first check
    for pattern in SplitPattern.instances:  # each rule compiles its Chinese-only or whole copy on first use
        _REQUESTED.update(pattern.sources())
    CACHE_FILE.write_bytes(marshal.dumps({source: sre_code(source) for source in sorted(_REQUESTED)}))
    return len(_REQUESTED)


if __name__ == "__main__":
    # Through the imported module, whose registry the guard's modules fill (not this __main__ copy).
    from coach import compiled_patterns

    print(f"{compiled_patterns.write_cache()} patterns written to {compiled_patterns.CACHE_FILE}")  # noqa: T201
