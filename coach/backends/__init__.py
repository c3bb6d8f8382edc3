"""Model backends: ``openai`` (any OpenAI-compatible endpoint); ``offline`` chooses none (the composer drafts)."""

from coach.backends.base import Backend, Message
from coach.backends.registry import OFFLINE, REGISTRY, choose_backend, get_backend, model_backend

__all__ = ["OFFLINE", "REGISTRY", "Backend", "Message", "choose_backend", "get_backend", "model_backend"]
