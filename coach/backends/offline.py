"""The ``offline`` backend name: the composer (coach/compose/) behind the Backend protocol.

The chain calls the composer directly; this adaptor lets ``get_backend("offline")`` and the backend
contract tests treat it like any other backend. It reads the customer's words from the prompt's data block.
"""

from __future__ import annotations

import re

from coach.analyze import analyse
from coach.backends.base import Message
from coach.compose import COMPOSER_VERSION, compose
from coach.config import Settings
from coach.policy import Policy, load_policy

_DATA = re.compile(r"<<<CUSTOMER_DATA\n(.*?)\nCUSTOMER_DATA>>>", re.S)


class OfflineBackend:
    name = "offline"
    model: str | None = COMPOSER_VERSION

    def __init__(self, settings: Settings | None = None, policy: Policy | None = None) -> None:
        self.policy = policy or load_policy(settings.policy if settings else None)

    def complete(self, messages: list[Message], *, temperature: float = 0.0, json_mode: bool = False) -> str:
        user = next((m["content"] for m in reversed(messages) if m["role"] == "user"), "")
        found = _DATA.search(user)
        message = found.group(1) if found else user
        return compose(analyse(message), [], self.policy, words=message).text
