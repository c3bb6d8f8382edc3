"""The Backend protocol and the registry of model backends by name.

A backend turns chat messages into text by asking a model. It does not check anything: chain.py alone
applies the policy (guard, repair, fallback). Messages are plain ``{"role": ..., "content": ...}`` dicts so
that a backend needs no LangChain types unless it talks to a model. ``offline`` is not a backend: it is the
choice of no model, where the chain's composer (coach/compose/) drafts alone.
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


def _openai(settings: Settings) -> Backend:
    from coach.backends.openai_compat import OpenAICompatBackend

    return OpenAICompatBackend.from_settings(settings)


REGISTRY: dict[str, BackendFactory] = {"openai": _openai}
OFFLINE = "offline"


def choose_backend(name: str | None, settings: Settings) -> str:
    """``name``, else ``settings.backend``, else openai if an endpoint is configured, else offline; an unknown
    name is a ConfigError listing the valid ones."""
    chosen = name or settings.backend or ("openai" if settings.openai_base_url and settings.model else OFFLINE)
    valid = [OFFLINE, *REGISTRY]
    if chosen not in valid:
        raise ConfigError(f"unknown backend {chosen!r}; valid backends: {', '.join(valid)}",
                          f"use --backend with one of: {', '.join(valid)}")
    return chosen


def model_backend(name: str, settings: Settings) -> Backend:
    """The registered model backend called ``name``, built from ``settings``."""
    if choose_backend(name, settings) == OFFLINE:
        raise ConfigError("offline is not a model backend", f"name one of: {', '.join(REGISTRY)}")
    return REGISTRY[name](settings)


def get_backend(name: str | None, settings: Settings) -> Backend | None:
    """The model to ask (see ``choose_backend``); None when the choice is offline: no model."""
    chosen = choose_backend(name, settings)
    return None if chosen == OFFLINE else REGISTRY[chosen](settings)
