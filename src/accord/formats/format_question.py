"""Which question a one-question format reads and writes (MOTChallenge, RTTM, WebVTT, SRT):
a file of these holds the answers of one question, so a project with several questions that
suit the format must name one (``question=``, CLI ``--question``; docs/video.md,
"MOTChallenge", and docs/audio.md, "RTTM, WebVTT and SRT").

`choose` takes the interface's questions that suit the format and the name given (or None):
with a name, that question, or `QuestionChoiceError` saying whether there is no question of
that name or it does not suit (naming those that do); without one, the only suitable
question, or `QuestionChoiceError` naming the candidates. Having no suitable question at all
is the format's own `DatasetError` (what to add to the interface)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from accord.formats.shapes import DatasetError

FORMAT_QUESTIONS = ("mot", "rttm", "vtt", "srt")  # the formats that take question=
HOW = "name it with question=<name> (CLI --question <name>)"


class QuestionChoiceError(DatasetError):
    """The question a format holds is not named when it must be, or named wrongly; the
    API answers it as a 422 on the field ``question``."""


def choose(
    questions: Sequence[dict[str, Any]],
    suitable: Sequence[dict[str, Any]],
    named: str | None,
    what: str,
    holder: str,
    none: str,
) -> dict[str, Any]:
    """The question of ``suitable`` (a subset of ``questions``, plain dicts) the format
    holds. ``what``: the suitable kind in words, plural (``tracks questions with shape box
    over a video``); ``holder``: the format's file (``a MOTChallenge file``); ``none``: the
    message when nothing suits."""
    names = [str(q.get("name")) for q in suitable]
    if named:
        found = next((q for q in suitable if q.get("name") == named), None)
        if found is not None:
            return found
        if not suitable:
            raise DatasetError(f"question={named}: {none}")
        other = next((q for q in questions if q.get("name") == named), None)
        why = (
            f"the project has no question named {named!r}"
            if other is None
            else f"{named!r} is a {other.get('kind')} question, not one of the {what}, "
            f"which {holder} holds"
        )
        raise QuestionChoiceError(
            f"question={named}: {why}; name one of the project's {what}: {', '.join(names)}"
        )
    if not suitable:
        raise DatasetError(none)
    if len(suitable) > 1:
        raise QuestionChoiceError(
            f"the project has {len(suitable)} {what} ({', '.join(names)}); {holder} holds "
            f"one: {HOW}"
        )
    return suitable[0]


def refuse_question(fmt: str, question: str | None, others: str = "") -> None:
    """`QuestionChoiceError` when ``question`` is given with a format that takes none
    (``others``: the other formats that do, in words, e.g. the training formats)."""
    if question and fmt not in FORMAT_QUESTIONS:
        also = f" (and {others})" if others else ""
        raise QuestionChoiceError(
            f"question={question}: the {fmt} format takes no question; question goes with "
            f"mot, rttm, vtt and srt{also}, whose files hold one question; leave it out"
        )
