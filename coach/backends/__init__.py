"""Chat backends: ``offline`` (the deterministic composer) and ``openai`` (any OpenAI-compatible endpoint)."""

from coach.backends.base import REGISTRY, Backend, Message, get_backend

__all__ = ["REGISTRY", "Backend", "Message", "get_backend"]
