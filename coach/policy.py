"""The authority matrix: what each role may and may not commit to, as YAML checked by Pydantic.

A default ships in the package (``coach/policy_default.yaml``); a user file comes from ``--policy`` or
``COACH_POLICY``. Problems are reported with the line they are on: the YAML is composed into a node
tree first, so that a Pydantic error location can be walked back to the node it names.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from coach.errors import ConfigError
from coach.policy_vocabulary import GuardVocabularies
from coach.yaml_input import SAFE_LOADER, check_expansion, read_yaml_text

DEFAULT_POLICY_PATH = Path(__file__).resolve().parent / "policy_default.yaml"

# The categories the guard has built-in detectors for; a policy may add others if it gives patterns.
BUILTIN_PROMISE_CATEGORIES = (
    "compensation", "refund_outcome", "guaranteed_outcome", "deadline", "rule_exception",
    "liability_admission", "staff_discipline", "private_deal", "media_statement",
)
# The hand-written phrase rules' families, then those of coach/guard/service_phrases.yaml.
BUILTIN_PHRASE_FAMILIES = ("blame_rules", "pass_the_buck", "dismissive", "refuse_service", "ignorance", "impatience",
                           "blame_customer", "doubt_honesty", "sarcasm")

class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Citation(_Strict):
    doc: str = Field(pattern=r"^\d{3}$", description="Document id from corpus/manifest.yaml, e.g. '000'.")
    quote: str = Field(min_length=1, description="A short passage of that document, in its own script.")

    def render(self) -> str:
        return f"语料 {self.doc}「{self.quote}」"


class AllowedCommitment(_Strict):
    id: str = Field(min_length=1)
    description: str
    examples: list[str] = Field(default_factory=list)
    source: Citation


class ForbiddenCommitment(_Strict):
    id: str = Field(min_length=1)
    title: str
    explanation: str = Field(min_length=1, description="Why it is forbidden, in Chinese.")
    sources: list[Citation] = Field(min_length=1)
    safe_alternative: str = Field(min_length=1, description="A sentence staff may say instead.")
    patterns: list[str] = Field(default_factory=list, description="Extra regexes, on simplified lower-case text.")

    def source_text(self) -> str:
        return "；".join(c.render() for c in self.sources)


class PhraseFamily(_Strict):
    id: str = Field(min_length=1)
    title: str
    explanation: str = Field(min_length=1)
    phrases: list[str] = Field(default_factory=list, description="Matched ignoring punctuation; XX = any text.")
    patterns: list[str] = Field(default_factory=list)
    better: str = Field(min_length=1, description="The documented better phrasing.")
    source: Citation


class Grant(_Strict):
    category: str
    max_amount: float | None = Field(default=None, ge=0, description="Largest amount in 元; unset = no limit.")
    note: str = ""


class Role(_Strict):
    """One role of the policy, resolved once where a request comes in (``Policy.role``) and passed down."""

    name: str = Field(min_length=1)
    description: str = ""
    grants: list[Grant] = Field(default_factory=list)
    scripts: list[str] = Field(default_factory=list)
    _id: str = PrivateAttr(default="")  # its key under ``roles:``, set by the Policy that holds it

    @property
    def id(self) -> str:
        return self._id

    def grant(self, category: str) -> Grant | None:
        return next((g for g in self.grants if g.category == category), None)


class Policy(_Strict):
    version: Literal[1]
    default_role: str
    callback_window: str = Field(min_length=1, description="e.g. 三个工作日内")
    allowed_commitments: list[AllowedCommitment]
    forbidden_commitments: list[ForbiddenCommitment]
    forbidden_phrases: list[PhraseFamily]
    scripts: list[str] = Field(default_factory=list)
    roles: dict[str, Role] = Field(min_length=1)
    guard: GuardVocabularies = Field(default_factory=GuardVocabularies,
                                     description="Edits to the guard's vocabularies, from files beside the policy.")

    @model_validator(mode="after")
    def _name_the_roles(self) -> Policy:
        for key, role in self.roles.items():
            role._id = key
        return self

    def role(self, name: str | None) -> Role:
        """The role called ``name`` (None: the default role); an unknown name is a ConfigError listing the valid
        ones. Called once where a request enters (CLI, API, Python API, the chain's ``draft``)."""
        key = name or self.default_role
        if key not in self.roles:
            raise ConfigError(
                f"unknown role {key!r}; valid roles: {', '.join(self.roles)}",
                f"pass --role with one of: {', '.join(self.roles)}",
            )
        return self.roles[key]

    def commitment(self, category: str) -> ForbiddenCommitment | None:
        return next((c for c in self.forbidden_commitments if c.id == category), None)

    def family(self, family_id: str) -> PhraseFamily | None:
        return next((f for f in self.forbidden_phrases if f.id == family_id), None)


class PolicyProblem(BaseModel):
    line: int | None = Field(description="1-based line in the policy file, when known.")
    location: str = Field(description="Dotted path of the offending entry, e.g. roles.supervisor.grants.0")
    message: str
    fix: str

    def render(self, path: Path | str) -> str:
        where = f"{path}:{self.line}" if self.line else str(path)
        return f"{where}: {self.location or '(file)'}: {self.message}"


# ----------------------------------------------------------------------------------------------- loading


def load_policy(path: Path | str | None = None) -> Policy:
    """The policy at ``path`` (default: the bundled one). Raises ConfigError naming the line."""
    if not path:  # already absolute and resolved: skip the realpath, which cost ~15 % of a guard check
        return _load_cached(str(DEFAULT_POLICY_PATH))
    resolved = Path(path)
    return _load_cached(str(resolved.resolve()) if resolved.exists() else str(resolved))


@functools.lru_cache(maxsize=8)
def _load_cached(path: str) -> Policy:
    policy, problems = _parse(Path(path))
    if problems or policy is None:
        first = problems[0]
        more = f" (and {len(problems) - 1} more; run `coach policy validate {path}`)" if len(problems) > 1 else ""
        raise ConfigError(f"invalid policy {first.render(path)}{more}", first.fix)
    return policy


# Checks of a policy that belong to a subsystem above this module (the guard's vocabulary edits), registered
# by that subsystem when it is imported, so that the policy layer never imports upward. Each returns
# (location in the YAML, message, fix) for every problem.
LATER_CHECKS: list[Callable[[Policy], list[tuple[Loc, str, str]]]] = []


def validate_policy_file(path: Path | str) -> list[PolicyProblem]:
    """Every problem in a policy file, each with its line; an empty list means the file is valid."""
    return _parse(Path(path))[1]


def _parse(path: Path) -> tuple[Policy | None, list[PolicyProblem]]:
    text = _read(path)
    try:
        root, data = _compose(text, path)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        message = f"not valid YAML: {exc.problem or exc.context}"
        return None, [PolicyProblem(line=line, location="", message=message, fix=_YAML_FIX)]
    if not isinstance(data, dict):
        return None, [PolicyProblem(line=1, location="", message="the policy must be a YAML mapping",
                                    fix="start from `coach policy show --json` or the bundled default")]
    problems = _duplicate_keys(root, ())
    data = _substitute(data, str(data.get("callback_window", "")))
    problems += _read_vocabulary_files(data, root, path)
    try:
        policy = Policy.model_validate(data)
    except ValidationError as exc:
        problems += [_problem_from_error(root, err) for err in exc.errors()]
        return None, sorted(problems, key=lambda p: p.line or 0)
    problems += [_problem(root, loc, msg, fix) for loc, msg, fix in _cross_reference(policy)]
    if not problems:  # e.g. the guard's: its edited vocabularies must still compile
        problems += [_problem(root, loc, msg, fix) for check in LATER_CHECKS for loc, msg, fix in check(policy)]
    return (None if problems else policy), sorted(problems, key=lambda p: p.line or 0)


_YAML_FIX = "fix the YAML syntax on that line (indentation, a missing colon, an unclosed quote or bracket)"


def _read_vocabulary_files(data: dict[str, Any], root: yaml.Node | None, path: Path) -> list[PolicyProblem]:
    """Replace each file name under ``guard:`` by the edits it holds (read beside the policy), in place."""
    section = data.get("guard")
    if not isinstance(section, dict):
        return []
    problems: list[PolicyProblem] = []
    for which, value in section.items():
        if not isinstance(value, str):
            continue  # inline edits, or a shape Pydantic reports
        where = ("guard", which)
        file = path.parent / value
        section[which] = None  # replaced by the edits once read; the problem below says why it stays empty
        try:
            edits_root, edits = _compose(read_yaml_text(file, f"{which} vocabulary edits", ""), file)
        except ConfigError as exc:
            problems.append(_problem(root, where, exc.message, f"write the file beside the policy: {file}"))
            continue
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            at = f"{file}:{mark.line + 1}" if mark else str(file)
            problems.append(_problem(root, where, f"{at}: not valid YAML: {exc.problem or exc.context}", _YAML_FIX))
            continue
        if not isinstance(edits, dict):
            problems.append(_problem(root, where, f"{file}: the edits must be a YAML mapping",
                                     "give `add:`, `remove:` or `replace:`, each a path -> list of words"))
            continue
        section[which] = {**edits, "file": value}
        problems += [_problem(root, where, f"{file}:{p.line}: {p.message}", p.fix)
                     for p in _duplicate_keys(edits_root, ())]
    return problems


def _read(path: Path) -> str:
    return read_yaml_text(path, "policy file", "pass an existing YAML file to --policy or COACH_POLICY")


def _compose(text: str, path: Path) -> tuple[yaml.Node | None, Any]:
    check_expansion(text, path)
    loader = SAFE_LOADER(text)
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None)
    finally:
        loader.dispose()


