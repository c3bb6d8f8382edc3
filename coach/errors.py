"""Errors that carry the fix a user can type.

The CLI prints ``message`` and ``fix`` and exits 2; the API returns ``{code, message, fix}`` with
``http_status``. Anything that is not a CoachError is a bug and is reported as such.
"""

from __future__ import annotations


class CoachError(Exception):
    code = "coach_error"
    http_status = 500

    def __init__(self, message: str, fix: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

    def __str__(self) -> str:
        return f"{self.message}\n  fix: {self.fix}" if self.fix else self.message


class ConfigError(CoachError):
    """A setting, a policy file or a command-line option is wrong."""

    code = "config_error"
    http_status = 400


class InputError(CoachError):
    """The text, file or batch the user gave cannot be used."""

    code = "bad_input"
    http_status = 422


class StoreError(CoachError):
    """The Chroma store or the lexical index cannot serve the request."""

    code = "store_error"
    http_status = 503


class EmptyStoreError(StoreError):
    code = "empty_store"


class BackendError(CoachError):
    """A model or embeddings endpoint failed."""

    code = "backend_error"
    http_status = 502
