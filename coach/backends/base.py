"""The Backend protocol and the registry of backends by name.

A backend turns chat messages into text. It does not check anything: chain.py alone applies the
policy (guard, repair, fallback). Messages are plain ``{"role": ..., "content": ...}`` dicts so that a
backend needs no LangChain types unless it talks to a model.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from coach.errors import ConfigError

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


def _offline(settings: Settings) -> Backend:
    from coach.backends.offline import OfflineBackend

    return OfflineBackend(settings)


def _openai(settings: Settings) -> Backend:
    from coach.backends.openai_compat import OpenAICompatBackend

    return OpenAICompatBackend.from_settings(settings)


REGISTRY: dict[str, BackendFactory] = {"offline": _offline, "openai": _openai}


def get_backend(name: str | None, settings: Settings) -> Backend:
    """The backend called ``name``; None = ``settings.backend``, else openai if configured, else offline."""
    chosen = name or settings.backend or ("openai" if settings.openai_base_url and settings.model else "offline")
    if chosen not in REGISTRY:
        raise ConfigError(f"unknown backend {chosen!r}; valid backends: {', '.join(REGISTRY)}",
                          f"use --backend with one of: {', '.join(REGISTRY)}")
    return REGISTRY[chosen](settings)