def _substitute(value: Any, window: str) -> Any:
    """Replace ``$callback_window`` in every string, so texts follow the configured window."""
    if isinstance(value, str):
        return value.replace("$callback_window", window)
    if isinstance(value, list):
        return [_substitute(v, window) for v in value]
    if isinstance(value, dict):
        return {k: (v if k == "callback_window" else _substitute(v, window)) for k, v in value.items()}
    return value


# ------------------------------------------------------------------------------------ problems and lines


Loc = tuple[str | int, ...]


def _line_of(root: yaml.Node | None, loc: Loc) -> int | None:
    """The line of the deepest node ``loc`` reaches (a key's own line when the key is found)."""
    node, line = root, (root.start_mark.line + 1 if root is not None else None)
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if k.value == str(part)), None)
            if pair is None:
                return line
            line, node = pair[0].start_mark.line + 1, pair[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def _problem(root: yaml.Node | None, loc: Loc, message: str, fix: str) -> PolicyProblem:
    return PolicyProblem(line=_line_of(root, loc), location=".".join(map(str, loc)), message=message, fix=fix)


def _problem_from_error(root: yaml.Node | None, err: Any) -> PolicyProblem:
    loc: Loc = tuple(err["loc"])
    name = str(loc[-1]) if loc else "policy"
    if err["type"] == "missing":
        fix = f"add the required field `{name}` here"
    elif err["type"] == "extra_forbidden":
        fix = f"remove `{name}` or correct its spelling (unknown fields are refused)"
    else:
        fix = f"change `{name}`: {err['msg'].lower()}"
    return _problem(root, loc, err["msg"], fix)


def _duplicate_keys(node: yaml.Node | None, loc: Loc) -> list[PolicyProblem]:
    problems: list[PolicyProblem] = []
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if key.value in seen:
                problems.append(PolicyProblem(
                    line=key.start_mark.line + 1, location=".".join(map(str, (*loc, key.value))),
                    message=f"duplicate key {key.value!r} (the later one would silently win)",
                    fix="keep one of the two entries"))
            seen.add(key.value)
            problems += _duplicate_keys(value, (*loc, key.value))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            problems += _duplicate_keys(item, (*loc, index))
    return problems


def _cross_reference(policy: Policy) -> list[tuple[Loc, str, str]]:
    """Problems Pydantic cannot see: references between entries, duplicate ids, bad regexes."""
    found: list[tuple[Loc, str, str]] = []
    if policy.default_role not in policy.roles:
        found.append((("default_role",), f"default role {policy.default_role!r} is not defined under roles",
                      f"use one of: {', '.join(policy.roles)}"))
    categories = [c.id for c in policy.forbidden_commitments]
    found += _duplicates("forbidden_commitments", categories)
    found += _duplicates("forbidden_phrases", [f.id for f in policy.forbidden_phrases])
    for name, role in policy.roles.items():
        for index, grant in enumerate(role.grants):
            if grant.category not in categories:
                found.append((("roles", name, "grants", index, "category"),
                              f"grant names unknown category {grant.category!r}",
                              f"use one of: {', '.join(categories)}"))
    for index, item in enumerate(policy.forbidden_commitments):
        if item.id not in BUILTIN_PROMISE_CATEGORIES and not item.patterns:
            found.append((("forbidden_commitments", index, "id"),
                          f"category {item.id!r} has no built-in detector and no patterns",
                          "add `patterns:` (regexes on simplified text) or use a built-in category id"))
        found += _bad_patterns(("forbidden_commitments", index), item.patterns)
    for index, family in enumerate(policy.forbidden_phrases):
        if family.id not in BUILTIN_PHRASE_FAMILIES and not (family.phrases or family.patterns):
            found.append((("forbidden_phrases", index, "id"), f"family {family.id!r} has nothing to match",
                          "add `phrases:` or `patterns:`"))
        found += _bad_patterns(("forbidden_phrases", index), family.patterns)
    return found


def _duplicates(section: str, ids: list[str]) -> list[tuple[Loc, str, str]]:
    return [((section, index, "id"), f"duplicate id {value!r}", "give every entry its own id")
            for index, value in enumerate(ids) if value in ids[:index]]


def _bad_patterns(loc: Loc, patterns: list[str]) -> list[tuple[Loc, str, str]]:
    found: list[tuple[Loc, str, str]] = []
    for index, pattern in enumerate(patterns):
        try:
            re.compile(pattern)
        except re.error as exc:
            found.append(((*loc, "patterns", index), f"not a valid regular expression: {exc}",
                          "fix the pattern (quote it in single quotes so backslashes survive)"))
    return found


def policy_hash(policy: Policy) -> str:
    """Identifies the rules a result was produced under (16 hex of the policy's canonical JSON)."""
    # A policy without vocabulary edits keeps the hash it had before the guard: section existed.
    unedited = policy.guard == GuardVocabularies()
    canonical = policy.model_dump_json(exclude={"guard"} if unedited else None)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]
