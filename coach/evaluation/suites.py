"""Suites: ``evals/suites.yaml`` names the labelled files; this module loads and checks them.

Two kinds of suite: ``scenarios`` (customer situations the chain drafts a reply for, scored by the
draft metrics) and ``guard`` (labelled staff sentences and context pairs, scored by whether the guard
agrees with the label). A scenario is held out when its id number is divisible by 4; guard rows carry
their own ``split``. Labelled rows are read, never rewritten.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from coach.errors import ConfigError, InputError
from coach.paths import bundled
from coach.types import Turn
from coach.yaml_input import load_yaml

SuiteKind = Literal["scenarios", "guard"]


class SuiteSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: SuiteKind
    files: list[str] = Field(min_length=1)
    tags: list[str] = Field(default_factory=list, description="Keep only rows carrying one of these tags.")
    description: str = ""


class SuitesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    default: list[str]
    suites: dict[str, SuiteSpec]


class Expect(BaseModel):
    customer_type: str | None = None
    risk_flags: list[str] = Field(default_factory=list)
    escalate: bool = False
    demands: list[str] = Field(default_factory=list)
    watch_categories: list[str] = Field(default_factory=list)
    must_mention: list[str] = Field(default_factory=list)


class Scenario(BaseModel):
    id: str
    domain: str
    message: str
    conversation: list[Turn] | None = None
    lang: Literal["zh-Hans", "zh-Hant", "en"]
    expect: Expect
    tags: list[str] = Field(default_factory=list)
    note: str = ""

    @property
    def split(self) -> Literal["dev", "heldout"]:
        number = int(re.sub(r"\D", "", self.id) or 0)
        return "heldout" if number % 4 == 0 else "dev"

    def context(self) -> list[dict[str, str]]:
        """The conversation as the guard reads it, ending with the customer's message."""
        turns = [{"speaker": t.speaker, "text": t.text} for t in self.conversation or []]
        return [*turns, {"speaker": "customer", "text": self.message}]


class GuardItem(BaseModel):
    id: str
    text: str
    label: Literal["promise", "forbidden_phrase", "ok"]
    category: str | None = None
    role: str = "frontline"
    context: str | list[dict[str, str]] | None = None
    domain: str = ""
    pattern: str = ""
    split: Literal["dev", "heldout"]


Case = Scenario | GuardItem


def evals_dir() -> Path:
    return bundled("evals")


def default_suites_file() -> Path:
    return evals_dir() / "suites.yaml"


def load_suites_file(path: Path | None = None) -> tuple[SuitesFile, Path]:
    path = path or default_suites_file()
    data = load_yaml(path, "suites file", "pass --suites-file evals/suites.yaml from the coach repo")
    try:
        return SuitesFile.model_validate(data), path.parent
    except ValidationError as exc:
        raise ConfigError(
            f"{path} is not a valid suites file: {str(exc).splitlines()[0]}",
            "see evals/README.md for the format: default: [...], suites: {name: {kind, files}}",
        ) from exc


def load_suite(name: str, spec: SuiteSpec, base: Path) -> list[Case]:
    model: type[Scenario] | type[GuardItem] = Scenario if spec.kind == "scenarios" else GuardItem
    cases: list[Case] = []
    for file in spec.files:
        for row in _rows(base / file):
            if spec.tags and not set(spec.tags) & set(row.get("tags") or []):
                continue
            try:
                cases.append(model.model_validate(row))
            except ValidationError as exc:
                raise InputError(
                    f"{base / file}: row {row.get('id', '?')}: {exc.errors()[0]['msg']}",
                    f"fix that row, or drop the file from suite {name!r} in suites.yaml",
                ) from exc
    if not cases:
        raise InputError(f"suite {name!r} holds no cases", f"check the files and tags of {name!r} in suites.yaml")
    return cases


def _rows(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        raise ConfigError(f"suite data file not found: {path}", "fix the path in suites.yaml (relative to that file)")
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise InputError(
                    f"{path}:{number}: not valid JSON ({exc.msg})", "write one JSON object per line"
                ) from exc
    return rows


def select(names: list[str] | None, suites_file: Path | None = None) -> dict[str, tuple[SuiteSpec, list[Case]]]:
    """The named suites (default: the file's ``default`` list) with their cases, validated before any run."""
    parsed, base = load_suites_file(suites_file)
    chosen = names or parsed.default
    unknown = [n for n in chosen if n not in parsed.suites]
    if unknown:
        raise ConfigError(
            f"unknown suite {', '.join(unknown)}; suites: {', '.join(parsed.suites)}",
            f"use --suite with one of: {', '.join(parsed.suites)}",
        )
    return {name: (parsed.suites[name], load_suite(name, parsed.suites[name], base)) for name in dict.fromkeys(chosen)}


def scenarios_by_id(suites_file: Path | None = None) -> dict[str, Scenario]:
    """Every scenario of every scenario suite, by id (for trainee replies)."""
    parsed, base = load_suites_file(suites_file)
    found: dict[str, Scenario] = {}
    for name, spec in parsed.suites.items():
        if spec.kind == "scenarios":
            for case in load_suite(name, spec.model_copy(update={"tags": []}), base):
                if isinstance(case, Scenario):  # always, in a scenarios suite
                    found.setdefault(case.id, case)
    return found
