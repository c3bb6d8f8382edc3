"""The HTTP API through FastAPI's TestClient: every route, errors, limits, auth, and what the logs hold."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from coach import server
from coach.backends.fake import FakeBackend
from coach.config import Settings
from coach.errors import ConfigError
from coach.redact import luhn_valid, valid_id_number
from coach.server import LOOPBACK_HOSTS, MAX_BODY_BYTES, MAX_TURNS, create_app
from coach.types import CallbackScript, Draft, GuardReport, Passage, Retrieval

ID_NUMBER = "11010519491231002X"
PHONE = "13912345678"
EMAIL = "zhang.wei@example.com"
COMPLAINT = "我叫张伟，身份证{id}，手机{phone}，卡号{card}，邮箱{email}。你们业务员骗我买了分红险，我要全额退款，不然就找记者曝光！"
CASE = {"customer_name": "王", "customer_title": "先生", "summary": "信用卡年费被重复扣取",
        "actions": ["核实了扣费记录", "提交了退费申请"], "result": "重复扣取的年费已退回原卡",
        "next_step": "保证下周全额退款", "staff_name": "李明", "department": "客户服务部"}


def _card() -> str:
    base = "622202123456789012"
    return next(base + str(d) for d in range(10) if luhn_valid(base + str(d)))


CARD = _card()
PII_MESSAGE = COMPLAINT.format(id=ID_NUMBER, phone=PHONE, card=CARD, email=EMAIL)


@pytest.fixture(scope="module")
def app_settings(hash_home: Path) -> Settings:
    return Settings(home=hash_home, embeddings="hash")


@pytest.fixture(scope="module")
def client(app_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(app_settings)) as test_client:
        yield test_client


def _assert_error(response, status: int, code: str) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == code
    assert re.search(r"[\u4e00-\u9fff]", body["message"]), body  # a Chinese message
    assert set(body) >= {"code", "message", "fix", "request_id"}
    assert body["request_id"] == response.headers["x-request-id"]
    assert "Traceback" not in response.text and 'File "' not in response.text
    return body


# ------------------------------------------------------------------------------------------ routes


def test_healthz_does_not_open_the_store(app_settings: Settings) -> None:
    with TestClient(create_app(app_settings)) as fresh:
        health = fresh.get("/healthz").json()
        assert health == {"ok": True, "backend": "offline", "model": "offline-composer-v2", "store": "not_opened",
                          "auth": False}
        assert fresh.post("/v1/draft", json={"message": "我要投诉你们的柜员态度太差"}).status_code == 200
        assert fresh.get("/healthz").json()["store"] == "ready"


def test_draft_returns_the_cli_draft_and_its_passages_open(client: TestClient) -> None:
    response = client.post("/v1/draft", json={"message": "你们业务员骗我买保险，我要全额退款！今天不给说法我就找记者曝光！"})
    assert response.status_code == 200, response.text
    draft = Draft.model_validate(response.json())
    assert draft.backend == "offline" and draft.guard.ok and draft.reply
    assert draft.escalate and "media" in draft.risk_flags
    assert draft.escalation_advice and draft.steps[0] == "稳"
    assert draft.citations
    citation = draft.citations[0]
    passage = Passage.model_validate(client.get(f"/v1/passages/{citation.chunk_id}").json())
    assert passage.chunk_id == citation.chunk_id and passage.source == citation.source
    assert citation.quote.replace("\n", "") in passage.text.replace("\n", "")
    _assert_error(client.get("/v1/passages/no-such-chunk"), 404, "passage_not_found")


def test_draft_with_a_conversation_and_a_role(client: TestClient) -> None:
    turns = [{"speaker": "customer", "text": "我的卡被冻结了"}, {"speaker": "staff", "text": "您好，我帮您查一下"},
             {"speaker": "customer", "text": "能不能今天就给我解冻？"}]
    response = client.post("/v1/draft", json={"message": turns[-1]["text"], "conversation": turns,
                                              "role": "supervisor"})
    assert response.status_code == 200, response.text
    draft = Draft.model_validate(response.json())
    assert draft.guard.role == "supervisor" and draft.guard.ok


def test_a_model_that_promises_is_replaced_by_a_guarded_offline_draft(app_settings: Settings) -> None:
    fake = FakeBackend(["好的，没问题，保证今天全额退款。"] * 3)
    with TestClient(create_app(app_settings, backend=fake)) as api:
        assert api.get("/healthz").json()["backend"] == "fake"
        draft = Draft.model_validate(api.post("/v1/draft", json={"message": "能全额退吗？今天就要！"}).json())
    assert len(fake.calls) == 3
    assert draft.fell_back and draft.backend == "offline" and draft.guard.ok
    assert "保证今天全额退款" not in draft.reply
    assert [a.backend for a in draft.attempts][:3] == ["fake"] * 3


def test_check_with_context_reports_offsets_into_the_text(client: TestClient) -> None:
    text = "好的，没问题😀。你爱找谁找谁！"
    response = client.post("/v1/check", json={"text": text, "context": "能全额退吗？"})
    report = GuardReport.model_validate(response.json())
    assert not report.ok
    categories = {v.category for v in report.violations}
    assert "refund_outcome" in categories
    for violation in report.violations:
        assert text[violation.start:violation.end] == violation.span
    turns = [{"speaker": "customer", "text": "能全额退吗？"}]
    assert not client.post("/v1/check", json={"text": "好的，没问题", "context": turns}).json()["ok"]
    assert client.post("/v1/check", json={"text": "好的，没问题"}).json()["ok"]
    clean = client.post("/v1/check", json={"text": "您好，我先帮您查一下。"}).json()
    assert {k: clean[k] for k in ("ok", "violations", "role")} == {"ok": True, "violations": [], "role": "frontline"}
    assert len(clean["id"]) == 32 and clean["checker"] == "rules-v2" and len(clean["policy_hash"]) == 16


def test_callback_replaces_a_promise_and_offers_text_format(client: TestClient) -> None:
    script = CallbackScript.model_validate(client.post("/v1/callback", json=CASE).json())
    assert script.guard.ok and script.format == "markdown" and script.text.startswith("## 回访话术")
    assert script.adjustments and "保证下周全额退款" not in script.text
    plain = client.post("/v1/callback?format=text", json=CASE).json()
    assert plain["format"] == "text" and "###" not in plain["text"] and "【问候与自我介绍】" in plain["text"]
    _assert_error(client.post("/v1/callback?format=pdf", json=CASE), 422, "validation_error")
    _assert_error(client.post("/v1/callback", json={**CASE, "actions": []}), 422, "validation_error")


def test_retrieve_get_and_post(client: TestClient) -> None:
    got = Retrieval.model_validate(client.get("/v1/retrieve", params={"q": "客户要求赔偿怎么办", "k": 3}).json())
    assert len(got.passages) == 3 and got.notice  # hash embeddings say so
    posted = Retrieval.model_validate(client.post("/v1/retrieve", json={"query": "客户要求赔偿怎么办", "k": 3}).json())
    assert [p.chunk_id for p in posted.passages] == [p.chunk_id for p in got.passages]
    _assert_error(client.get("/v1/retrieve", params={"q": "", "k": 3}), 422, "validation_error")
    _assert_error(client.get("/v1/retrieve", params={"q": "赔偿", "k": 99}), 422, "validation_error")


def test_roles_page_docs_and_schema(client: TestClient) -> None:
    roles = client.get("/v1/roles").json()
    assert {r["role"] for r in roles} >= {"frontline", "supervisor", "complaint_officer"}
    assert [r["role"] for r in roles if r["default"]] == ["frontline"]
    page = client.get("/")
    assert page.status_code == 200 and "检查我的回复" in page.text and "回访话术" in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    for asset in ("app.js", "app.css", "docs.js"):
        assert client.get(f"/static/{asset}").status_code == 200
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/static/docs.js" in docs.text
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/v1/draft", "/v1/check", "/v1/callback", "/v1/retrieve", "/healthz"} <= set(paths)
    assert paths["/v1/draft"]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/DraftRequest")


def test_web_assets_load_nothing_from_outside() -> None:
    for asset in sorted(server.WEB.iterdir()):
        text = asset.read_text(encoding="utf-8")
        assert not re.search(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", text, re.I), asset.name
        assert "@import" not in text and "fonts.googleapis" not in text


# ------------------------------------------------------------------------------------------ errors


def test_validation_errors_are_422_with_a_stable_code(client: TestClient) -> None:
    body = _assert_error(client.post("/v1/draft", json={"message": ""}), 422, "validation_error")
    assert body["errors"][0]["loc"] == ["body", "message"]
    assert "input" not in body["errors"][0]  # the request's text is not echoed back
    _assert_error(client.post("/v1/draft", json={"message": "你好", "backend": "x"}), 422, "validation_error")
    _assert_error(client.post("/v1/draft", content=b"{not json", headers={"content-type": "application/json"}),
                  422, "validation_error")
    _assert_error(client.post("/v1/check", json={"text": "   "}), 422, "bad_input")


def test_unknown_role_and_route(client: TestClient) -> None:
    body = _assert_error(client.post("/v1/check", json={"text": "您好", "role": "ceo"}), 400, "config_error")
    assert "frontline" in body["message"] + body["fix"]
    _assert_error(client.get("/v2/nothing"), 404, "not_found")
    _assert_error(client.get("/v1/draft"), 405, "method_not_allowed")


def test_limits_text_turns_and_body(client: TestClient) -> None:
    _assert_error(client.post("/v1/draft", json={"message": "退" * 20_001}), 422, "text_too_long")
    _assert_error(client.post("/v1/check", json={"text": "好" * 20_001}), 422, "text_too_long")
    turns = [{"speaker": "customer", "text": f"第{i}句"} for i in range(MAX_TURNS + 1)]
    body = _assert_error(client.post("/v1/draft", json={"message": "第0句", "conversation": turns}), 422,
                         "too_many_turns")
    assert str(MAX_TURNS) in body["message"]
    _assert_error(client.post("/v1/check", json={"text": "好的", "context": turns}), 422, "too_many_turns")
    big = json.dumps({"message": "退" * 10, "conversation": [{"text": "x" * (MAX_BODY_BYTES + 1)}]}).encode()
    _assert_error(client.post("/v1/draft", content=big, headers={"content-type": "application/json"}), 413,
                  "body_too_large")

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit counts what arrives
        yield b'{"text": "'
        for _ in range(MAX_BODY_BYTES // 1024 + 2):
            yield b"a" * 1024
        yield b'"}'

    _assert_error(client.post("/v1/check", content=chunks(), headers={"content-type": "application/json"}), 413,
                  "body_too_large")


def test_empty_store_is_a_503_with_the_ingest_fix_until_ingested(tmp_path: Path) -> None:
    with TestClient(create_app(Settings(home=tmp_path / "empty", embeddings="hash"))) as api:
        assert api.get("/healthz").status_code == 200
        assert api.post("/v1/check", json={"text": "您好，我帮您查一下。"}).json()["ok"]
        body = _assert_error(api.post("/v1/draft", json={"message": "我要退款"}), 503, "empty_store")
        assert "coach ingest" in body["fix"]
        assert api.get("/healthz").json()["store"] == "empty"
        _assert_error(api.get("/v1/retrieve", params={"q": "退款"}), 503, "empty_store")
        from coach.ingest import ingest

        ingest(Settings(home=tmp_path / "empty", embeddings="hash"))  # the failed open was not cached
        assert api.post("/v1/draft", json={"message": "我要退款"}).status_code == 200


def test_a_bug_is_a_500_without_trace_or_request_text(client: TestClient, monkeypatch: pytest.MonkeyPatch,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    def broken(text: str, **_: object) -> GuardReport:
        raise RuntimeError(f"exploded on {text}")

    monkeypatch.setattr(server, "guard_check", broken)
    with caplog.at_level(logging.INFO, logger="coach"):
        response = client.post("/v1/check", json={"text": f"秘密内容 {PHONE}"})
    body = _assert_error(response, 500, "internal_error")
    assert "秘密内容" not in response.text and "RuntimeError" not in response.text and "exploded" not in response.text
    assert body["request_id"] in body["message"]
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("coach")]
    assert any('"error": "RuntimeError"' in line and '"status": 500' in line for line in lines)
    assert not any("秘密内容" in line or PHONE in line for line in lines)


# ------------------------------------------------------------------------------------------ logs


def test_one_log_line_per_request_without_the_complaint_or_pii(client: TestClient,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    assert valid_id_number(ID_NUMBER) and luhn_valid(CARD)
    with caplog.at_level(logging.INFO, logger="coach"):
        assert client.post("/v1/draft", json={"message": PII_MESSAGE}).status_code == 200
        assert client.post("/v1/check", json={"text": f"好的，{PHONE}", "context": PII_MESSAGE}).status_code == 200
        assert client.get("/v1/retrieve", params={"q": f"分红险 {ID_NUMBER}"}).status_code == 200
        assert client.post("/v1/draft", json={"message": PII_MESSAGE, "x": 1}).status_code == 422
    records = [r for r in caplog.records if r.name.startswith("coach")]
    everything = "\n".join(r.getMessage() for r in records)
    for secret in (ID_NUMBER, PHONE, CARD, EMAIL, "分红险", "业务员骗我", "张伟"):
        assert secret not in everything, secret
    requests = [json.loads(r.getMessage()) for r in records if r.name == "coach.server"]
    assert [(line["route"], line["status"]) for line in requests] == [
        ("/v1/draft", 200), ("/v1/check", 200), ("/v1/retrieve", 200), ("/v1/draft", 422)]
    draft_line, check_line = requests[0], requests[1]
    assert draft_line["backend"] == "offline" and draft_line["guard"] == "ok" and draft_line["ms"] > 0
    assert check_line["guard"].startswith("violations:")
    assert requests[3]["code"] == "validation_error"


# ------------------------------------------------------------------------------------------ safety


def test_token_is_required_off_loopback(app_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match="token"):
        create_app(app_settings, public=True)
    compared: list[bytes] = []
    real = server.hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        compared.append(a)
        return real(a, b)

    monkeypatch.setattr(server.hmac, "compare_digest", spy)
    secured = app_settings.model_copy(update={"api_token": "s3cret-token-value"})
    with TestClient(create_app(secured, public=True)) as api:
        _assert_error(api.post("/v1/check", json={"text": "您好"}), 401, "unauthorized")
        wrong = api.post("/v1/check", json={"text": "您好"}, headers={"Authorization": "Bearer s3cret-token-valuX"})
        assert _assert_error(wrong, 401, "unauthorized") and wrong.headers["www-authenticate"] == "Bearer"
        _assert_error(api.get("/healthz"), 401, "unauthorized")
        _assert_error(api.get("/v1/retrieve", params={"q": "退款"}), 401, "unauthorized")
        good = {"Authorization": "Bearer s3cret-token-value"}
        assert api.post("/v1/check", json={"text": "您好"}, headers=good).status_code == 200
        assert api.get("/healthz", headers=good).json()["auth"] is True
        assert api.get("/").status_code == 200 and api.get("/static/app.js").status_code == 200  # page shell
    assert b"Bearer s3cret-token-valuX" in compared


def test_loopback_binding_refuses_foreign_host_headers(app_settings: Settings) -> None:
    with TestClient(create_app(app_settings, allowed_hosts=LOOPBACK_HOSTS)) as api:
        _assert_error(api.get("/healthz", headers={"Host": "attacker.example"}), 421, "bad_host")
        assert api.get("/healthz", headers={"Host": "127.0.0.1:8765"}).status_code == 200
        assert api.get("/healthz", headers={"Host": "localhost"}).status_code == 200
        assert api.get("/healthz", headers={"Host": "[::1]:8765"}).status_code == 200


def test_serve_command_binds_loopback_and_refuses_public_without_token(monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    from coach.cli import app

    calls: list[dict] = []
    monkeypatch.setattr(uvicorn, "run", lambda application, **kw: calls.append({"app": application, **kw}))
    result = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0"])
    assert result.exit_code == 2 and "COACH_API_TOKEN" in result.output and not calls
    assert CliRunner().invoke(app, ["serve"]).exit_code == 0
    assert calls[-1]["host"] == "127.0.0.1" and calls[-1]["port"] == 8765 and calls[-1]["access_log"] is False
    monkeypatch.setenv("COACH_API_TOKEN", "another-long-token")
    assert CliRunner().invoke(app, ["serve", "--host", "0.0.0.0", "--port", "9000"]).exit_code == 0
    assert calls[-1]["host"] == "0.0.0.0" and calls[-1]["port"] == 9000
    with TestClient(calls[-1]["app"]) as api:
        _assert_error(api.get("/healthz"), 401, "unauthorized")
