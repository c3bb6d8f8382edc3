"""The corpus manifest (which documents, their ids, titles, script and layout) and the questions files
that attach staff questions to passages, as YAML checked by Pydantic."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from coach.errors import ConfigError
from coach.types import StaffDomain
from coach.yaml_input import load_yaml

Layout = Literal["plain", "doubled", "slides"]
T = TypeVar("T")


class DocumentMeta(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=64, pattern=r"^[\w.-]+$")
    file: str
    title: str = Field(min_length=1)
    domain: str = "general"
    script: Literal["simplified", "traditional"] = "simplified"
    layout: Layout = "plain"
    serves: list[StaffDomain] = Field(default_factory=list, description="Staff domains it was written for.")
    description: str = ""
    questions: str | None = Field(
        default=None,
        description="YAML file, beside the manifest, of staff questions each passage answers (see corpus/README).",
    )


class Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    documents: list[DocumentMeta]


class AnchoredQuestions(BaseModel):
    """Questions attached to the one chunk whose text contains ``anchor`` (a verbatim phrase)."""

    model_config = ConfigDict(extra="forbid")

    anchor: str = Field(min_length=4, description="A phrase copied from the passage, found in one chunk only.")
    questions: list[str] = Field(min_length=1)


_QUESTION_LIST = TypeAdapter(list[AnchoredQuestions])


def first_error(path: Path, exc: ValidationError, fix: str) -> ConfigError:
    first = exc.errors()[0]
    loc = ".".join(str(p) for p in first["loc"])
    return ConfigError(f"{path}: {loc}: {first['msg']}", fix)


def load_manifest(path: Path) -> Manifest:
    return _validated(path, "manifest", "create corpus/manifest.yaml", Manifest.model_validate,
                      "each entry needs id, file and title; optional domain, script, layout, description, questions")


def load_questions(path: Path) -> list[AnchoredQuestions]:
    return _validated(path, "questions file",
                      "fix the questions file named in the manifest, or remove the entry's `questions`",
                      _QUESTION_LIST.validate_python,
                      "the file is a list of {anchor: phrase from the passage, questions: [...]}")


def _validated(path: Path, what: str, unreadable_fix: str, validate: Callable[[Any], T], invalid_fix: str) -> T:
    data = load_yaml(path, what, unreadable_fix)
    try:
        return validate(data)
    except ValidationError as exc:
        raise first_error(path, exc, invalid_fix) from exc
