"""The offline composer: a reply for this case and channel, built from the documents' scripts (wording.yaml)."""

from coach.compose.composer import (
    COMPOSER_VERSION,
    OFFLINE_NOTICE,
    Composition,
    compose,
    emittable,
    minimal,
    render,
)

__all__ = ["COMPOSER_VERSION", "OFFLINE_NOTICE", "Composition", "compose", "emittable", "minimal", "render"]
