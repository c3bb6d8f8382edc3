"""The model backends by name, and the choice among them: ``offline`` is not a backend but the choice of no
model, where the chain's composer (coach/compose/) drafts alone."""

from __future__ import annotations

from typing import TYPE_CHECKING

from coach.backends.base import Backend, BackendFactory
from coach.errors import ConfigError

if TYPE_CHECKING:
    from coach.config import Settings


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
