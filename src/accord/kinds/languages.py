"""Which language a text is written in, by py3langid (a maintained port of langid.py).

The model loads once per process, on first use (about a second); `known` lists its language
codes (ISO 639-1) so that an interface naming another is refused when it is saved.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    with _LOCK:
        return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


@lru_cache(maxsize=1)
def known() -> frozenset[str]:
    """The language codes the model can tell apart."""
    return frozenset(_identifier().nb_classes)


def detect(text: str) -> tuple[str, float]:
    """The most likely language of ``text`` and how sure the model is, in [0, 1]."""
    code, confidence = _identifier().classify(text)
    return str(code), float(confidence)
