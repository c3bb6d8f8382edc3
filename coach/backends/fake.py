"""A scripted backend for unit tests: ``FakeBackend(replies=[...])`` answers in order and records calls.

A reply that is an Exception instance is raised instead of returned (to script a failing model).
"""

from __future__ import annotations

from coach.backends.base import Message
from coach.errors import BackendError


class FakeBackend:
    name = "fake"

    def __init__(self, replies: list[str | Exception], model: str = "fake-model") -> None:
        self.replies = list(replies)
        self.model: str | None = model
        self.calls: list[list[Message]] = []

    def complete(self, messages: list[Message], *, temperature: float = 0.2, json_mode: bool = False) -> str:
        self.calls.append([dict(m) for m in messages])
        if not self.replies:
            raise BackendError("FakeBackend has no replies left", "give FakeBackend one reply per expected call")
        reply = self.replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        return reply
