"""ThreadConfined: calls from any thread run on the owner thread; iterators are drained there."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

from coach.thread_confined import ThreadConfined


class _Store:
    def where(self) -> int:
        return threading.get_ident()

    def pages(self) -> Iterator[int]:
        yield threading.get_ident()
        yield threading.get_ident()


class _Retriever:
    def __init__(self) -> None:
        self.store = _Store()
        self.name = "hybrid"


def test_calls_run_on_the_owner_thread_from_anywhere() -> None:
    with ThreadPoolExecutor(max_workers=1) as owner_thread:
        owner = owner_thread.submit(threading.get_ident).result()
        confined = ThreadConfined(_Retriever(), owner_thread, owner)
        assert owner != threading.get_ident()
        assert confined.store.where() == owner
        assert confined.store.pages() == [owner, owner]  # drained on the owner, not lazily on the caller
        assert confined.name == "hybrid"
        with ThreadPoolExecutor(max_workers=4) as others:
            assert set(others.map(lambda _: confined.store.where(), range(8))) == {owner}
        # on the owner thread itself the call runs directly: waiting on its own queue would deadlock
        assert owner_thread.submit(lambda: confined.store.where()).result(timeout=30) == owner
