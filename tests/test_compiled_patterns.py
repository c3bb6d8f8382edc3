"""The guard's patterns shipped precompiled (coach/compiled_patterns.py): complete, equal to re.compile,
and never required."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from coach import compiled_patterns

ROOT = Path(__file__).resolve().parents[1]


def _texts() -> list[str]:
    rows = (ROOT / "evals" / "datasets" / "promises.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(row)["text"] for row in rows if row.strip()]


def test_the_shipped_file_holds_every_pattern_the_guard_compiles() -> None:
    if not compiled_patterns.CACHE_FILE.is_file():
        pytest.skip(f"no precompiled patterns for this interpreter ({compiled_patterns.CACHE_FILE.name})")
    # A fresh process: every module-level pattern, every rule's, on simplified, traditional and English text.
    code = (
        "import json\nfrom coach import compiled_patterns\nfrom coach.guard import check\n"
        "from coach.guard_rules import SplitPattern\n"
        "for text in ('我们保证全额退款', '我們保證全額退款', 'We guarantee a full refund'):\n    check(text)\n"
        "asked = set(compiled_patterns._REQUESTED)\n"
        "asked.update(s for p in SplitPattern.instances for s in p.sources())\n"
        "print(json.dumps(sorted(asked)))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    missing = set(json.loads(done.stdout)) - set(compiled_patterns._shipped())
    assert not missing, f"{len(missing)} patterns not precompiled: run `python -m coach.compiled_patterns`"


def test_a_shipped_pattern_matches_exactly_as_re_compile() -> None:
    shipped = compiled_patterns._shipped()
    if not shipped:
        pytest.skip("no precompiled patterns for this interpreter")
    texts = [t.lower() for t in _texts()]
    for source in shipped:
        ours, reference = compiled_patterns.compile_pattern(source), re.compile(source)
        assert ours is not reference  # built from the shipped code, not taken from re's own cache
        assert (ours.flags, ours.groups, ours.groupindex) == (reference.flags, reference.groups, reference.groupindex)
        for text in texts:
            found, expected = ours.search(text), reference.search(text)
            assert (found and (found.span(), found.groups())) == (expected and (expected.span(), expected.groups()))


def test_without_the_file_or_with_a_damaged_one_patterns_compile_as_usual(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = r"(?:保证|一定)(?:给您)?(全额)?退款"
    for content in (None, b"\x00not marshal", b"\xfb"):
        cache = tmp_path / "patterns.marshal"
        if content is None:
            cache.unlink(missing_ok=True)
        else:
            cache.write_bytes(content)
        monkeypatch.setattr(compiled_patterns, "CACHE_FILE", cache)
        compiled_patterns._shipped.cache_clear()
        try:
            assert compiled_patterns.compile_pattern(source).search("我们保证全额退款").group(1) == "全额"
        finally:
            compiled_patterns._shipped.cache_clear()
