"""One contract, every backend: fake, and openai against a local OpenAI-compatible server; offline chooses none."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from coach.backends import Backend
from coach.backends.fake import FakeBackend
from coach.backends.openai_compat import OpenAICompatBackend
from coach.errors import BackendError
from tests.fake_openai import ERROR_500, FakeOpenAI

MESSAGES = [
    {"role": "system", "content": "你是投诉应对教练。"},
    {"role": "user", "content": "客户原话：\n<<<CUSTOMER_DATA\n我要退款!\nCUSTOMER_DATA>>>"},
]
REPLY = "您好，您的退款诉求我已经记录，我们会在三个工作日内与您联系。"


@pytest.fixture(scope="module")
def server() -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI().start()
    yield fake
    fake.stop()


@pytest.fixture(params=["fake", "openai"])
def backend(request: pytest.FixtureRequest, server: FakeOpenAI) -> Backend:
    server.replies[:] = [REPLY]
    if request.param == "fake":
        return FakeBackend(replies=[REPLY])
    return OpenAICompatBackend(base_url=server.base_url, model="fake-model", api_key=None, timeout=2, max_retries=0)


class TestBackendContract:
    def test_is_a_backend(self, backend: Backend) -> None:
        assert isinstance(backend, Backend)
        assert isinstance(backend.name, str) and backend.name

    def test_complete_returns_text(self, backend: Backend) -> None:
        text = backend.complete(MESSAGES, temperature=0.0)
        assert isinstance(text, str) and text.strip()
        assert "退款" in text

    def test_complete_is_keyword_temperature(self, backend: Backend) -> None:
        with pytest.raises(TypeError):
            backend.complete(MESSAGES, 0.0)  # type: ignore[misc]


def test_fake_records_calls_and_raises_scripted_errors() -> None:
    fake = FakeBackend(replies=["一", BackendError("down", "retry")])
    assert fake.complete(MESSAGES) == "一" and fake.calls == [MESSAGES]
    with pytest.raises(BackendError):
        fake.complete(MESSAGES)


def test_openai_errors_become_backend_errors(server: FakeOpenAI) -> None:
    server.replies[:] = [ERROR_500]
    backend = OpenAICompatBackend(base_url=server.base_url, model="m", api_key="k", timeout=2, max_retries=0)
    with pytest.raises(BackendError) as caught:
        backend.complete(MESSAGES)
    assert "--backend offline" in caught.value.fix


def test_the_registry_holds_only_model_backends_and_offline_chooses_none(tmp_path: Path) -> None:
    from coach.backends import OFFLINE, REGISTRY, get_backend, model_backend
    from coach.config import Settings
    from coach.errors import ConfigError

    assert list(REGISTRY) == ["openai"]
    settings = Settings(home=tmp_path, openai_base_url="http://127.0.0.1:9/v1", model="m", backend=OFFLINE)
    assert get_backend(None, settings) is None  # COACH_BACKEND=offline wins over a configured endpoint
    assert get_backend("openai", settings).name == "openai"  # type: ignore[union-attr]
    with pytest.raises(ConfigError):
        model_backend(OFFLINE, settings)


def test_a_preset_fills_the_endpoint_and_selects_the_model_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    from coach.backends import get_backend
    from coach.config import load_settings

    monkeypatch.setenv("COACH_PRESET", "ollama")
    settings = load_settings()
    assert (settings.openai_base_url, settings.model) == ("http://127.0.0.1:11434/v1", "qwen2.5:7b")
    backend = get_backend(None, settings)
    assert backend is not None and backend.name == "openai" and backend.model == "qwen2.5:7b"
    monkeypatch.setenv("COACH_MODEL", "llama3.1:8b")  # an explicit setting wins over the preset
    assert load_settings().model == "llama3.1:8b"


def test_an_unknown_preset_names_the_valid_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    from coach.config import load_settings
    from coach.errors import ConfigError

    monkeypatch.setenv("COACH_PRESET", "gpt5")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert "preset" in caught.value.message and "ollama" in caught.value.message
