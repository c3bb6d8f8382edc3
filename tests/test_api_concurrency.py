"""Model calls do not block the store: drafts waiting on a slow model leave retrieval and checks answering.

The API once ran whole drafts, model call included, on its single store thread, so `/v1/retrieve` waited 37 s
behind two slow drafts (issue #22). Here the fake model holds every draft's call until released: all drafts
must be inside their model call at once, and a retrieval, a passage and a check must answer while they are.
Nothing is timed: the bound on the waits below only turns a hang into a failure.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import httpx

from coach.config import Settings
from coach.server import create_app
from tests.fake_openai import HOLD, FakeOpenAI

DRAFTS = 4
MESSAGES = ["你们业务员骗我买了这个保险，我要全额退保！", "手机套餐乱扣费，今天必须给我退钱！"]


async def _until(condition: Callable[[], bool], what: str) -> None:
    for _ in range(2000):  # at most ~20 s: a hang becomes a failure
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(what)


def test_retrieval_and_checks_answer_while_drafts_wait_on_the_model(fake_openai: FakeOpenAI, hash_home: Path) -> None:
    fake_openai.replies = [HOLD] * DRAFTS
    settings = Settings(home=hash_home, embeddings="hash", backend="openai", openai_base_url=fake_openai.base_url,
                        model="fake-model", timeout=120, max_retries=0)
    app = create_app(settings)

    async def scenario() -> tuple[list[int], list[bool], list[httpx.Response]]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1", timeout=120) as client:
            drafts = [asyncio.create_task(client.post("/v1/draft", json={"message": MESSAGES[i % 2]}))
                      for i in range(DRAFTS)]
            try:
                await _until(lambda: len(fake_openai.bodies) == DRAFTS,
                             f"only {len(fake_openai.bodies)} of {DRAFTS} drafts reached the model: calls are serialised")
                retrieved = await client.get("/v1/retrieve", params={"q": "客户要求赔偿怎么办", "k": 2})
                passage = await client.get(f"/v1/passages/{retrieved.json()['passages'][0]['chunk_id']}")
                checked = await client.post("/v1/check", json={"text": "我保证明天给您全额退款"})
                statuses = [retrieved.status_code, passage.status_code, checked.status_code]
                waiting = [not draft.done() for draft in drafts]
            finally:
                fake_openai.release.set()
            return statuses, waiting, list(await asyncio.gather(*drafts))

    statuses, waiting, drafts = asyncio.run(scenario())
    assert statuses == [200, 200, 200]
    assert waiting == [True] * DRAFTS  # every draft was still in its model call when those answered
    assert [d.status_code for d in drafts] == [200] * DRAFTS
    assert {d.json()["backend"] for d in drafts} == {"openai"}  # the held call did answer: no fallback
