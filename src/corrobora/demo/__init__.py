"""The demo corpus bundled with Corrobora (see corpus/LICENSE.md for what it is and its terms)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def corpus_path() -> Path:
    return Path(str(resources.files("corrobora.demo") / "corpus"))
