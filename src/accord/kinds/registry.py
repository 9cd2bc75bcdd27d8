"""Every kind Accord knows, by name. Adding a kind: write its module, list it here."""

from __future__ import annotations

from typing import Any

from accord.kinds.base import FieldKind, QuestionKind
from accord.kinds.fields import audio, chat, image, markdown, text, text_list, video
from accord.kinds.questions import (
    boxes,
    choice,
    events,
    image_class,
    keypoints,
    masks,
    pairwise,
    points,
    polygons,
    polylines,
    ranking,
    rating,
    rubric,
    segments,
    spans,
    tracks,
    transcript,
    turns,
)
from accord.kinds.questions import text as text_question

FIELD_KINDS: dict[str, FieldKind[Any]] = {
    module.KIND.name: module.KIND
    for module in (text, markdown, text_list, chat, image, video, audio)
}
QUESTION_KINDS: dict[str, QuestionKind[Any]] = {
    module.KIND.name: module.KIND
    for module in (
        *(choice, rating, text_question, spans, pairwise, ranking, rubric, turns),
        *(boxes, polygons, polylines, points, keypoints, masks, image_class, events),
        *(segments, transcript, tracks),
    )
}
