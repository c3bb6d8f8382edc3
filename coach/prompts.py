"""Prompt templates as files: ``prompts/<name>.txt``, ``$vars`` substituted, a missing var raises.

The first line of each file is ``# version: <name>-vN``; it is recorded in every Draft so a reply can
be traced to the prompt that produced it. Header lines (``#`` at the top) are not sent to the model.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from string import Template

from coach.errors import CoachError
from coach.paths import bundled

_VERSION = re.compile(r"^#\s*version:\s*(\S+)\s*$")


@dataclass(frozen=True)
class Prompt:
    name: str
    version: str
    template: Template

    def render(self, **values: object) -> str:
        """Substitute every ``$var``; a var the template names but ``values`` lacks raises KeyError."""
        return self.template.substitute({k: str(v) for k, v in values.items()})

    @property
    def variables(self) -> set[str]:
        return {m.group("named") or m.group("braced") for m in Template.pattern.finditer(self.template.template)
                if m.group("named") or m.group("braced")}


@functools.lru_cache(maxsize=16)
def load_prompt(name: str) -> Prompt:
    path = bundled("prompts") / f"{name}.txt"
    if not path.is_file():
        raise CoachError(f"prompt file missing: {path}", "reinstall coach, or restore the file from the repository")
    lines = path.read_text(encoding="utf-8").splitlines()
    match = _VERSION.match(lines[0]) if lines else None
    if not match:
        raise CoachError(f"{path} has no version header", "make its first line `# version: <name>-v1`")
    body = lines[1:]
    while body and body[0].startswith("#"):
        body = body[1:]
    return Prompt(name=name, version=match.group(1), template=Template("\n".join(body).strip() + "\n"))
