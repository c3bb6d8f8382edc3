"""Model endpoint faults under API load: the fake OpenAI server answers 500 or stalls past the client's
timeout for a share of the requests while N clients post drafts at once. Every response must still be a
200 with a guard-checked reply (the offline fallback where the model failed), none lost, and the request
log lines must count the fallbacks."""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
from pathlib import Path
from typing import Any

import httpx
import pytest

from coach.config import Settings
from coach.server import create_app
from tests.fake_openai import ERROR_500, TIMEOUT, FakeOpenAI

CLIENTS = 24
CLEAN = "您好，非常理解您的心情，给您添麻烦了。我先把情况详细记录下来，请负责的同事核实后联系您，您看可以吗？"
MESSAGES = ["你们业务员骗我买了这个保险，我要全额退保！", "手机套餐乱扣费，今天必须给我退钱！", "车修了三次还没好，我要投诉你们！"]


@pytest.fixture
def fake(fake_openai: FakeOpenAI) -> FakeOpenAI:
    fake_openai.timeout_sleep = 1.5
    return fake_openai


def test_model_500s_and_timeouts_under_load_all_fall_back_to_checked_replies(
    fake: FakeOpenAI, hash_home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    plan = itertools.cycle([CLEAN, ERROR_500, CLEAN, TIMEOUT])  # a quarter 500s, a quarter timeouts
    fake.replies = [lambda _body: next(plan)] * (CLIENTS * 3)
    settings = Settings(home=hash_home, embeddings="hash", backend="openai", openai_base_url=fake.base_url,
                        model="fake-model", timeout=0.5, max_retries=0)
    app = create_app(settings)

    async def load() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1", timeout=60) as client:
            return await asyncio.gather(*[
                client.post("/v1/draft", json={"message": MESSAGES[i % len(MESSAGES)]}) for i in range(CLIENTS)
            ])

    with caplog.at_level(logging.INFO, logger="coach.server"):
        responses = asyncio.run(load())

    assert [r.status_code for r in responses] == [200] * CLIENTS
    drafts: list[dict[str, Any]] = [r.json() for r in responses]
    assert len({d["id"] for d in drafts}) == CLIENTS  # none lost, none answered twice
    for draft in drafts:
        assert draft["reply"] and draft["guard"]["ok"], draft
        model_failed = any(a.get("error") for a in draft["attempts"])
        assert draft["fell_back"] == model_failed and (draft["backend"] == "offline") == model_failed
    failed = sum(d["fell_back"] for d in drafts)
    assert failed == CLIENTS // 2  # exactly the 500s and the timeouts: no healthy answer was thrown away
    assert len(fake.bodies) == CLIENTS  # max_retries=0: one model call per draft

    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "coach.server"]
    drafts_logged = [line for line in lines if line.get("route") == "/v1/draft"]
    assert len(drafts_logged) == CLIENTS and {line["status"] for line in drafts_logged} == {200}
    assert sum(bool(line.get("fell_back")) for line in drafts_logged) == failed
    assert {line["backend"] for line in drafts_logged} == {"offline", "openai"}
