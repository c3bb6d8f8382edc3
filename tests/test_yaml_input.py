"""Every YAML file a user hands coach goes through one loader with an alias and size limit: a 377-byte
billion-laughs file kept `coach policy validate` at 100 % CPU past 300 s, and a malformed coach.yaml was
a traceback. Each must now stop at once with exit 2 and the problem named."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from coach.errors import CoachError
from coach.yaml_input import MAX_YAML_BYTES, MAX_YAML_NODES, load_yaml

# Nine levels of nine aliases: 9^9 ≈ 387 million strings once expanded.
LAUGHS = "a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n" + "".join(
    f"{b}: &{b} [*{a},*{a},*{a},*{a},*{a},*{a},*{a},*{a},*{a}]\n" for a, b in zip("abcdefgh", "bcdefghi", strict=True)
)


def _coach(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """A real process, with a timeout: a hang fails the test instead of stalling the suite."""
    return subprocess.run(
        [sys.executable, "-m", "coach", *args], cwd=tmp_path, capture_output=True, text=True, timeout=60,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "COACH_HOME": str(tmp_path / "home"),
             "COACH_EMBEDDINGS": "hash", "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
             "COLUMNS": "10000", **env},  # no line wrapping inside the long temporary paths
    )


def _refused(result: subprocess.CompletedProcess[str], *words: str) -> None:
    output = " ".join((result.stdout + result.stderr).split())
    assert result.returncode == 2, output
    assert "Traceback" not in output and all(w in output for w in words), output


def test_the_billion_laughs_file_is_tiny() -> None:
    assert len(LAUGHS.encode()) < 400  # the probe's was 377 bytes; this one is 324


def test_billion_laughs_policy_fails_fast(tmp_path: Path) -> None:
    (tmp_path / "policy.yaml").write_text(LAUGHS, encoding="utf-8")
    _refused(_coach(tmp_path, "policy", "validate", "policy.yaml"), "policy.yaml", "aliases")


@pytest.mark.parametrize("name", ["manifest.yaml", "case.yaml", "coach.yaml"])
def test_billion_laughs_anywhere_fails_fast(tmp_path: Path, name: str) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("一、道歉\n道歉不是认错。\n", encoding="utf-8")
    target = {"manifest.yaml": docs / name, "case.yaml": tmp_path / name, "coach.yaml": tmp_path / name}[name]
    target.write_text(LAUGHS, encoding="utf-8")
    argv = {"manifest.yaml": ["ingest", str(docs)], "case.yaml": ["callback", str(target)],
            "coach.yaml": ["doctor"]}[name]
    _refused(_coach(tmp_path, *argv), name, "aliases")


def test_malformed_coach_yaml_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "coach.yaml").write_text("home: [unclosed\n", encoding="utf-8")
    _refused(_coach(tmp_path, "doctor"), "coach.yaml", "line")
    (tmp_path / "coach.yaml").write_text("- a list, not settings\n", encoding="utf-8")
    _refused(_coach(tmp_path, "doctor"), "coach.yaml", "mapping")


def test_limits_leave_ordinary_files_alone(tmp_path: Path) -> None:
    shared = "base: &base {domain: bank}\nuses: [*base, *base]\n"  # a few aliases are fine
    (tmp_path / "ok.yaml").write_text(shared, encoding="utf-8")
    expected = {"base": {"domain": "bank"}, "uses": [{"domain": "bank"}] * 2}
    assert load_yaml(tmp_path / "ok.yaml", "test file") == expected
    wide = "\n".join(f"- {n}" for n in range(MAX_YAML_NODES + 1))
    (tmp_path / "wide.yaml").write_text(wide, encoding="utf-8")
    with pytest.raises(CoachError, match="more than 200000 values"):
        load_yaml(tmp_path / "wide.yaml", "test file")
    (tmp_path / "big.yaml").write_bytes(b"#" * (MAX_YAML_BYTES + 1))
    with pytest.raises(CoachError, match="bytes"):
        load_yaml(tmp_path / "big.yaml", "test file")
