"""Mistyped personal numbers never leave the process: an ID number with a wrong check digit, a card number
failing Luhn, a mobile number one digit short and a landline, sent through the API to the drafting model,
the guard's second opinion and the embeddings endpoint. Checked at the HTTP level: the fake OpenAI server
records every request body it received (issue #22)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from coach.config import Settings
from coach.ingest import ingest
from coach.redact import luhn_valid, valid_id_number
from coach.server import create_app
from tests.fake_openai import FakeOpenAI

BAD_ID, BAD_CARD, SHORT_MOBILE, LANDLINE = "110105194912310021", "6222021234567890127", "1381234567", "0755-88881234"
NUMBERS = (BAD_ID, BAD_CARD, SHORT_MOBILE, LANDLINE, "88881234")
CUSTOMER = f"我身份证{BAD_ID}，卡号{BAD_CARD}，电话{SHORT_MOBILE}或{LANDLINE}，你们乱扣手续费，我要退款！"
REPLY = "您好，非常理解您的心情。扣费的情况我已经记录下来，请负责的同事核实后联系您，您看可以吗？"


def _answer(body: dict[str, Any]) -> str:
    """The second opinion asks for JSON flags (its prompt names "violations"); drafting for a reply."""
    return '{"violations": []}' if "violations" in json.dumps(body, ensure_ascii=False) else REPLY


@pytest.fixture
def fake(fake_openai: FakeOpenAI) -> FakeOpenAI:
    fake_openai.replies = [_answer] * 20
    return fake_openai


@pytest.fixture
def api(fake: FakeOpenAI, tmp_path: Path) -> Iterator[TestClient]:
    cases = tmp_path / "cases"
    cases.mkdir()
    (cases / "fees.txt").write_text("一、乱扣费投诉\n客户要求退还手续费时，先道歉，再核实扣费记录，不承诺结果。\n",
                                    encoding="utf-8")
    settings = Settings(home=tmp_path / "home", embeddings="openai", embeddings_base_url=fake.base_url,
                        embeddings_model="fake-embed", backend="openai", openai_base_url=fake.base_url,
                        model="fake-model", guard_second_opinion=True, max_retries=0)
    ingest(settings, [cases])
    fake.bodies.clear()
    with TestClient(create_app(settings)) as client:
        yield client


def test_the_numbers_are_mistyped() -> None:
    assert not valid_id_number(BAD_ID) and not luhn_valid(BAD_CARD)


def _sent(fake: FakeOpenAI, key: str) -> str:
    bodies = [body for body in fake.bodies if key in body]
    assert bodies, f"no request with {key!r} reached the endpoint"
    return json.dumps(bodies, ensure_ascii=False)


def test_the_drafting_model_never_receives_a_mistyped_number(api: TestClient, fake: FakeOpenAI) -> None:
    response = api.post("/v1/draft", json={"message": CUSTOMER,
                                           "conversation": [{"speaker": "customer", "text": f"卡号是{BAD_CARD}"}]})
    assert response.status_code == 200, response.text
    sent = _sent(fake, "messages")
    assert "乱扣手续费" in sent  # the complaint itself went out: the masking is targeted
    assert not [n for n in NUMBERS if n in sent]


def test_the_second_opinion_never_receives_a_mistyped_number(api: TestClient, fake: FakeOpenAI) -> None:
    text = f"您的卡{BAD_CARD}和身份证{BAD_ID}已登记，电话{SHORT_MOBILE}，我们会尽快核实。"
    response = api.post("/v1/check", json={"text": text, "context": CUSTOMER})
    assert response.status_code == 200, response.text
    assert response.json()["second_opinion"] == "fake-model"
    sent = _sent(fake, "messages")
    assert "我们会尽快核实" in sent
    assert not [n for n in NUMBERS if n in sent]


def test_the_embeddings_endpoint_never_receives_a_mistyped_number(api: TestClient, fake: FakeOpenAI) -> None:
    response = api.post("/v1/retrieve", json={"query": CUSTOMER, "k": 1})
    assert response.status_code == 200, response.text
    sent = _sent(fake, "input")
    assert "乱扣手续费" in sent
    assert not [n for n in NUMBERS if n in sent]
