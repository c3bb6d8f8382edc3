"""The API's gate (issue #22): off loopback a blank or short COACH_API_TOKEN is refused, and the Authorization
scheme is matched case-insensitively (RFC 7235 §2.1), the token itself exactly; every request's log line
carries the id the client got in X-Request-ID."""

from __future__ import annotations

import json
import logging
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from coach import server
from coach.config import Settings
from coach.errors import ConfigError
from coach.server import create_app

TOKEN = "b7c1e0f4a9d2-long-random-value"


@pytest.mark.parametrize("token", ["   ", "\t\n", "short-token"])
def test_a_blank_or_short_token_is_refused_for_a_public_bind(tmp_path: Path, token: str) -> None:
    with pytest.raises(ConfigError, match="COACH_API_TOKEN") as refused:
        create_app(Settings(home=tmp_path, api_token=token), public=True)
    assert "openssl rand -hex 32" in refused.value.fix


@pytest.mark.parametrize("token", ["   ", "short-token"])
def test_coach_serve_refuses_it_with_exit_2_before_listening(monkeypatch: pytest.MonkeyPatch, token: str) -> None:
    import uvicorn

    from coach.cli import app

    started: list[object] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: started.append(args))
    monkeypatch.setenv("COACH_API_TOKEN", token)
    result = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0"])
    assert result.exit_code == 2 and "COACH_API_TOKEN" in result.stderr and "fix:" in result.stderr
    assert not started


@pytest.fixture
def api(tmp_path: Path) -> TestClient:
    return TestClient(create_app(Settings(home=tmp_path, api_token=f"  {TOKEN}\n"), public=True))


@pytest.mark.parametrize("header", [f"Bearer {TOKEN}", f"bearer {TOKEN}", f"BEARER {TOKEN}", f"Bearer   {TOKEN}"])
def test_the_scheme_is_case_insensitive(api: TestClient, header: str) -> None:
    response = api.post("/v1/check", json={"text": "您好"}, headers={"Authorization": header})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("header", [f"Basic {TOKEN}", f"Bearer{TOKEN}", f"bearer {TOKEN.upper()}", "bearer ", TOKEN])
def test_anything_else_is_still_401(api: TestClient, header: str) -> None:
    response = api.post("/v1/check", json={"text": "您好"}, headers={"Authorization": header})
    assert response.status_code == 401 and response.json()["code"] == "unauthorized"


def test_the_log_line_keeps_a_request_id_made_of_digits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    """Log lines are masked, and any 10+ digit run is masked as an account number: a request id must never be
    one, or the id in the X-Request-ID header would not be found in the log."""
    monkeypatch.setattr(server.uuid, "uuid4", lambda: uuid.UUID("12345678-1234-4234-8234-123456789012"))
    with caplog.at_level(logging.INFO, logger="coach.server"):
        response = TestClient(create_app(Settings(home=tmp_path))).get("/healthz")
    (line,) = [json.loads(r.getMessage()) for r in caplog.records if r.name == "coach.server"]
    assert line["id"] == response.headers["x-request-id"]
