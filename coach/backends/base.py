"""The Backend protocol: what every model backend is (registry.py names and builds them).

A backend turns chat messages into text by asking a model. It does not check anything: chain.py alone
applies the policy (guard, repair, fallback). Messages are plain ``{"role": ..., "content": ...}`` dicts so
that a backend needs no LangChain types unless it talks to a model.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from coach.config import Settings

Message = dict[str, str]


@runtime_checkable
class Backend(Protocol):
    name: str
    model: str | None

    def complete(self, messages: list[Message], *, temperature: float = 0.2, json_mode: bool = False) -> str:
        """The model's answer as text; raises BackendError when the model cannot answer.

        ``json_mode``: ask the model for one JSON object (OpenAI ``response_format``); backends that
        cannot ask may ignore it: the chain parses JSON tolerantly and accepts plain text too."""
        ...


BackendFactory = Callable[["Settings"], Backend]
