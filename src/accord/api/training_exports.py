"""The options of the training exports (docs/training_exports.md), as query parameters of
``GET /projects/{id}/export`` and as fields of an export job's body."""

from __future__ import annotations

from typing import Literal

from fastapi import Query
from pydantic import BaseModel, Field

from accord.formats.training import TrainingOptions

QUESTION = (
    "Training formats: the question the records come from (pairwise or ranking for "
    "trl-preference and reward-pairs, rating or choice for trl-kto, spans for conll and spacy); "
    "mot, rttm, vtt, srt: the question the file holds (tracks with shape box, segments, "
    "transcript); needed only when the project has several"
)
PROMPT = "Training formats: the field that is the prompt (chat, text or markdown)"
RESPONSE = (
    "trl-sft, openai-ft, trl-kto: the text question (what annotators wrote) or text field that "
    "is the response"
)
THRESHOLD = (
    "trl-kto from a rating: label true when the rating is at least this (default: above the "
    "middle of the scale, the middle itself skipped)"
)
DESIRABLE = "trl-kto from a choice: the option values labelled true (repeat the parameter)"
LANG = "spacy: the language of spacy.blank (its tokenizer), e.g. en, de, xx"
ALIGNMENT = (
    "spacy: how character spans snap to tokens (Doc.char_span): strict leaves out spans off "
    "token boundaries (named in the report), contract shrinks, expand grows them"
)
REVIEWED = "Only annotations a reviewer accepted or fixed (not with final)"
REPORT = (
    "Training formats: answer the export's report (records written, what was skipped and why, "
    "each named) as JSON instead of the file"
)

Alignment = Literal["strict", "contract", "expand"]


class TrainingFields(BaseModel):
    """The training options in a JSON body (an export job's)."""

    question: str | None = Field(default=None, max_length=64, description=QUESTION)
    prompt: str | None = Field(default=None, max_length=64, description=PROMPT)
    response: str | None = Field(default=None, max_length=64, description=RESPONSE)
    threshold: float | None = Field(default=None, description=THRESHOLD, allow_inf_nan=False)
    desirable: list[str] = Field(default_factory=list, max_length=1000, description=DESIRABLE)
    lang: str = Field(default="en", min_length=1, max_length=16, description=LANG)
    alignment_mode: Alignment = Field(default="strict", description=ALIGNMENT)
    reviewed: bool = Field(default=False, description=REVIEWED)

    def options(self) -> TrainingOptions:
        return options_of(
            self.question,
            self.prompt,
            self.response,
            self.threshold,
            self.desirable,
            self.lang,
            self.alignment_mode,
        )


def options_of(
    question: str | None,
    prompt: str | None,
    response: str | None,
    threshold: float | None,
    desirable: list[str] | None,
    lang: str,
    alignment_mode: str,
) -> TrainingOptions:
    return TrainingOptions(
        question=question or None,
        prompt=prompt or None,
        response=response or None,
        threshold=threshold,
        desirable=tuple(desirable or ()),
        lang=lang,
        alignment_mode=alignment_mode,
    )


def training_query(
    question: str | None = Query(default=None, max_length=64, description=QUESTION),
    prompt: str | None = Query(default=None, max_length=64, description=PROMPT),
    response: str | None = Query(default=None, max_length=64, description=RESPONSE),
    threshold: float | None = Query(default=None, description=THRESHOLD, allow_inf_nan=False),
    desirable: list[str] | None = Query(default=None, max_length=1000, description=DESIRABLE),
    lang: str = Query(default="en", min_length=1, max_length=16, description=LANG),
    alignment_mode: Alignment = Query(default="strict", description=ALIGNMENT),
) -> TrainingOptions:
    """The training options of a streamed export's query."""
    return options_of(question, prompt, response, threshold, desirable, lang, alignment_mode)
