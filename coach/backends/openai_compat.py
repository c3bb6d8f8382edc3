"""Any OpenAI-compatible chat endpoint through LangChain's ``ChatOpenAI``.

One class; DeepSeek, Qwen (DashScope), vLLM and Ollama are presets (``COACH_PRESET``, config.ENDPOINT_PRESETS):
a base URL and a model name, which ``OPENAI_BASE_URL`` and ``COACH_MODEL`` override. An ``OPENAI_API_KEY``
alone never sends anything: without a base URL *and* model there is no endpoint, and ``from_settings`` says so.
"""

from __future__ import annotations

from typing import Any

from coach.backends.base import Message
from coach.config import Settings
from coach.errors import BackendError, ConfigError

_CONFIG_FIX = ("set OPENAI_BASE_URL (e.g. http://127.0.0.1:8000/v1) and COACH_MODEL (and OPENAI_API_KEY if the "
               "endpoint needs one), or use --backend offline")


class OpenAICompatBackend:
    name = "openai"

    def __init__(self, *, base_url: str, model: str, api_key: str | None, timeout: float, max_retries: int,
                 tracing: bool = False) -> None:
        self.base_url = base_url
        self.model: str | None = model
        self._api_key = api_key or "not-needed"  # local servers (vLLM, Ollama) accept any key
        self.timeout = timeout
        self.max_retries = max_retries
        self.tracing = tracing
        self._client: Any = None

    @classmethod
    def from_settings(cls, settings: Settings) -> OpenAICompatBackend:
        missing = [name for name, value in (("OPENAI_BASE_URL", settings.openai_base_url),
                                            ("COACH_MODEL", settings.model)) if not value]
        if missing:
            raise ConfigError(f"the openai backend needs {' and '.join(missing)} set", _CONFIG_FIX)
        return cls(base_url=str(settings.openai_base_url), model=str(settings.model),
                   api_key=settings.openai_api_key, timeout=settings.timeout, max_retries=settings.max_retries,
                   tracing=settings.tracing)

    def _chat(self) -> Any:
        if self._client is None:
            from langchain_openai import ChatOpenAI
            from pydantic import SecretStr

            self._client = ChatOpenAI(base_url=self.base_url, api_key=SecretStr(self._api_key), model=str(self.model),
                                      timeout=self.timeout, max_retries=self.max_retries)
        return self._client

    def complete(self, messages: list[Message], *, temperature: float = 0.2, json_mode: bool = False) -> str:
        from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
        from langsmith import tracing_context

        kinds = {"system": SystemMessage, "user": HumanMessage, "assistant": AIMessage}
        lc_messages = [kinds[m["role"]](content=m["content"]) for m in messages]
        try:
            # Tracing follows coach's settings only: a LANGSMITH_TRACING left in the shell sends nothing.
            with tracing_context(enabled=self.tracing):
                extra = {"response_format": {"type": "json_object"}} if json_mode else {}
                answer = self._chat().bind(temperature=temperature, **extra).invoke(lc_messages)
        except Exception as exc:  # the SDK raises many types: timeouts, HTTP status, bad JSON
            raise BackendError(f"the model endpoint {self.base_url} failed: {type(exc).__name__}: {exc}"[:500],
                               "check OPENAI_BASE_URL / COACH_MODEL and that the server is up, "
                               "or use --backend offline") from exc
        content = answer.content if isinstance(answer.content, str) else _join_parts(answer.content)
        if not content.strip():
            raise BackendError(f"the model at {self.base_url} returned an empty answer", "retry, or use --backend offline")  # noqa: E501
        return content


def _join_parts(parts: list[Any]) -> str:
    return "".join(p if isinstance(p, str) else str(p.get("text", "")) for p in parts)
