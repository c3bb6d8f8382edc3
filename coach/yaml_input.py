"""Read the YAML files users hand coach (policy, manifest, questions, glossary, callback cases, coach.yaml,
eval suites and thresholds), one loader for all, with limits.

YAML aliases let a few hundred bytes stand for hundreds of millions of values ("billion laughs"): the
parser builds them cheaply as shared references, but everything that walks the result afterwards (the
policy's line finder, Pydantic) goes through every copy, and `coach policy validate` ran past 300 s on
a 377-byte file. So the parser's events are counted first, each alias as the size of what it stands
for, and a file that would expand beyond MAX_YAML_NODES values is refused before anything is built.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from coach.errors import CoachError, ConfigError

SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's: 5x faster, same safe subset
MAX_YAML_BYTES = 2 * 1024 * 1024  # coach's own largest YAML is under 100 KB
MAX_YAML_NODES = 200_000  # values once aliases are expanded; the bundled policy holds about 2,000
_LIMIT_FIX = "write the values out instead of repeating them through YAML aliases (&name / *name), or split the file"


def read_yaml_text(path: Path, what: str, missing_fix: str, error: type[CoachError] = ConfigError) -> str:
    """The file's text (UTF-8, a BOM allowed), within the size limit."""
    if not path.is_file():
        raise error(f"{what} not found: {path}", missing_fix)
    size = path.stat().st_size
    if size > MAX_YAML_BYTES:
        raise error(f"{path} is {size} bytes; a {what} may be at most {MAX_YAML_BYTES} bytes", "split the file")
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(f"{path} is not UTF-8 text (byte {exc.start})", "save it as UTF-8") from exc


def check_expansion(text: str, path: Path, error: type[CoachError] = ConfigError) -> None:
    """Refuse text whose aliases expand beyond MAX_YAML_NODES values, reading only the parser's events.
    A syntax error is raised as the parser's own yaml.YAMLError (policy.py reports its line)."""
    sizes: dict[str, int] = {}  # anchor -> values it stands for
    open_nodes: list[tuple[str | None, int]] = []  # (anchor, values before it) per open mapping or sequence
    total = 0  # values so far, each alias counted as what it stands for
    for event in yaml.parse(text, Loader=SAFE_LOADER):
        if isinstance(event, yaml.CollectionStartEvent):
            open_nodes.append((event.anchor, total))
            total += 1
        elif isinstance(event, yaml.CollectionEndEvent):
            anchor, before = open_nodes.pop()
            if anchor:
                sizes[anchor] = total - before
        elif isinstance(event, yaml.ScalarEvent):
            total += 1
            if event.anchor:
                sizes[event.anchor] = 1
        elif isinstance(event, yaml.AliasEvent):
            total += sizes.get(event.anchor or "", 1)
        if total > MAX_YAML_NODES:
            raise error(
                f"{path}: its aliases (or its length) expand to more than {MAX_YAML_NODES} values "
                "(a 'billion laughs' file?); refused before reading it",
                _LIMIT_FIX,
            )


def parse_yaml(text: str, path: Path, error: type[CoachError] = ConfigError) -> object:
    """The data of YAML text, checked against the limits first."""
    try:
        check_expansion(text, path, error)
        return yaml.load(text, Loader=SAFE_LOADER)
    except yaml.YAMLError as exc:
        raise _syntax_error(path, exc, error) from exc


def load_yaml(
    path: Path, what: str, missing_fix: str = "check the path", error: type[CoachError] = ConfigError
) -> object:
    """The data of a user's YAML file, or ``error`` with the problem and the fix."""
    return parse_yaml(read_yaml_text(path, what, missing_fix, error), path, error)


def _syntax_error(path: Path, exc: yaml.YAMLError, error: type[CoachError]) -> CoachError:
    mark = getattr(exc, "problem_mark", None)
    where = f" at line {mark.line + 1}" if mark else ""
    return error(f"{path}: malformed YAML{where}: {' '.join(str(exc).split())}", "fix the YAML syntax there")
